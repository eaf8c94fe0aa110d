#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The receiving side, for `npm run bench` (or alone: `node scripts/bench/trigger.js [--frames=N]
 * [--n8n-frames=N] [--no-n8n]`):
 *
 *  (a) the trigger alone: the built FrameReceiver (dist/) reads, parses and filters frames in the
 *      gateway's format (7 in 10 app messages that match, the rest plain text that does not):
 *      frames per second over one pass; then the last 5,000 again, as a gateway resending after
 *      a reconnect would, and every matching id must have been emitted exactly once;
 *  (b) through n8n end to end: `n8n start` with the example workflow "trigger → forward
 *      back" active (pacing off), a burst of frames pushed on the simulator's socket; executions per
 *      second from the first push to the last forward the simulator received, and none lost or
 *      sent twice.
 *
 * Prints one line: `trigger: parsedFilteredPerSec=X endToEndPerSec=Y frames=N lost=0 duplicated=0`.
 */
const path = require('node:path');

const workload = require('./workload');
const { frameText } = require('../../simulator/frames');

const ACCOUNT = 'wxid_bench_trigger';
const FRIENDS = ['wxid_bench_a', 'wxid_bench_b', '1234567001@chatroom', '1234567002@chatroom'];

const numberedLink = (n) =>
	`<msg><appmsg appid="" sdkver="0"><title>bench #${n} &amp; more</title><des>d${n}</des><action>view</action><type>5</type><url>https://example.com/b?n=${n}&amp;x=1</url><thumburl>https://example.com/t.jpg</thumburl></appmsg><fromusername>${FRIENDS[n % FRIENDS.length]}</fromusername></msg>`;

/** Frame n: a link card (7 in 10) or a text, from a person or a group, its id above 2^53. */
function messageOf(n) {
	const chat = FRIENDS[n % FRIENDS.length];
	const group = chat.endsWith('@chatroom');
	const app = n % 10 < 7;
	return {
		matching: app,
		chat,
		message: {
			fromUserName: chat,
			actionUserName: group ? 'wxid_bench_member' : '',
			msgType: app ? 49 : 1,
			content: `${group ? 'wxid_bench_member:\n' : ''}${app ? numberedLink(n) : `text ${n}`}`,
			msgSource: group
				? '<msgsource><atuserlist><![CDATA[,wxid_bench_trigger]]></atuserlist></msgsource>'
				: '',
		},
	};
}

const FIRST_ID = 9_100_000_000_000_000_000n;

/** (a): frames per second through the receiver alone, median of `rounds` passes. */
function measureReceiver({ frames = 20_000, rounds = 5 } = {}) {
	const dist = path.join(workload.PACKAGE_ROOT, 'dist/nodes/WeChatGateway/trigger');
	const { FrameReceiver } = require(path.join(dist, 'receiver.js'));
	const { triggerFiltersFrom } = require(path.join(dist, 'filters.js'));
	const texts = [];
	let matching = 0;
	for (let n = 0; n < frames; n++) {
		const spec = messageOf(n);
		if (spec.matching) matching++;
		texts.push(
			frameText({
				account: ACCOUNT,
				newMsgId: FIRST_ID + BigInt(n),
				withExt: n % 2 === 0,
				message: spec.message,
			}),
		);
	}
	const filters = triggerFiltersFrom({ messageKinds: ['link', 'file', 'miniProgram'] });
	const passes = [];
	let lost = 0;
	let duplicated = 0;
	for (let round = 0; round < rounds; round++) {
		const receiver = new FrameReceiver(ACCOUNT, filters);
		const emitted = new Map();
		const count = (item) =>
			item && emitted.set(item.newMsgId, (emitted.get(item.newMsgId) ?? 0) + 1);
		// timed: every frame once (read, parse, filter)
		const started = process.hrtime.bigint();
		for (const text of texts) count(receiver.receive(text).item);
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		passes.push(texts.length / seconds);
		// not timed: the last 5,000 again, as a gateway resending after a reconnect; none may come
		// out (the memory holds the last 10,000 ids emitted)
		for (const text of texts.slice(-5000)) count(receiver.receive(text).item);
		lost = Math.max(lost, matching - emitted.size);
		duplicated = Math.max(duplicated, [...emitted.values()].filter((c) => c > 1).length);
	}
	passes.sort((a, b) => a - b);
	return { frames, matching, perSecond: passes[Math.floor(passes.length / 2)], lost, duplicated };
}

/** (b): a burst through a real `n8n start`, counted at the simulator. */
async function measureN8n({ frames = 1000, log = () => {} } = {}) {
	const lib = require('../lib/instance');
	const { waitFor } = require('../lib/waitFor');
	const { startGatewaySimulator } = require('../../simulator/gateway');
	const credential = { id: 'benchTriggerCred', name: 'bench trigger gateway' };
	const workflow = lib.forwardBackExample({
		credential,
		forwardOptions: workload.PACING_OFF,
		settings: { saveDataSuccessExecution: 'none' },
	});
	let sim;
	let instance;
	try {
		sim = await startGatewaySimulator({ accounts: [ACCOUNT] });
		instance = await lib.startInstance({
			name: 'trigger-bench',
			credentials: [{ ...credential, data: { baseUrl: sim.url, wxid: ACCOUNT } }],
			workflows: [workflow],
			activate: [workflow.id],
			owner: { email: 'bench@example.com', password: 'Bench-Passw0rd' },
			log,
		});
		await waitFor('the trigger to connect', () => sim.ws.clients >= 1, { timeoutMs: 60_000 });
		// warm-up: a few forwards first, so the burst does not pay for n8n's first execution
		const expected = new Map();
		for (let n = 0; n < 7; n++)
			sim.ws.inject({ account: ACCOUNT, message: messageOf(1_000_000 + n * 10).message });
		await waitFor('the warm-up forwards', () => sim.messages.length >= 7, { intervalMs: 50 });
		sim.reset();
		const started = Date.now();
		for (let n = 0; n < frames; n++) {
			const spec = messageOf(n);
			if (spec.matching) expected.set(n, spec.chat);
			sim.ws.inject({ account: ACCOUNT, message: spec.message, withExt: n % 2 === 0 });
		}
		const deadline = Date.now() + 10 * 60_000;
		while (sim.messages.length < expected.size && Date.now() < deadline)
			await new Promise((r) => setTimeout(r, 20));
		const seconds = (Date.now() - started) / 1000;
		await new Promise((r) => setTimeout(r, 2000)); // anything more would be a duplicate
		const seen = new Map();
		for (const m of sim.messages) {
			const n = Number(/bench #(\d+)/.exec(m.appMsgXml)?.[1]);
			seen.set(n, (seen.get(n) ?? 0) + 1);
		}
		const lost = [...expected.keys()].filter((n) => !seen.has(n)).length;
		const duplicated = [...seen.values()].filter((c) => c > 1).length;
		return {
			frames,
			matching: expected.size,
			forwarded: sim.messages.length,
			seconds,
			perSecond: expected.size / seconds,
			framesPerSecond: frames / seconds,
			lost,
			duplicated,
			n8nVersion: instance.runtime.version,
		};
	} finally {
		if (instance) await instance.stop();
		if (sim) await sim.close();
	}
}

function line(alone, n8n) {
	const lost = alone.lost + (n8n ? n8n.lost : 0);
	const duplicated = alone.duplicated + (n8n ? n8n.duplicated : 0);
	return (
		`trigger: parsedFilteredPerSec=${Math.round(alone.perSecond)} ` +
		`endToEndPerSec=${n8n ? Math.round(n8n.perSecond) : 'n/a'} frames=${alone.frames}+${n8n ? n8n.frames : 0} ` +
		`lost=${lost} duplicated=${duplicated}`
	);
}

module.exports = { measureReceiver, measureN8n, line };

if (require.main === module) {
	const argv = process.argv.slice(2);
	const option = (name, fallback) => {
		const found = argv.find((a) => a.startsWith(`--${name}=`));
		return found ? Number(found.split('=')[1]) : fallback;
	};
	const log = (m) => process.stderr.write(`${m}\n`);
	(async () => {
		const alone = measureReceiver({ frames: option('frames', 20_000) });
		log(
			`(a) trigger alone: ${Math.round(alone.perSecond)} frames/s parsed and filtered (${alone.frames} frames, ${alone.matching} matching; the last 5,000 sent again: none emitted twice), lost ${alone.lost}, duplicated ${alone.duplicated}`,
		);
		let n8n;
		if (!argv.includes('--no-n8n')) {
			n8n = await measureN8n({ frames: option('n8n-frames', 1000), log });
			log(
				`(b) n8n ${n8n.n8nVersion} end to end: ${n8n.frames} frames, ${n8n.matching} matching, ${n8n.forwarded} forwarded in ${n8n.seconds.toFixed(1)} s = ${Math.round(n8n.perSecond)} executions/s (${Math.round(n8n.framesPerSecond)} frames/s), lost ${n8n.lost}, duplicated ${n8n.duplicated}`,
			);
		}
		process.stdout.write(`${line(alone, n8n)}\n`);
		if (alone.lost || alone.duplicated || n8n?.lost || n8n?.duplicated) process.exitCode = 1;
	})().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exitCode = 1;
	});
}
