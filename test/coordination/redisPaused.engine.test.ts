/**
 * Redis frozen (SIGSTOP) in the middle of a paced run through n8n's engine, thawed (SIGCONT)
 * a few seconds later, and n8n's Retry On Fail running the node again: what was sent before
 * the freeze is not sent again, what failed during it is sent by the retry (nothing refused as
 * "uncertain" because of a write that arrived late), and the pace holds at the gateway.
 */
import { account, recordAccounting, violations } from '../support/accounting';
import { batch, sendBatch, slotsOf } from '../support/engine';
import { useRedis } from '../support/redis';
import { useSimulators } from '../support/simulators';

jest.setTimeout(120_000);

const sims = useSimulators({ plain: {} }, { clientGraceMs: 300 });
const redis = useRedis();

test('frozen mid-run, thawed, retried: every recipient gets the message once, none refused, the pace held', async () => {
	const interval = 300;
	const recipients = Array.from({ length: 8 }, (_, i) => `wxid_frozen${i}`);
	const b = batch('frozen', 1, () => recipients);
	const running = sendBatch(b, {
		baseUrl: sims.plain.url,
		credentials: { coordinationRedisUrl: redis.server.url },
		options: { messageInterval: interval, maxRecipientsPerMinute: 0, retries: 0 },
		retryOnFail: { maxTries: 4, waitBetweenTries: 1000 },
	});
	const deadline = Date.now() + 30_000;
	while (sims.plain.messages.length < 2 && Date.now() < deadline)
		await new Promise((resolve) => setTimeout(resolve, 10));
	// Frozen between two messages, not between a message's answer and the write that records it
	// as sent: that write failing would leave the message rightly "may have been delivered".
	await new Promise((resolve) => setTimeout(resolve, interval / 2));
	redis.server.pause();
	// longer than a call's bound (5 s): the calls of that time fail, their writes stay queued
	await new Promise((resolve) => setTimeout(resolve, 7000));
	redis.server.resume();
	const run = await running;
	const accounting = recordAccounting(
		'Coordination store (Redis)',
		'Redis frozen (SIGSTOP) for 7 s mid-run, thawed, Retry On Fail',
		account(slotsOf(b), run, sims.plain.messages),
	);
	expect(violations(accounting)).toEqual([]);

	expect(run.error).toBeUndefined();
	const received = sims.plain.messages.map((m) => m.toUserName);
	expect([...received].sort()).toEqual([...recipients].sort());
	expect(run.items.map((item) => item.json.error)).toEqual([undefined]);
	const at = sims.plain.messages.map((m) => m.receivedAt);
	for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(interval);
});
