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
	context: Pick<SendContext, 'store' | 'run' | 'signal'>,
	place: MessagePlace,
	account: string,
	pacing: PacingPolicy,
): Memory {
	return new MessageMemory(context, place, account, pacing);
}

/** A class, not closures: one is made for every message, its methods shared. */
class MessageMemory implements Memory {
	private readonly store: SendContext['store'];
	private readonly run: string | undefined;
	private readonly signal: AbortSignal | undefined;
	private readonly paced: boolean;
	/**
	 * In one process the ledger dies with the process that writes it: writing ahead buys
	 * nothing there.
	 */
	private readonly ahead: boolean;
	private readonly lateness: number;
	private readonly spaced: PacingPolicy;
	private dueAt = Number.NEGATIVE_INFINITY;
	private giveBack: (() => Promise<void>) | undefined;
	private lateTurns = 0;

	constructor(
		{ store, run, signal }: Pick<SendContext, 'store' | 'run' | 'signal'>,
		private readonly place: MessagePlace,
		private readonly account: string,
		pacing: PacingPolicy,
	) {
		this.store = store;
		this.run = run;
		this.signal = signal;
		this.paced = pacing.intervalMs > 0 || pacing.maxRecipientsPerMinute > 0;
		this.ahead = store.shared && run !== undefined;
		this.lateness = turnLatenessMs(pacing.intervalMs);
		this.spaced = { ...pacing, intervalMs: pacing.intervalMs + 2 * this.lateness };
	}

	async lookup(): Promise<LedgerEntry | undefined> {
		const { run, place } = this;
		return run ? await this.store.lookupInRun(run, place.itemIndex, place.slot) : undefined;
	}

	/**
	 * After the call, a failed write must not turn a sent message into an error: the entry
	 * written before the call (uncertain) stays, and a retry does not send it again.
	 */
	async record(entry: LedgerEntry): Promise<void> {
		const { run, place } = this;
		if (run)
			await this.store.recordInRun(run, place.itemIndex, place.slot, entry).catch(() => undefined);
	}

	async aboutToSend(): Promise<void> {
		const { run, place } = this;
		if (this.ahead && run)
			await this.store.recordInRun(run, place.itemIndex, place.slot, {
				state: 'uncertain',
				error: IN_FLIGHT,
			});
	}

	async notSent(): Promise<void> {
		const { run, place } = this;
		if (this.ahead && run)
			await this.store.forgetInRun(run, place.itemIndex, place.slot).catch(() => undefined);
	}

	async onTime(): Promise<boolean> {
		if (!this.paced || performance.now() - this.dueAt <= this.lateness) {
			this.lateTurns = 0;
			return true;
		}
		// Given back (it is free again unless someone reserved after it); a failure to give
		// it back fails the message like any other failure of the store.
		await this.giveBack?.();
		if (++this.lateTurns < MAX_LATE_TURNS) return false;
		throw new CoordinationUnavailableError(
			this.store.description,
			`this process was more than ${this.lateness} ms late for ${MAX_LATE_TURNS} turns in a row (it is too busy), and a late send would land closer than the interval to the one after it`,
			'unsupported',
		);
	}

	async giveBackTurn(): Promise<void> {
		// Best effort: a turn left taken only delays the account's next one.
		await this.giveBack?.().catch(() => undefined);
		this.giveBack = undefined;
	}

	async waitForTurn(): Promise<void> {
		// A stopped execution takes no turn: its remaining items must not push back the
		// account's next execution by one interval each.
		if (this.signal?.aborted) throw new PacingAbortedError();
		if (!this.paced) return;
		const turn = await this.store.reserveTurn(this.account, this.place.recipient, this.spaced);
		// From when the answer came: the turn is never earlier than this on Redis's clock.
		this.dueAt = performance.now() + turn.waitMs;
		this.giveBack = turn.giveBack;
		const stopped = await failureOf(sleep(this.dueAt - performance.now(), this.signal));
		if (stopped !== undefined) {
			// Stopped: that is the outcome; a turn left taken only delays the account's next one.
			await turn.giveBack().catch(() => undefined);
			throw stopped;
		}
	}
}

/** The error a promise failed with, or undefined when it succeeded. */
export function failureOf(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => undefined,
		(error: unknown) => error ?? new Error('failed without a reason'),
	);
}
