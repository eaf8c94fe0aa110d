/**
 * The pacer's arithmetic with a controlled clock: the margin for a late turn, jitter bounds, the
 * distinct-recipients limit over a sliding minute, and stopping while waiting. (Real spacing is
 * measured at the gateway in pacing.engine.test.ts.)
 */
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import type { PacingPolicy } from '../../nodes/WeChatGateway/coordination/store';
import { memoryFor, turnLatenessMs } from '../../nodes/WeChatGateway/delivery/memory';
import { PacingAbortedError } from '../../nodes/WeChatGateway/delivery/pacer';

/** The jitter share the next turn takes (the store asks for it when it reserves). */
let nextRandom = 0;
let store: InProcessStore;
beforeEach(() => {
	jest.useFakeTimers({ now: 1_000_000 });
	store = new InProcessStore({ now: Date.now, random: () => nextRandom });
});
afterEach(() => jest.useRealTimers());

/** Starts a wait, as deliver() does for one message, and reports the fake-clock time it resolved at. */
function turn(
	account: string,
	recipient: string,
	policy: PacingPolicy,
	random = 0,
	signal?: AbortSignal,
) {
	const state: { at?: number; error?: unknown } = {};
	nextRandom = random;
	const place = { itemIndex: 0, recipient, slot: recipient };
	const promise = memoryFor({ store, signal }, place, account, policy)
		.waitForTurn()
		.then(
			() => {
				state.at = Date.now();
			},
			(error: unknown) => {
				state.error = error;
			},
		);
	return { state, promise };
}

async function settle() {
	// Let resolved promises run their continuations.
	for (let i = 0; i < 5; i++) await Promise.resolve();
}

/**
 * A turn may be used up to turnLatenessMs late (a busy event loop), so turns are spaced by twice
 * that beyond the interval: a late send still lands an interval before the next one.
 */
const SPACED = 1000 + 2 * turnLatenessMs(1000);

test('turns are the interval plus the lateness margin apart, and at most 30% jitter more', async () => {
	const policy = { intervalMs: 1000, maxRecipientsPerMinute: 0 };
	const start = Date.now();
	const first = turn('acct', 'a', policy, 0.5);
	const second = turn('acct', 'b', policy, 0);
	const third = turn('acct', 'c', policy, 0.5);
	await jest.advanceTimersByTimeAsync(0);
	await settle();
	expect(first.state.at).toBe(start);
	// The first turn took half the largest jitter: the next one waits 15 % more.
	const jitter = SPACED * 0.15;
	await jest.advanceTimersByTimeAsync(SPACED + jitter - 1);
	expect(second.state.at).toBeUndefined();
	await jest.advanceTimersByTimeAsync(1);
	await settle();
	expect(second.state.at).toBe(start + SPACED + jitter);
	// No jitter after the second: the third comes exactly one spacing later.
	await jest.advanceTimersByTimeAsync(SPACED - 1);
	expect(third.state.at).toBeUndefined();
	await jest.advanceTimersByTimeAsync(1);
	await settle();
	expect(third.state.at).toBe(start + 2 * SPACED + jitter);
});

test('accounts are paced independently', async () => {
	const policy = { intervalMs: 1000, maxRecipientsPerMinute: 0 };
	const a1 = turn('acct-1', 'x', policy);
	const b1 = turn('acct-2', 'x', policy);
	await jest.advanceTimersByTimeAsync(0);
	await settle();
	expect(a1.state.at).toBe(b1.state.at);
});

test('a 13th different recipient within a minute waits until the oldest of the 12 is a minute old', async () => {
	const policy = { intervalMs: 0, maxRecipientsPerMinute: 12 };
	// Without an interval, turns are still apart by the lateness margin.
	const margin = 2 * turnLatenessMs(0);
	const start = Date.now();
	const firstTwelve = Array.from({ length: 12 }, (_, i) => turn('acct', `wxid_${i}`, policy));
	// The same chat again does not count as a new recipient.
	const again = turn('acct', 'wxid_5', policy);
	const thirteenth = turn('acct', 'wxid_new', policy);
	await jest.advanceTimersByTimeAsync(12 * margin);
	await settle();
	for (const [i, t] of [...firstTwelve, again].entries())
		expect(t.state.at).toBe(start + i * margin);
	await jest.advanceTimersByTimeAsync(59_999 - 12 * margin);
	expect(thirteenth.state.at).toBeUndefined();
	await jest.advanceTimersByTimeAsync(1);
	await settle();
	expect(thirteenth.state.at).toBe(start + 60_000);
});

test('stopping while waiting for a turn ends the wait at once', async () => {
	const policy = { intervalMs: 10_000, maxRecipientsPerMinute: 0 };
	const controller = new AbortController();
	turn('acct', 'a', policy, 0, controller.signal);
	const waiting = turn('acct', 'b', policy, 0, controller.signal);
	await jest.advanceTimersByTimeAsync(10);
	controller.abort();
	await settle();
	expect(waiting.state.error).toBeInstanceOf(PacingAbortedError);
	expect(waiting.state.at).toBeUndefined();
});

test('an execution already stopped gets no turn, even with pacing off', async () => {
	const controller = new AbortController();
	controller.abort();
	const t = turn('acct', 'a', { intervalMs: 0, maxRecipientsPerMinute: 0 }, 0, controller.signal);
	await settle();
	expect(t.state.error).toBeInstanceOf(PacingAbortedError);
});

test('a stopped execution does not push back the account: its unsent items reserve no turns', async () => {
	const policy = { intervalMs: 1000, maxRecipientsPerMinute: 0 };
	const controller = new AbortController();
	const start = Date.now();
	turn('acct', 'a', policy, 0, controller.signal); // takes the turn at start
	const waiting = turn('acct', 'b', policy, 0, controller.signal); // waits for start + SPACED
	await jest.advanceTimersByTimeAsync(10);
	controller.abort();
	// The stopped run's remaining 100 items each ask for a turn, and are refused.
	const rest = Array.from({ length: 100 }, (_, i) =>
		turn('acct', `r${i}`, policy, 0, controller.signal),
	);
	await settle();
	expect(waiting.state.error).toBeInstanceOf(PacingAbortedError);
	for (const r of rest) expect(r.state.error).toBeInstanceOf(PacingAbortedError);
	// The next execution's first message goes one spacing after the last sent one, not 101 later.
	const next = turn('acct', 'c', policy);
	await jest.advanceTimersByTimeAsync(SPACED - 10);
	await settle();
	expect(next.state.at).toBe(start + SPACED);
});
