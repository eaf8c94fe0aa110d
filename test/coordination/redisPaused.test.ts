/**
 * A Redis that stops answering without closing its connections (a frozen process, a stalled
 * network, a long fork): every call fails within its bound, and none of the commands it had
 * already sent takes effect when Redis wakes up. A late reservation would push the account's
 * pace back, a late "about to send" or claim would mark a never-sent message as uncertain, and
 * a late delete would remove a newer entry. The Redis here is real and frozen with SIGSTOP.
 */
import Redis from 'ioredis';

import { RedisStore } from '../../nodes/WeChatGateway/coordination/redisStore';
import { CoordinationUnavailableError } from '../../nodes/WeChatGateway/coordination/store';
import { useRedis } from '../support/redis';

jest.setTimeout(60_000);

const redis = useRedis();
const stores: RedisStore[] = [];
afterAll(async () => {
	await Promise.all(stores.map((store) => store.close()));
});
const storeOn = (answerWithinMs: number) => {
	const store = new RedisStore(redis.server.url, { answerWithinMs });
	stores.push(store);
	return store;
};

const failureOf = (promise: Promise<unknown>) =>
	promise.then(
		() => undefined,
		(error: unknown) => error,
	);

/** How many scripts Redis refused because they came after their caller stopped waiting. */
async function lateRefusals(): Promise<number> {
	const observer = new Redis(redis.server.url);
	try {
		const stats = await observer.info('errorstats');
		return Number(/errorstat_LATE:count=(\d+)/.exec(stats)?.[1] ?? 0);
	} finally {
		observer.disconnect();
	}
}

test('calls made while Redis is frozen fail in time, and none of them takes effect when it thaws', async () => {
	const store = storeOn(800);
	const minute = { intervalMs: 60_000, maxRecipientsPerMinute: 0, jitterRatio: 0 };
	const run = 'exec-paused\u0000WeChat\u00000';
	const first = await store.reserveTurn('frozen-account', 'wxid_a', minute);
	await store.recordInRun(run, 0, 'wxid_a', { state: 'sent', result: { NewMsgId: '1' } });
	const refusedBefore = await lateRefusals();

	redis.server.pause();
	try {
		const startedAt = Date.now();
		const during = [
			store.reserveTurn('frozen-account', 'wxid_b', minute),
			store.recordInRun(run, 1, 'wxid_b', { state: 'sent', result: { NewMsgId: '2' } }),
			store.forgetInRun(run, 0, 'wxid_a'),
			store.claimSent(
				['frozen-window', 'frozen-own'],
				{ state: 'uncertain', at: Date.now(), token: 't1', executionId: 'e1' },
				60_000,
				0,
			),
			store.firstSighting('frozen-trigger', '42', 60_000),
		].map(failureOf);
		// and many more once the connection is known to be gone: none of them may queue up
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const afterDrop = Array.from({ length: 200 }, (_, i) =>
			failureOf(store.reserveTurn('frozen-account', `wxid_queued${i}`, minute)),
		);
		const failures = await Promise.all([...during, ...afterDrop]);
		for (const failure of failures) expect(failure).toBeInstanceOf(CoordinationUnavailableError);
		// each within its own bound (0.8 s), not when Redis comes back
		expect(Date.now() - startedAt).toBeLessThan(10_000);
	} finally {
		redis.server.resume();
	}

	// back: the store answers again on its own
	const deadline = Date.now() + 15_000;
	let probe: unknown = new Error('not tried');
	while (probe !== undefined && Date.now() < deadline)
		probe = await failureOf(store.firstSighting('probe', String(Date.now()), 1000));
	expect(probe).toBeUndefined();

	// the pace: the next turn is one interval after the last one taken in time, not two
	const next = await store.reserveTurn('frozen-account', 'wxid_c', minute);
	expect(next.turnAt - first.turnAt).toBe(60_000);
	// the ledger: the newer entry is still there, the late one never written
	expect(await store.lookupInRun(run, 0, 'wxid_a')).toEqual({
		state: 'sent',
		result: { NewMsgId: '1' },
	});
	expect(await store.lookupInRun(run, 1, 'wxid_b')).toBeUndefined();
	// the sent-message memory and the sightings: nothing claimed, nothing seen
	expect(await store.recallSent('frozen-own')).toBeUndefined();
	expect(await store.firstSighting('frozen-trigger', '42', 60_000)).toBe(true);
	// the commands that were on their way when Redis froze did reach it: refused, not lost
	expect((await lateRefusals()) - refusedBefore).toBeGreaterThanOrEqual(5);
});
