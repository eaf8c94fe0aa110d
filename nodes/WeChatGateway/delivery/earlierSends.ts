import { createHash, randomBytes } from 'node:crypto';

import type { CoordinationStore, SentRecord } from '../coordination/store';
import { keyDigest } from '../digest';
import type { GatewayCall } from '../transport/client';
import { jsonPieces, type JsonBody } from '../transport/exactJson';
import { MAX_DUPLICATE_WINDOW_MINUTES } from './options';

/**
 * How long a message is remembered: the longest window, and how long after a failed execution
 * n8n's Retry still skips what it sent.
 */
export const SENT_KEEP_MS = MAX_DUPLICATE_WINDOW_MINUTES * 60_000;

/**
 * Where one node run stands among executions: who it is, and, when n8n retries a failed
 * execution, which one. n8n gives a node `getMode()` ('retry') publicly; the id of the execution
 * retried is only on the execution's lifecycle hooks (see `retriedExecutionOf`).
 */
export interface ExecutionScope {
	/** Skip Duplicates Within, in ms; 0 = off. */
	windowMs: number;
	executionId: string;
	workflowId: string;
	nodeName: string;
	/** The run is n8n's retry of a failed execution. */
	retry: boolean;
	/** The execution it retries, when n8n lets the node see it. */
	retryOf?: string;
	/**
	 * n8n lets the node see which execution a retry retries (the same n8n will show it to the
	 * retry): then the workflow-wide fallback is neither needed nor written.
	 */
	retryOfReachable: boolean;
}

/** An earlier send of the same message, found before this one went out: it is not sent. */
export interface EarlierSend {
	entry: SentRecord;
	/** `window`: within Skip Duplicates Within; `retry`: the failed execution sent it. */
	foundBy: 'window' | 'retry';
}

/**
 * One message's place in the memory. Looked up before its turn (reads only); claimed just
 * before the call, once its turn has come, so a process that dies while waiting for the turn
 * leaves nothing behind that would stop a later execution from sending it.
 */
export interface MessageClaim {
	/** Found before the turn: the message is not sent. */
	earlier?: EarlierSend;
	/**
	 * Writes the message down as under way (uncertain), unless another execution got there
	 * first: then returns its send, writes nothing for this one, and the message is not sent.
	 * Held until `notSent`; taking it again while held does nothing.
	 */
	take(): Promise<EarlierSend | undefined>;
	sent(result: Record<string, unknown>): Promise<void>;
	/** It surely did not go out (rejected, or never written): the entry made before is taken back. */
	notSent(): Promise<void>;
}

/**
 * What WeChat would show: the cgi command and its whole request, recipient included, as the
 * SHA-256 of the exact JSON the gateway receives (a 64-bit integer as its bare digits, so the
 * fingerprint is the same in every process). The node builds a request from the item's
 * parameters alone (no time, no random id), so the same content to the same chat gives the same
 * fingerprint in every execution. Hashed piece by piece: a picture's base64 is never copied whole.
 *
 * `body`: the call's request body when it is already written. A cgi to `/v2/api` posts exactly
 * the call's exact JSON, so that text is hashed instead of being written a second time.
 */
export function fingerprintOf(call: GatewayCall, body?: JsonBody): string {
	const hash = createHash('sha256');
	if (typeof body === 'string' && !('path' in call) && !('method' in call)) hash.update(body);
	else for (const piece of jsonPieces(call, { exactIntegers: true })) hash.update(piece);
	return hash.digest('hex');
}

/**
 * Where a message is written down among executions, as digests (`keyDigest`): `window` (this
 * account, this chat, this content), `own` (this execution's node and item index, and, when a
 * retry cannot see which execution it retries, the workflow's), and what a retry looks up.
 * Made before the message's turn, since they need nothing but the message and the run.
 */
export interface SentKeys {
	window: string;
	own: readonly string[];
	/** `window`, then `own`: what a message under way is written down as. */
	all: readonly string[];
	/** Where a retry of this run finds what the failed execution sent. */
	retried?: string;
}

export function sentKeysOf(
	scope: ExecutionScope,
	account: string,
	itemIndex: number,
	recipient: string,
	fingerprint: string,
): SentKeys {
	const inExecution = (executionId: string) =>
		keyDigest(
			['execution', executionId, scope.nodeName, itemIndex, account, fingerprint].join('\u0000'),
		);
	// Needed only where n8n does not let a retry see the execution it retries.
	const workflowKey = () =>
		keyDigest(
			['workflow', scope.workflowId, scope.nodeName, itemIndex, account, fingerprint].join(
				'\u0000',
			),
		);
	const window = keyDigest(['window', account, recipient, fingerprint].join('\u0000'));
	const own = scope.retryOfReachable
		? [inExecution(scope.executionId)]
		: [inExecution(scope.executionId), workflowKey()];
	return {
		window,
		own,
		all: [window, ...own],
		retried: scope.retry ? (scope.retryOf ? inExecution(scope.retryOf) : workflowKey()) : undefined,
	};
}

/**
 * The execution n8n retries, read from where n8n keeps it: the lifecycle hooks of the
 * execution (`additionalData.hooks.retryOf`, set by execution.service's retry() in the main
 * process and by the job processor on a queue-mode worker). It is not public node API, so it
 * is looked up with care, and without it the workflow's last send of the message is used.
 */
export function retriedExecutionOf(context: object): {
	reachable: boolean;
	retryOf?: string;
} {
	const hooks = (context as { additionalData?: { hooks?: { retryOf?: unknown } } }).additionalData
		?.hooks;
	// n8n-core's ExecutionLifecycleHooks always has the property, undefined outside a retry.
	if (typeof hooks !== 'object' || hooks === null || !('retryOf' in hooks))
		return { reachable: false };
	const { retryOf } = hooks;
	return {
		reachable: true,
		retryOf:
			typeof retryOf === 'string' || typeof retryOf === 'number' ? String(retryOf) : undefined,
	};
}

/**
 * Tells one attempt's records from another's: random per process (so two processes sharing a
 * Redis never collide) and counted within it, so a message pays no call into the system's
 * random source.
 */
const TOKEN_PREFIX = randomBytes(12).toString('base64');
let tokensIssued = 0;
function nextToken(): string {
	tokensIssued += 1;
	return `${TOKEN_PREFIX}${tokensIssued.toString(36)}`;
}

const NOTHING_TO_DO: Omit<MessageClaim, 'earlier'> = {
	take: async () => undefined,
	sent: async () => undefined,
	notSent: async () => undefined,
};

/**
 * Looks for an earlier send of this message; the claim it returns writes it down as under way
 * (uncertain) just before it goes, so an execution that dies while the gateway has it leaves it
 * uncertain and never unrecorded.
 *
 * Three ways find it: the window (this account, this chat, this content, however it was
 * sent); the execution a retry retries (its node, item index and content); and, when the
 * retried execution's id is not reachable, the last execution of this workflow's node that
 * sent this content at this item index. The window is looked at again, atomically, when the
 * claim is taken: of two executions racing with one message, one sends it.
 */
export async function claimMessage(
	store: CoordinationStore,
	scope: ExecutionScope,
	{ window: windowKey, own: ownKeys, all: keys, retried }: SentKeys,
	/** Retry On Fail within this run is the run ledger's: never mistaken for a duplicate. */
	retryWithinRun: boolean,
): Promise<MessageClaim> {
	const windowed = scope.windowMs > 0 && !retryWithinRun;

	const skipping = async (earlier: EarlierSend): Promise<EarlierSend> => {
		// This execution now stands for it too: a retry of this one skips it as well.
		await store.rememberSent(ownKeys, earlier.entry, SENT_KEEP_MS);
		return earlier;
	};

	if (retried !== undefined && !retryWithinRun) {
		const found = await store.recallSent(retried);
		if (found)
			return { earlier: await skipping({ entry: found, foundBy: 'retry' }), ...NOTHING_TO_DO };
	}
	if (windowed) {
		const found = await store.recallSent(windowKey);
		if (found && found.at >= Date.now() - scope.windowMs)
			return { earlier: await skipping({ entry: found, foundBy: 'window' }), ...NOTHING_TO_DO };
	}

	let held: SentRecord | undefined;
	return {
		take: async () => {
			if (held) return undefined;
			const now = Date.now();
			const entry: SentRecord = {
				state: 'uncertain',
				at: now,
				token: nextToken(),
				executionId: scope.executionId,
			};
			if (windowed) {
				const found = await store.claimSent(keys, entry, SENT_KEEP_MS, now - scope.windowMs);
				if (found) return skipping({ entry: found, foundBy: 'window' });
			} else {
				await store.rememberSent(keys, entry, SENT_KEEP_MS);
			}
			held = entry;
			return undefined;
		},
		// After the call, a failed write must not turn a sent message into an error: the
		// uncertain entry stays, and nothing sends it again.
		sent: async (result) => {
			if (held)
				await store
					.rememberSent(keys, { ...held, state: 'sent', result }, SENT_KEEP_MS)
					.catch(() => undefined);
		},
		notSent: async () => {
			const token = held?.token;
			held = undefined;
			if (token) await store.releaseSent(keys, token).catch(() => undefined);
		},
	};
}
