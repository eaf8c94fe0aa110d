#!/usr/bin/env node
'use strict';
/**
 * The queue-mode figure of `npm run bench`: many accounts, each at its safe pace (the node's
 * defaults: 1 s between messages, 12 recipients a minute), sending in parallel through a real
 * n8n main instance and two workers with coordination on (scripts/lib/queueMode.js).
 *
 *   node scripts/bench/scale.js [--accounts=8] [--messages=10] [--no-build]
 *
 * Ends with one line: `scale: accounts=N workers=2 sentPerSec=X paceViolations=V`.
 * sentPerSec: messages the gateway simulator received, divided by the time from the first to
 * the last; paceViolations: two sends of an account closer than its interval (less the
 * transit slack of the pacing tests) or more recipients a minute than allowed, over all accounts.
 */
const os = require('node:os');
const path = require('node:path');

const lib = require('../lib/instance');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { startQueueMode } = require('../lib/queueMode');
const { arrivals, paceViolations, sendingWorkflow } = require('../lib/queueScenario');

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const found = args.find((a) => a.startsWith(`--${name}=`));
	return found ? Number(found.split('=')[1]) : fallback;
};
const ACCOUNTS = option('accounts', 8);
const MESSAGES = option('messages', 10);
const WORKERS = 2;
const PACE = { messageInterval: 1000, maxRecipientsPerMinute: 12 };
const T0 = Date.now();
const log = (m) => process.stderr.write(`[scale ${((Date.now() - T0) / 1000).toFixed(1)}s] ${m}\n`);

async function main() {
	if (!args.includes('--no-build')) await lib.buildPackage({ log });
	const tarball = await lib.packPackage({
		outDir: path.join(os.tmpdir(), `scale-pack-${process.pid}`),
		log,
	});
	const wxids = Array.from({ length: ACCOUNTS }, (_, index) => `wxid_scale_${index + 1}`);
	const sim = await startGatewaySimulator({ accounts: wxids });
	// enough worker slots for every account's executions at once
	const q = await startQueueMode({ tarball, workers: WORKERS, concurrency: ACCOUNTS, log });
	try {
		const paths = [];
		for (const wxid of wxids) {
			const credential = await q.createCredential(`scale ${wxid}`, 'weChatGatewayApi', {
				baseUrl: sim.url,
				wxid,
				coordinationRedisUrl: q.redis.url,
			});
			const hook = `scale-${wxid}`;
			await q.activateWorkflow(
				sendingWorkflow({ name: hook, path: hook, credential, options: PACE }),
				hook,
			);
			paths.push(hook);
		}
		log(`${ACCOUNTS} accounts ready; each sends ${MESSAGES} messages in two executions at once`);
		// two executions per account at once, so each account's messages come from both workers
		const half = Math.ceil(MESSAGES / 2);
		await Promise.all(
			paths.flatMap((hook, account) =>
				[0, 1].map((part) => {
					const to = Array.from(
						{ length: part ? MESSAGES - half : half },
						(_, index) => `wxid_to_${account}_${part}_${index}`,
					);
					return q.trigger(hook, { to: to.join(','), title: `scale ${account}` });
				}),
			),
		);
		const total = ACCOUNTS * MESSAGES;
		const deadline = Date.now() + 10 * 60 * 1000;
		while (sim.messages.length < total && Date.now() < deadline)
			await new Promise((r) => setTimeout(r, 250));
		if (sim.messages.length < total)
			throw new Error(`only ${sim.messages.length} of ${total} messages arrived`);
		const times = sim.messages.map((message) => message.receivedAt);
		const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
		let violations = 0;
		for (const wxid of wxids) {
			const found = paceViolations(arrivals(sim, wxid), {
				intervalMs: PACE.messageInterval,
				maxRecipientsPerMinute: PACE.maxRecipientsPerMinute,
			});
			for (const problem of found) log(`${wxid}: ${problem}`);
			violations += found.length;
		}
		const perAccount = MESSAGES / seconds;
		log(
			`${total} messages in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(2)}/s in all, ${perAccount.toFixed(2)}/s per account (pace allows at most ${(1000 / PACE.messageInterval).toFixed(2)}/s)`,
		);
		process.stdout.write(
			`scale: accounts=${ACCOUNTS} workers=${WORKERS} sentPerSec=${(total / seconds).toFixed(2)} paceViolations=${violations}\n`,
		);
	} finally {
		await q.remove();
		await sim.close();
	}
}

main().catch((error) => {
	console.error(error && error.stack ? error.stack : error);
	process.exit(1);
});
