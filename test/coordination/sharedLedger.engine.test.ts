/**
 * The sent ledger shared through Redis, with the node run by n8n's engine: a try of a node run
 * that lands on another process (nothing of the first try left in this process's memory) still
 * never re-sends what went out, and reports what was uncertain as uncertain. The control case
 * shows the same retry without coordination re-sending.
 */
import { batch, sendBatch } from '../support/engine';
import { asAnotherProcess, startRedis, useRedis } from '../support/redis';
import { closedPort, useSimulators } from '../support/simulators';

jest.setTimeout(90_000);

const sims = useSimulators({ plain: {} }, { clientGraceMs: 300 });
const redis = useRedis();

const sentTo = (recipient: string) => sims.plain.messages.filter((m) => m.toUserName === recipient);

test('a retry on another process returns the first results and sends only what was never sent', async () => {
	sims.plain.addFault({ action: 'ret', ret: -1, nth: 3 });
	const b = batch('shared-rej', 5);
	const send = {
		baseUrl: sims.plain.url,
		executionId: 'exec-shared-1',
		credentials: { coordinationRedisUrl: redis.server.url },
		options: { retries: 0 },
	};
	const first = await sendBatch(b, send);
	expect(first.error?.message).toMatch(/Ret -1/);
	expect(sims.plain.messages.map((m) => m.toUserName)).toEqual(['wxid_to0', 'wxid_to1']);

	await asAnotherProcess();
	const retry = await sendBatch(b, send);
	expect(retry.error).toBeUndefined();
	expect(sims.plain.messages.map((m) => m.toUserName)).toEqual([
		'wxid_to0',
		'wxid_to1',
		'wxid_to2',
		'wxid_to3',
		'wxid_to4',
	]);
	// items 0 and 1: the very results of the first try, with the exact 64-bit ids
	expect(retry.items.map((item) => item.json.NewMsgId)).toEqual(
		sims.plain.messages.map((m) => m.newMsgId),
	);
});

test('an uncertain message stays uncertain on another process: reported, not sent again', async () => {
	sims.plain.addFault({ action: 'drop', nth: 2 });
	const b = batch('shared-drop', 4);
	const send = {
		baseUrl: sims.plain.url,
		executionId: 'exec-shared-2',
		credentials: { coordinationRedisUrl: redis.server.url },
		options: { retries: 0 },
		continueOnFail: true,
	};
	const first = await sendBatch(b, { ...send, continueOnFail: false });
	expect(first.error?.message).toMatch(/item 1/);
	expect(sentTo('wxid_to1')).toHaveLength(1); // the gateway sent it; its answer was lost

	await asAnotherProcess();
	const retry = await sendBatch(b, send);
	expect(retry.items.map((item) => item.json.delivery ?? 'sent')).toEqual([
		'sent',
		'unknown',
		'sent',
		'sent',
	]);
	expect(String(retry.items[1].json.error)).toMatch(/item 1, to wxid_to1/);
	expect(sentTo('wxid_to1')).toHaveLength(1);
	expect(sims.plain.messages).toHaveLength(4);
});

test('control: the same retry without coordination, on another process, sends items twice', async () => {
	sims.plain.addFault({ action: 'ret', ret: -1, nth: 3 });
	const b = batch('alone-rej', 4);
	const send = { baseUrl: sims.plain.url, executionId: 'exec-alone-1', options: { retries: 0 } };
	await sendBatch(b, send);
	await asAnotherProcess();
	await sendBatch(b, send);
	expect(sentTo('wxid_to0')).toHaveLength(2);
});

test('Redis unreachable: nothing is sent, the item fails naming the store and saying so', async () => {
	const port = await closedPort();
	const started = Date.now();
	const run = await sendBatch(batch('no-redis', 2), {
		baseUrl: sims.plain.url,
		credentials: { coordinationRedisUrl: `redis://:pa55word@127.0.0.1:${port}/0` },
		continueOnFail: true,
	});
	expect(sims.plain.calls).toHaveLength(0);
	expect(run.items.map((item) => item.json.delivery)).toEqual(['notSent', 'notSent']);
	const message = String(run.items[0].json.error);
	expect(message).toContain(`coordination store (Redis at 127.0.0.1:${port}/0) did not answer`);
	expect(message).toContain('Nothing was sent for this message');
	expect(message).toContain('(item 0, to wxid_to0)');
	expect(JSON.stringify(run.items)).not.toContain('pa55word');
	// bounded: about 5 s per message, not forever
	expect(Date.now() - started).toBeLessThan(20_000);
});

test('a Coordination Redis URL that is not one fails naming the field, before anything is sent', async () => {
	const run = await sendBatch(batch('bad-url', 1), {
		baseUrl: sims.plain.url,
		credentials: { coordinationRedisUrl: 'http://127.0.0.1:6379' },
	});
	expect(run.error?.message).toMatch(
		/"Coordination Redis URL" must start with redis:\/\/ or rediss:\/\//,
	);
	expect(sims.plain.calls).toHaveLength(0);
});

test('Redis stopped mid-run: the messages during the outage fail as not sent, none goes out unpaced, sending resumes when it is back', async () => {
	const server = await startRedis();
	try {
		const b = batch('outage', 1, () => Array.from({ length: 8 }, (_, i) => `wxid_out${i}`));
		const running = sendBatch(b, {
			baseUrl: sims.plain.url,
			credentials: { coordinationRedisUrl: server.url },
			options: { messageInterval: 300, maxRecipientsPerMinute: 0 },
			continueOnFail: true,
		});
		const deadline = Date.now() + 20_000;
		while (sims.plain.messages.length < 2 && Date.now() < deadline)
			await new Promise((resolve) => setTimeout(resolve, 10));
		await server.stop();
		const stoppedAt = Date.now();
		// longer than two bounded waits: the write after a send may absorb one (it fails quietly,
		// the entry stays uncertain), the next message's own call then fails
		await new Promise((resolve) => setTimeout(resolve, 12_000));
		await server.start();
		const backAt = Date.now();
		const run = await running;
		const outcomes = run.items.map((item) => item.json.delivery ?? 'sent');
		expect(outcomes.filter((o) => o === 'notSent').length).toBeGreaterThanOrEqual(1);
		expect(outcomes.filter((o) => o === 'sent').length).toBe(sims.plain.messages.length);
		const at = sims.plain.messages.map((m) => m.receivedAt);
		expect(at.filter((t) => t > stoppedAt + 50 && t < backAt)).toEqual([]);
		expect(at.some((t) => t > backAt)).toBe(true);
		for (let i = 1; i < at.length; i++)
			expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(300 * 0.75);
	} finally {
		await server.remove();
	}
});
