/**
 * The sent memory in Redis outlives a release: what 0.2 wrote must be found by the next
 * release, and written under the names 0.2 reads. 0.2 named a message's record
 * `n8n-nodes-wechat-gateway:sent:` and the first 32 hex digits of the SHA-256 of its key, the
 * key being its parts joined by NUL: `window`, the account, the chat, the fingerprint (the
 * SHA-256 of the call's JSON); `execution`, the execution, the node, the item index, the
 * account, the fingerprint; and `workflow` in place of the execution where a retry cannot see
 * which execution it retries. This suite writes those names out by hand, from that description.
 */
import { createHash } from 'node:crypto';
import Redis from 'ioredis';

import { RedisStore } from '../../nodes/WeChatGateway/coordination/redisStore';
import {
	claimMessage,
	fingerprintOf,
	sentKeysOf,
	type ExecutionScope,
} from '../../nodes/WeChatGateway/delivery/earlierSends';
import { appMsgCall } from '../../nodes/WeChatGateway/transport/client';
import { startRedis, type RedisServer } from '../support/redis';

jest.setTimeout(60_000);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const nameIn02 = (...parts: Array<string | number>) =>
	`n8n-nodes-wechat-gateway:sent:${sha256(parts.join('\u0000')).slice(0, 32)}`;

const ACCOUNT = 'http://gateway.test:8080\u0000wxid_bot';
const CHAT = 'wxid_friend42';
const ITEM = 3;
const call = appMsgCall(
	CHAT,
	'<appmsg appid="" sdkver="0"><title>hi</title><type>5</type></appmsg>',
);
const FINGERPRINT = sha256(JSON.stringify(call));

const scope = (fields: Partial<ExecutionScope> = {}): ExecutionScope => ({
	windowMs: 5 * 60_000,
	executionId: '41',
	workflowId: 'wf7',
	nodeName: 'Send',
	retry: false,
	retryOfReachable: true,
	...fields,
});

let redis: RedisServer;
let raw: Redis;
let store: RedisStore;
beforeAll(async () => {
	redis = await startRedis();
	raw = new Redis(redis.url);
	store = new RedisStore(redis.url);
});
afterAll(async () => {
	raw.disconnect();
	await store.close();
	await redis.remove();
});
beforeEach(() => raw.flushall());

const keysOf = (s: ExecutionScope) =>
	sentKeysOf(s, ACCOUNT, ITEM, CHAT, fingerprintOf(call, JSON.stringify(call)));
const writtenBy02 = (name: string, executionId: string) =>
	raw.set(
		name,
		JSON.stringify({ state: 'sent', at: Date.now(), token: 'from-0.2', executionId, result: {} }),
		'PX',
		60_000,
	);

test('a message is written down under the names 0.2 reads', async () => {
	for (const [reachable, expected] of [
		[
			true,
			[
				nameIn02('window', ACCOUNT, CHAT, FINGERPRINT),
				nameIn02('execution', '41', 'Send', ITEM, ACCOUNT, FINGERPRINT),
			],
		],
		[
			false,
			[
				nameIn02('window', ACCOUNT, CHAT, FINGERPRINT),
				nameIn02('execution', '41', 'Send', ITEM, ACCOUNT, FINGERPRINT),
				nameIn02('workflow', 'wf7', 'Send', ITEM, ACCOUNT, FINGERPRINT),
			],
		],
	] as const) {
		await raw.flushall();
		const s = scope({ retryOfReachable: reachable });
		const claim = await claimMessage(store, s, keysOf(s), false);
		expect(claim.earlier).toBeUndefined();
		expect(await claim.take()).toBeUndefined();
		expect((await raw.keys('n8n-nodes-wechat-gateway:sent:*')).sort()).toEqual(
			[...expected].sort(),
		);
	}
});

test('what 0.2 sent within the window is found, and not sent again', async () => {
	await writtenBy02(nameIn02('window', ACCOUNT, CHAT, FINGERPRINT), '40');
	const claim = await claimMessage(store, scope(), keysOf(scope()), false);
	expect(claim.earlier).toMatchObject({ foundBy: 'window', entry: { token: 'from-0.2' } });
});

test("n8n's Retry finds what the execution it retries sent under 0.2, by its id or by the workflow", async () => {
	await writtenBy02(nameIn02('execution', '40', 'Send', ITEM, ACCOUNT, FINGERPRINT), '40');
	const byId = scope({ windowMs: 0, retry: true, retryOf: '40' });
	expect((await claimMessage(store, byId, keysOf(byId), false)).earlier).toMatchObject({
		foundBy: 'retry',
		entry: { token: 'from-0.2' },
	});

	await raw.flushall();
	await writtenBy02(nameIn02('workflow', 'wf7', 'Send', ITEM, ACCOUNT, FINGERPRINT), '40');
	const byWorkflow = scope({ windowMs: 0, retry: true, retryOfReachable: false });
	expect((await claimMessage(store, byWorkflow, keysOf(byWorkflow), false)).earlier).toMatchObject({
		foundBy: 'retry',
		entry: { token: 'from-0.2' },
	});
});
