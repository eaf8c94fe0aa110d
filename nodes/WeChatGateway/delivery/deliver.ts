import type { GatewayCall, GatewayClient } from '../transport/client';
import { bodyOf } from '../transport/requestBody';
import { GatewayError } from '../transport/errors';
import type { JsonBody } from '../transport/exactJson';
import type { CgiReply } from '../transport/reply';
import type { CoordinationStore } from '../coordination/store';
import type { SendOptions } from './options';
import { sleep } from './pacer';
import {
	claimMessage,
	fingerprintOf,
	sentKeysOf,
	type EarlierSend,
	type ExecutionScope,
	type MessageClaim,
	type SentKeys,
} from './earlierSends';
import { failureOf, memoryFor, type Memory } from './memory';
import { backoff, retryable } from './retryRules';

/** What every message of one node run shares: the client, the options and the run's identity. */
export interface SendContext {
	client: GatewayClient;
	options: SendOptions;
	/** Where turns, the run ledger and the sent records are kept (this process, or Redis). */
	store: CoordinationStore;
	/** This node run in the run ledger (see `runKey`); without it nothing is remembered. */
	run?: string;
	/** n8n's cancel signal: a stopped execution sends nothing more. */
	signal?: AbortSignal;
	/**
	 * What the account sent in other executions (Skip Duplicates Within, n8n's retry of a failed
	 * execution); without it nothing is matched across executions.
	 */
	executions?: ExecutionScope;
}

/** One call to one recipient, and how its answer becomes the fields of the output item. */
export interface AddressedCall<Fields extends Record<string, unknown>> {
	/** Identifies the message in every memory; with `then`, the first of its two steps. */
	call: GatewayCall;
	/** The second step, made from the first step's answer: both are this one message. */
	then?(firstReply: CgiReply): GatewayCall;
	/** What the two steps are called in an error, e.g. `['upload', 'send']`. */
	steps?: readonly [string, string];
	/** A read: asking twice changes nothing, so an answer that never came is asked for again. */
	repeatable?: boolean;
	/** May throw a GatewayError, e.g. `unknown` for a Ret 0 without a message id. */
	readReply(reply: CgiReply): Fields;
	/** Names the message in the sent ledger when a recipient gets several (the parts of a text). */
	ledgerKey?: string;
	/** Sent without waiting for a pacing turn (a command the user chose not to pace). */
	unpaced?: boolean;
}

export interface Delivered<Fields> {
	fields: Fields;
	/**
	 * True when, with at-least-once delivery, an earlier attempt may already have delivered it
	 * (its answer was lost) and it was sent again: the recipient may have it twice.
	 */
	possibleDuplicate: boolean;
	/**
	 * Set when it was not sent because an earlier execution (or item) sent the same message:
	 * `fields` are then that send's, or empty when its fate was unknown.
	 */
	skipped?: EarlierSend;
}

/**
 * One attempt: the call, and for a message of two steps the second one made from the first
 * answer. Whatever befell the first step, nothing reached the chat yet: it is `notSent`.
 */
async function callOnce(
	client: GatewayClient,
	message: AddressedCall<never>,
	body: JsonBody | undefined,
): Promise<CgiReply> {
	if (!message.then) return client.call(message.call, body);
	const [first, then] = message.steps ?? ['first step', 'second step'];
	let second: GatewayCall;
	try {
		second = message.then(await client.call(message.call, body));
	} catch (error) {
		throw stepError(error, `Nothing was sent: the ${first} failed`, 'notSent');
	}
	return client
		.call(second)
		.catch((error: unknown) =>
			Promise.reject(stepError(error, `The ${first} went through, but the ${then} failed`)),
		);
}

/** A step's failure, said as such; the message's delivery stays what the step's was. */
function stepError(error: unknown, prefix: string, delivery?: 'notSent'): GatewayError {
	const text = error instanceof Error ? error.message : String(error);
	if (!(error instanceof GatewayError))
		return new GatewayError('badResponse', `${prefix}: ${text}`, delivery ?? 'unknown');
	return new GatewayError(
		error.reason,
		`${prefix}: ${text}`,
		delivery ?? error.delivery,
		error.details,
	);
}

/**
 * A message with what it needs before its turn already worked out: its request body, and where
 * it is written down among executions (a fingerprint of that body). Nothing is sent or stored
 * in making it, so the send loop makes the next one while the gateway answers this one.
 */
export interface ReadyMessage<Fields extends Record<string, unknown>> {
	itemIndex: number;
	recipient: string;
	message: AddressedCall<Fields>;
	/** Whose turns it waits for: the gateway and the account. */
	account: string;
	/** The first step's request body, sent as often as the message is tried. */
	body: JsonBody | undefined;
	/** With the context's ExecutionScope: its keys in the sent memory. */
	sentKeys?: SentKeys;
}

/** Makes a message ready; throws what its request cannot be written for (the item's error). */
export function readyMessage<Fields extends Record<string, unknown>>(
	{ client, executions }: Pick<SendContext, 'client' | 'executions'>,
	itemIndex: number,
	recipient: string,
	message: AddressedCall<Fields>,
): ReadyMessage<Fields> {
	const { settings } = client;
	const account = settings.accountKey ?? `${settings.baseUrl}\u0000${settings.wxid}`;
	const body = bodyOf(message.call);
	const sentKeys = executions
		? sentKeysOf(executions, account, itemIndex, recipient, fingerprintOf(message.call, body))
		: undefined;
	return { itemIndex, recipient, message, account, body, sentKeys };
}

/**
 * One message to one recipient, exactly as far as the gateway lets us know: paced, retried
 * only when that cannot duplicate it (unless the user chose at-least-once), and remembered for
 * n8n's own retries.
 */
export async function deliver<Fields extends Record<string, unknown>>(
	context: SendContext,
	itemIndex: number,
	recipient: string,
	message: AddressedCall<Fields>,
): Promise<Delivered<Fields>> {
	return await deliverReady(context, readyMessage(context, itemIndex, recipient, message));
}

/** deliver() of a message made ready before (see ReadyMessage). */
export async function deliverReady<Fields extends Record<string, unknown>>(
	context: SendContext,
	ready: ReadyMessage<Fields>,
): Promise<Delivered<Fields>> {
	const { options, executions } = context;
	const { itemIndex, recipient, message, account, sentKeys } = ready;
	// A command the user chose not to pace waits for no turn (a stopped execution still sends nothing).
	const pacing = message.unpaced
		? { intervalMs: 0, maxRecipientsPerMinute: 0 }
		: {
				intervalMs: options.messageInterval,
				maxRecipientsPerMinute: options.maxRecipientsPerMinute,
			};
	const place = { itemIndex, recipient, slot: message.ledgerKey ?? recipient };
	const memory = memoryFor(context, place, account, pacing);
	const earlier = await memory.lookup();
	if (earlier?.state === 'sent')
		return { fields: earlier.result as Fields, possibleDuplicate: false };
	if (earlier?.state === 'uncertain' && options.guarantee === 'atMostOnce') throw earlier.error;
	/** An attempt of this message (here or in an earlier try of the run) may have delivered it. */
	const mayBeDelivered = earlier?.state === 'uncertain';

	const claim =
		executions && sentKeys
			? await claimMessage(context.store, executions, sentKeys, earlier !== undefined)
			: undefined;
	if (claim?.earlier) return skippedFor<Fields>(claim.earlier);
	const outcome = await attempts(context, memory, ready, mayBeDelivered, claim).then(
		(delivered) => ({ delivered }),
		(error: unknown) => ({ error }),
	);
	if ('delivered' in outcome) return outcome.delivered;
	const { error } = outcome;
	// Unknown stays written down as uncertain (as before the call): treated as sent.
	if (!(error instanceof GatewayError && error.delivery === 'unknown')) await claim?.notSent();
	throw error;
}

/** A message not sent because an earlier execution sent it: that send's fields, if it has them. */
function skippedFor<Fields>(earlier: EarlierSend): Delivered<Fields> {
	const { entry } = earlier;
	const fields = (entry.state === 'sent' ? (entry.result ?? {}) : {}) as Fields;
	return { fields, possibleDuplicate: false, skipped: earlier };
}

/** The attempts of one message, paced and retried as far as that cannot duplicate it. */
async function attempts<Fields extends Record<string, unknown>>(
	context: SendContext,
	memory: Memory,
	{ message, body }: ReadyMessage<Fields>,
	anEarlierTryMayHaveDelivered: boolean,
	/** Its place across executions: taken on its turn, written alongside the run's ledger. */
	claim?: MessageClaim,
): Promise<Delivered<Fields>> {
	const { client, options, signal } = context;
	let mayBeDelivered = anEarlierTryMayHaveDelivered;

	let lastUnknown: GatewayError | undefined;
	/**
	 * Stopped (or the shared store failed) between attempts, before anything more was sent: what
	 * an earlier attempt left open is the true outcome.
	 */
	const stoppedOutcome = (stopped: unknown) => lastUnknown ?? stopped;
	for (let attempt = 0; ; attempt++) {
		let writtenAhead = false;
		for (;;) {
			const stopped = await failureOf(memory.waitForTurn());
			if (stopped !== undefined) {
				if (writtenAhead) await memory.notSent();
				throw stoppedOutcome(stopped);
			}
			// Already uncertain from an earlier attempt: that entry stays as it is.
			if (!mayBeDelivered && !writtenAhead) {
				const unrecorded = await failureOf(memory.aboutToSend());
				if (unrecorded !== undefined) throw stoppedOutcome(unrecorded);
				writtenAhead = true;
			}
			// Claimed across executions only now that its turn has come: a process that dies while
			// waiting for the turn must not leave a never-sent message claimed.
			const taken = await (claim?.take() ?? Promise.resolve(undefined)).then(
				(earlier) => ({ earlier }),
				(error: unknown) => ({ error }),
			);
			if ('error' in taken || taken.earlier) {
				await memory.giveBackTurn();
				if (writtenAhead) await memory.notSent();
				if ('error' in taken) throw stoppedOutcome(taken.error);
				return skippedFor<Fields>(taken.earlier!);
			}
			// Checked after the last wait before the call: only the call itself comes after it.
			const onTime = await memory.onTime().catch(async (tooLate: unknown) => {
				if (writtenAhead) await memory.notSent();
				throw stoppedOutcome(tooLate);
			});
			if (onTime) break;
			// Late: the claim goes back with the turn, and is taken again on the next one.
			if (!mayBeDelivered) await claim?.notSent();
		}

		const outcome = await callOnce(client, message as AddressedCall<never>, body)
			.then((reply) => ({ fields: message.readReply(reply) }))
			.catch((error: unknown) => ({ error }));
		if ('fields' in outcome) {
			// Side by side: with the store unreachable, the two writes cost one bounded wait.
			await Promise.all([
				memory.record({ state: 'sent', result: outcome.fields }),
				claim?.sent(outcome.fields),
			]);
			return { fields: outcome.fields, possibleDuplicate: mayBeDelivered };
		}
		const { error } = outcome;
		const unknown = error instanceof GatewayError && error.delivery === 'unknown';
		if (unknown) {
			mayBeDelivered = true;
			lastUnknown = error;
			await memory.record({ state: 'uncertain', error });
		} else if (!mayBeDelivered) {
			await Promise.all([memory.notSent(), claim?.notSent()]);
		}
		if (attempt < options.retries && retryable(error, options, message.repeatable)) {
			const stoppedWhileWaiting = await failureOf(sleep(backoff(error, attempt, options), signal));
			if (stoppedWhileWaiting !== undefined) throw stoppedOutcome(stoppedWhileWaiting);
			continue;
		}
		// A later attempt that surely did not send does not undo an earlier unknown.
		throw lastUnknown && !unknown ? lastUnknown : error;
	}
}
