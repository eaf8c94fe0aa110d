import type { PacingPolicy } from '../delivery/pacer';
import type { LedgerEntry } from '../delivery/sentLedger';

/**
 * What must be shared when the node runs in more than one process (n8n queue mode): an
 * account's turns, a node run's sent ledger, and the trigger's recently seen messages. The
 * in-process pacer and ledger keep these in memory; a coordination store keeps them in Redis,
 * so every worker sees the same account pace and the same record of what went out.
 */

/** A turn taken for one message: when it may go, and how to hand it back if it never does. */
export interface PaceReservation {
	/** How long to wait, from now, before sending. */
	waitMs: number;
	/** When the turn is, in epoch ms on the store's clock (for diagnostics and tests). */
	turnAt: number;
	/** Gives the turn back if nobody reserved after it (the execution was stopped while waiting). */
	giveBack(): Promise<void>;
}

export interface PaceStore {
	reserve(account: string, recipient: string, policy: PacingPolicy): Promise<PaceReservation>;
}

/**
 * A ledger entry as stored: `sent` and `uncertain` as in the in-process ledger. A message is
 * recorded `uncertain` before it is handed to the gateway, so a process that dies while the
 * gateway has it leaves it uncertain, never forgotten.
 */
export interface RunLedgerStore {
	lookup(run: string, itemIndex: number, recipient: string): Promise<LedgerEntry | undefined>;
	record(run: string, itemIndex: number, recipient: string, entry: LedgerEntry): Promise<void>;
	/** The message surely did not go out: its entry written before the call is taken back. */
	forgetMessage(run: string, itemIndex: number, recipient: string): Promise<void>;
	forget(run: string): Promise<void>;
}

/** Ids seen recently (the trigger's dedupe): `firstSighting` is true only for the first caller. */
export interface SeenIdsStore {
	firstSighting(scope: string, id: string, keepMs: number): Promise<boolean>;
}

/**
 * What the account sent across executions (Skip Duplicates Within, and n8n's retry of a failed
 * execution). An entry is written `uncertain` before its message goes to the gateway and is
 * replaced by `sent` or taken back when it surely did not go, as in the run ledger. `token`
 * says which attempt wrote it, so an attempt takes back only its own entry.
 */
export interface SentMessage {
	state: 'sent' | 'uncertain';
	/** When it was written, epoch ms (the window counts from here). */
	at: number;
	token: string;
	executionId: string;
	/** The output fields of the send (NewMsgId, ClientMsgId, …) when `sent`. */
	result?: Record<string, unknown>;
}

export interface SentMessagesStore {
	/**
	 * Writes `entry` under each key unless the first key holds an entry written at or after
	 * `notBefore`; returns that entry instead (nothing is written then). Atomic: of two
	 * executions claiming one message at once, one gets it.
	 */
	claimSent(
		keys: readonly string[],
		entry: SentMessage,
		keepMs: number,
		notBefore: number,
	): Promise<SentMessage | undefined>;
	recallSent(key: string): Promise<SentMessage | undefined>;
	/** Writes `entry` under each key, replacing what is there. */
	rememberSent(keys: readonly string[], entry: SentMessage, keepMs: number): Promise<void>;
	/** Takes back the entries under `keys` that `token` wrote (the message surely did not go out). */
	releaseSent(keys: readonly string[], token: string): Promise<void>;
}

export interface CoordinationStore
	extends PaceStore,
		RunLedgerStore,
		SeenIdsStore,
		SentMessagesStore {
	/** Where it is, without any secret, for error messages. */
	readonly description: string;
}

/**
 * The store could not be reached, did not answer in time, or is a Redis too old for the node.
 * Nothing was sent for the message that needed it: without the shared pace, sending could
 * break an account's limits.
 */
export class CoordinationUnavailableError extends Error {
	constructor(
		readonly description: string,
		cause: string,
		kind: 'noAnswer' | 'unsupported' = 'noAnswer',
	) {
		super(
			`The coordination store (${description}) ${kind === 'unsupported' ? 'cannot be used' : 'did not answer'}: ${cause}. Nothing was sent for this message: without the shared pace it could go out faster than the account's limits allow`,
		);
		this.name = 'CoordinationUnavailableError';
	}
}
