/**
 * Redis frozen (SIGSTOP) in the middle of a paced run through n8n's engine, thawed (SIGCONT)
 * a few seconds later, and n8n's Retry On Fail running the node again: what was sent before
 * the freeze is not sent again, what failed during it is sent by the retry (nothing refused as
 * "uncertain" because of a write that arrived late), and the pace holds at the gateway, measured
 * as the pacing suite measures it (test/support/spacing.ts: the simulator in its own process).
 */
import { account, recordAccounting, violations } from '../support/accounting';
import { batch, sendBatch, slotsOf } from '../support/engine';
import { setClientGraceMs } from '../support/node';
import { useRedis } from '../support/redis';
import { sleep, startSimulatorProcess, type RemoteSimulator } from '../support/simulators';
import { expectSpaced, gaps } from '../support/spacing';

jest.setTimeout(120_000);

const redis = useRedis();
let sim: RemoteSimulator;
beforeAll(async () => {
	setClientGraceMs(300);
	sim = await startSimulatorProcess();
});
afterAll(async () => {
	setClientGraceMs();
	await sim.close();
});

test('frozen mid-run, thawed, retried: every recipient gets the message once, none refused, the pace held', async () => {
	const interval = 300;
	const recipients = Array.from({ length: 8 }, (_, i) => `wxid_frozen${i}`);
	const b = batch('frozen', 1, () => recipients);
	const running = sendBatch(b, {
		baseUrl: sim.url,
		credentials: { coordinationRedisUrl: redis.server.url },
		options: { messageInterval: interval, maxRecipientsPerMinute: 0, retries: 0 },
		retryOnFail: { maxTries: 4, waitBetweenTries: 1000 },
	});
	const deadline = Date.now() + 30_000;
	while ((await sim.messages()).length < 2 && Date.now() < deadline) await sleep(10);
	// Frozen between two messages, not between a message's answer and the write that records it
	// as sent: that write failing would leave the message rightly "may have been delivered".
	await sleep(interval / 2);
	redis.server.pause();
	// longer than a call's bound (5 s): the calls of that time fail, their writes stay queued
	await sleep(7000);
	redis.server.resume();
	const run = await running;
	const messages = await sim.messages();
	const accounting = recordAccounting(
		'Coordination store (Redis)',
		'Redis frozen (SIGSTOP) for 7 s mid-run, thawed, Retry On Fail',
		account(slotsOf(b), run, messages),
	);
	expect(violations(accounting)).toEqual([]);

	expect(run.error).toBeUndefined();
	const received = messages.map((m) => m.toUserName);
	expect([...received].sort()).toEqual([...recipients].sort());
	expect(run.items.map((item) => item.json.error)).toEqual([undefined]);
	expectSpaced(gaps((await sim.calls()).map((c) => c.receivedAt)), interval);
});
