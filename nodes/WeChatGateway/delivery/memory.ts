import { GatewayError } from '../transport/errors';
import {
	CoordinationUnavailableError,
	type LedgerEntry,
	type PacingPolicy,
} from '../coordination/store';
import type { SendContext } from './deliver';
import { PacingAbortedError, sleep } from './pacer';

/** How one message is paced and remembered in the run ledger. */
export interface Memory {
	lookup(): Promise<LedgerEntry | undefined>;
	record(entry: LedgerEntry): Promise<void>;
	/** Before the gateway gets the message: a process that dies now leaves it uncertain. */
	aboutToSend(): Promise<void>;
	/** The message surely did not go out (and no earlier attempt may have sent it). */
	notSent(): Promise<void>;
	/** Waits for a turn; then `onTime` says whether it may still be used. */
	waitForTurn(): Promise<void>;
	/**
	 * Whether the turn just waited for is still now. A process that was busy between taking a turn
	 * and getting here (its event loop blocked by other executions) would send late, closer to
	 * the next turn than the interval (its own next message's, another execution's or another
	 * worker's): then this turn is given back and a new one taken.
	 */
	onTime(): Promise<boolean>;
	/** Hands back the turn just waited for: the message does not go on it. */
	giveBackTurn(): Promise<void>;
}

/** Written before a call when the ledger is shared: what a retry finds if this process dies. */
const IN_FLIGHT = new GatewayError(
	'dropped',
	'The process that sent this message stopped before the gateway answered: it may have been delivered',
	'unknown',
);

/**
 * How late a turn may still be used. Turns are spaced by twice this beyond the interval, so a
 * turn used this late, plus the trip to the gateway, still lands an interval after the one
 * before it. The same in one process as across workers: a process's timer that wakes late
 * brings its send closer to the next one just as another worker's would.
 */
export function turnLatenessMs(intervalMs: number): number {
	return Math.max(5, Math.min(50, intervalMs * 0.1));
}

/** Late turns given back in a row before the message fails (not sent) instead of waiting on. */
export const MAX_LATE_TURNS = 4;

/** Where one message is paced (its recipient) and remembered (its slot in the run's ledger). */
export interface MessagePlace {
	itemIndex: number;
	recipient: string;
	slot: string;
}

export function memoryFor(
	{ store, run, signal }: Pick<SendContext, 'store' | 'run' | 'signal'>,
	{ itemIndex, recipient, slot }: MessagePlace,
	account: string,
	pacing: PacingPolicy,
): Memory {
	const paced = pacing.intervalMs > 0 || pacing.maxRecipientsPerMinute > 0;
	// In one process the ledger dies with the process that writes it: writing ahead buys
	// nothing there.
	const ahead = store.shared && run !== undefined;
	const lateness = turnLatenessMs(pacing.intervalMs);
	const spaced = { ...pacing, intervalMs: pacing.intervalMs + 2 * lateness };
	let dueAt = Number.NEGATIVE_INFINITY;
	let giveBack: (() => Promise<void>) | undefined;
	let lateTurns = 0;
	return {
		lookup: async () => (run ? await store.lookupInRun(run, itemIndex, slot) : undefined),
		// After the call, a failed write must not turn a sent message into an error: the entry
		// written before the call (uncertain) stays, and a retry does not send it again.
		record: async (entry) => {
			if (run) await store.recordInRun(run, itemIndex, slot, entry).catch(() => undefined);
		},
		aboutToSend: async () => {
			if (ahead)
				await store.recordInRun(run, itemIndex, slot, { state: 'uncertain', error: IN_FLIGHT });
		},
		notSent: async () => {
			if (ahead) await store.forgetInRun(run, itemIndex, slot).catch(() => undefined);
		},
		onTime: async () => {
			if (!paced || performance.now() - dueAt <= lateness) {
				lateTurns = 0;
				return true;
			}
			// Given back (it is free again unless someone reserved after it); a failure to give
			// it back fails the message like any other failure of the store.
			await giveBack?.();
			if (++lateTurns < MAX_LATE_TURNS) return false;
			throw new CoordinationUnavailableError(
				store.description,
				`this process was more than ${lateness} ms late for ${MAX_LATE_TURNS} turns in a row (it is too busy), and a late send would land closer than the interval to the one after it`,
				'unsupported',
			);
		},
		giveBackTurn: async () => {
			// Best effort: a turn left taken only delays the account's next one.
			await giveBack?.().catch(() => undefined);
			giveBack = undefined;
		},
		waitForTurn: async () => {
			// A stopped execution takes no turn: its remaining items must not push back the
			// account's next execution by one interval each.
			if (signal?.aborted) throw new PacingAbortedError();
			if (!paced) return;
			const turn = await store.reserveTurn(account, recipient, spaced);
			// From when the answer came: the turn is never earlier than this on Redis's clock.
			dueAt = performance.now() + turn.waitMs;
			giveBack = turn.giveBack;
			const stopped = await failureOf(sleep(dueAt - performance.now(), signal));
			if (stopped !== undefined) {
				// Stopped: that is the outcome; a turn left taken only delays the account's next one.
				await turn.giveBack().catch(() => undefined);
				throw stopped;
			}
		},
	};
}

/** The error a promise failed with, or undefined when it succeeded. */
export function failureOf(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => undefined,
		(error: unknown) => error ?? new Error('failed without a reason'),
	);
}
