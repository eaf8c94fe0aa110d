import type { GatewayError } from '../transport/errors';

/**
 * The coordination store: everything the node remembers beyond one message, behind one
 * interface. Three memories live in it:
 * - turns: when each account may send next (pacing, across items, executions and workflows);
 * - the run ledger: what one node run sent, so n8n's Retry On Fail does not send it again;
 * - sent records: what an account sent across executions (Skip Duplicates Within, n8n's Retry
 *   of a failed execution), under keys that are digests already (`keyDigest`), so a store
 *   keeps them as given: short, and the very names a Redis written by an earlier release holds.
 * And one for the trigger: sightings, the message ids some process already emitted.
 *
 * Two implementations: InProcessStore (this n8n process's memory) and RedisStore (shared by
 * every process on one Redis, for n8n's queue mode). `storeFor` (settings.ts) picks one from
 * the credential.
 */
export interface CoordinationStore {
	/** Whether other processes see what this store holds (then a process may die mid-send). */
	readonly shared: boolean;
	/** Where it is, without any secret, for error messages. */
	readonly description: string;

	reserveTurn(account: string, recipient: string, policy: PacingPolicy): Promise<Turn>;

	lookupInRun(run: string, itemIndex: number, slot: string): Promise<LedgerEntry | undefined>;
	recordInRun(run: string, itemIndex: number, slot: string, entry: LedgerEntry): Promise<void>;
	/** The message surely did not go out: its entry written before the call is taken back. */
	forgetInRun(run: string, itemIndex: number, slot: string): Promise<void>;
	/** The run ended in a way n8n does not retry: nothing of it will be asked for again. */
	forgetRun(run: string): Promise<void>;

	/**
	 * Writes `record` under each key unless the first key holds one written at or after
	 * `notBefore`; returns that one instead (nothing is written then). Atomic: of two
	 * executions claiming one message at once, one gets it.
	 */
	claimSent(
		keys: readonly string[],
		record: SentRecord,
		keepMs: number,
		notBefore: number,
	): Promise<SentRecord | undefined>;
	recallSent(key: string): Promise<SentRecord | undefined>;
	/** Writes `record` under each key, replacing what is there. */
	rememberSent(keys: readonly string[], record: SentRecord, keepMs: number): Promise<void>;
	/** Takes back the records under `keys` that `token` wrote (the message surely did not go out). */
	releaseSent(keys: readonly string[], token: string): Promise<void>;

	/** True only for the first caller to see `id` in `scope` within `keepMs`. */
	firstSighting(scope: string, id: string, keepMs: number): Promise<boolean>;

	close(): Promise<void>;
}

/** How one account's messages are spaced. */
export interface PacingPolicy {
	intervalMs: number;
	maxRecipientsPerMinute: number;
	/** Extra random share of the interval, so sends never tick like a machine. */
	jitterRatio?: number;
}

/** A turn taken for one message: when it may go, and how to hand it back if it never does. */
export interface Turn {
	/** How long to wait, from now, before sending. */
	waitMs: number;
	/** When the turn is, in epoch ms on the store's clock (for diagnostics and tests). */
	turnAt: number;
	/** Gives the turn back if nobody reserved after it (it was not used). */
	giveBack(): Promise<void>;
}

/**
 * One message in the run ledger. `uncertain`: it may have gone out (the gateway's answer was
 * lost, or the process died while the gateway had it); it is never sent blind a second time.
 */
export type LedgerEntry =
	/** `result`: what the gateway's answer gave, as the output item shows it. */
	{ state: 'sent'; result: Record<string, unknown> } | { state: 'uncertain'; error: GatewayError };

/**
 * A run is (execution, node, run index): n8n's retries keep the run index, while a loop that
 * runs the node again with new items gets a new one, so a loop never mistakes its second round
 * for a retry of the first. Within a run, a message is (item index, slot): the retry gets the
 * same items, so that pair is the same message even when an expression in it (a time, a random
 * id) renders differently the second time.
 */
export interface RunIdentity {
	executionId: string;
	nodeName: string;
	runIndex: number;
}

export function runKey({ executionId, nodeName, runIndex }: RunIdentity): string {
	return [executionId, nodeName, runIndex].join('\u0000');
}

/** The run ledger keeps a run an hour: far beyond Retry On Fail's 5 tries of at most 5 s. */
export const RUN_KEEP_MS = 60 * 60 * 1000;

/**
 * One message in the sent records. Written `uncertain` before the message goes to the gateway
 * and replaced by `sent`, or taken back when it surely did not go. `token` says which attempt
 * wrote it, so an attempt takes back only its own.
 */
export interface SentRecord {
	state: 'sent' | 'uncertain';
	/** When it was written, epoch ms (the window counts from here). */
	at: number;
	token: string;
	executionId: string;
	/** The output fields of the send (NewMsgId, ClientMsgId, …) when `sent`. */
	result?: Record<string, unknown>;
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

/** What the trigger needs of a store: whether an id is seen for the first time. */
export type SeenIdsStore = Pick<CoordinationStore, 'firstSighting'>;
