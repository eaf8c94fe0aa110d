/**
 * n8n's Retry of a failed execution and a repeated webhook payload, with the memory in Redis
 * (the credential's Coordination Redis URL): the second execution runs as if on another worker
 * (nothing of the first left in this process) and still sends nothing twice.
 */
import { batch, sendBatch } from '../support/engine';
import { asAnotherProcess, useRedis } from '../support/redis';
import { useSimulators } from '../support/simulators';

jest.setTimeout(60_000);

const sims = useSimulators({ plain: {} }, { clientGraceMs: 300 });
const redis = useRedis();

test("n8n's Retry on another worker skips what the failed execution sent, sends the rest", async () => {
	sims.plain.addFault({ action: 'ret', ret: -1, nth: 3 });
	const b = batch('redis-retry', 5);
	const send = {
		baseUrl: sims.plain.url,
		credentials: { coordinationRedisUrl: redis.server.url },
		options: { retries: 0 },
	};
	const failed = await sendBatch(b, { ...send, executionId: 'redis-failed' });
	expect(failed.error?.description).toContain(
		'Sent before this error in this run: 2 messages (items 0, 1); neither Retry On Fail nor a Retry of this execution within 24 h sends them again (remembered in the coordination store).',
	);
	await asAnotherProcess();
	const retried = await sendBatch(b, {
		...send,
		executionId: 'redis-retry',
		retryOf: { executionId: 'redis-failed', run: failed.run },
	});
	expect(retried.run.data.resultData.error).toBeUndefined();
	expect(sims.plain.messages.map((m) => m.toUserName)).toEqual([
		'wxid_to0',
		'wxid_to1',
		'wxid_to2',
		'wxid_to3',
		'wxid_to4',
	]);
	expect(retried.items.map((i) => [i.json.NewMsgId, i.json.skippedDuplicate === true])).toEqual(
		sims.plain.messages.map((m, index) => [m.newMsgId, index < 2]),
	);
	// The control: the same Retry with nothing shared sends items 1 and 2 again.
	await asAnotherProcess();
	sims.plain.reset();
	sims.plain.addFault({ action: 'ret', ret: -1, nth: 3 });
	const c = batch('redis-control', 5);
	const controlFailed = await sendBatch(c, {
		baseUrl: sims.plain.url,
		executionId: 'control-failed',
	});
	await asAnotherProcess();
	await sendBatch(c, {
		baseUrl: sims.plain.url,
		executionId: 'control-retry',
		retryOf: { executionId: 'control-failed', run: controlFailed.run },
	});
	expect(sims.plain.messages.map((m) => m.toUserName)).toEqual([
		'wxid_to0',
		'wxid_to1',
		'wxid_to0',
		'wxid_to1',
		'wxid_to2',
		'wxid_to3',
		'wxid_to4',
	]);
});

test('one payload twice on two workers, Skip Duplicates Within 10 min: sent once', async () => {
	const b = batch('redis-hook', 4);
	const send = {
		baseUrl: sims.plain.url,
		credentials: { coordinationRedisUrl: redis.server.url },
		options: { skipDuplicatesWithin: 10 },
	};
	const first = await sendBatch(b, send);
	await asAnotherProcess();
	const second = await sendBatch(b, send);
	expect(sims.plain.messages).toHaveLength(4);
	expect(second.items.every((i) => i.json.skippedDuplicate === true)).toBe(true);
	expect(second.items.map((i) => i.json.NewMsgId)).toEqual(first.items.map((i) => i.json.NewMsgId));
});
