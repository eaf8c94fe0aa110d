'use strict';
/**
 * One competing process: takes `count` turns of one account through the Redis store, waits each
 * out like the node does, and prints when each turn was used (epoch ms) and for whom.
 * argv: redisUrl account count intervalMs limit windowMs recipientsCsv
 */
require('../support/tsRegister');
const { RedisStore } = require('../../nodes/WeChatGateway/coordination/redisStore.ts');

async function main() {
	const [url, account, count, intervalMs, limit, windowMs, recipientsCsv] = process.argv.slice(2);
	const store = new RedisStore(url, { windowMs: Number(windowMs) });
	const recipients = recipientsCsv.split(',');
	const policy = {
		intervalMs: Number(intervalMs),
		maxRecipientsPerMinute: Number(limit),
		jitterRatio: 0.3,
	};
	// start together: the parent releases every child at once through stdin
	await new Promise((resolve) => process.stdin.once('data', resolve));
	const used = [];
	for (let turn = 0; turn < Number(count); turn++) {
		const recipient = recipients[Math.floor(Math.random() * recipients.length)];
		const { waitMs, turnAt } = await store.reserveTurn(account, recipient, policy);
		await new Promise((resolve) => setTimeout(resolve, waitMs));
		used.push({ at: Date.now(), turnAt, recipient, pid: process.pid });
	}
	await store.close();
	process.stdout.write(JSON.stringify(used));
}

main().catch((error) => {
	process.stderr.write(String(error && error.stack));
	process.exit(1);
});
