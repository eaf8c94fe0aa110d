import { RET } from '../wechat';
import {
	GatewayError,
	type CgiCall,
	type CgiReply,
	type GatewayClient,
} from '../transport/gateway';
import type { SendOptions } from './options';
import { PacingAbortedError, sleep, waitForTurn } from './pacer';
import { lookup, record } from './sentLedger';

/** What every message of one node run shares: the client, the options and the run's identity. */
export interface SendContext {
	client: GatewayClient;
	options: SendOptions;
	/** This node run in the sent ledger (see `runKey`); without it nothing is remembered. */
	run?: string;
	/** n8n's cancel signal: a stopped execution sends nothing more. */
	signal?: AbortSignal;
}

/** One call to one recipient, and how its answer becomes the fields of the output item. */
export interface AddressedCall<Fields extends Record<string, unknown>> {
	call: CgiCall;
	/** May throw a GatewayError, e.g. `unknown` for a Ret 0 without a message id. */
	readReply(reply: CgiReply): Fields;
}

export interface Delivered<Fields> {
	fields: Fields;
	/**
	 * True when, with at-least-once delivery, an earlier attempt may already have delivered it
	 * (its answer was lost) and it was sent again: the recipient may have it twice.
	 */
	possibleDuplicate: boolean;
}

function tooFrequent(error: unknown): boolean {
	if (!(error instanceof GatewayError)) return false;
	return (
		error.details.ret === RET.tooFrequent ||
		(error.reason === 'http' && error.details.httpStatus === 429)
	);
}

function retryable(error: unknown, options: SendOptions): boolean {
	if (!(error instanceof GatewayError)) return false;
	if (error.reason === 'aborted') return false;
	if (error.delivery === 'notSent') return true;
	if (tooFrequent(error)) return true;
	return options.guarantee === 'atLeastOnce' && error.delivery === 'unknown';
}

function backoff(error: unknown, attempt: number, options: SendOptions): number {
	return options.retryDelay * (tooFrequent(error) ? 5 : 1) * 2 ** attempt;
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
	const { client, options, signal, run } = context;
	const earlier = run ? lookup(run, itemIndex, recipient) : undefined;
	if (earlier?.state === 'sent')
		return { fields: earlier.result as Fields, possibleDuplicate: false };
	if (earlier?.state === 'uncertain' && options.guarantee === 'atMostOnce') throw earlier.error;
	/** An attempt of this message (here or in an earlier try of the run) may have delivered it. */
	let mayBeDelivered = earlier?.state === 'uncertain';

	const account = `${client.settings.baseUrl}\u0000${client.settings.wxid}`;
	const pacing = {
		intervalMs: options.messageInterval,
		maxRecipientsPerMinute: options.maxRecipientsPerMinute,
	};
	let lastUnknown: GatewayError | undefined;
	/** Stopped between attempts: what an earlier attempt left open is the true outcome. */
	const stoppedOutcome = (stopped: unknown) =>
		stopped instanceof PacingAbortedError && lastUnknown ? lastUnknown : stopped;
	for (let attempt = 0; ; attempt++) {
		const stopped = await failureOf(waitForTurn(account, recipient, pacing, signal));
		if (stopped !== undefined) throw stoppedOutcome(stopped);

		const outcome = await client
			.callCgi(message.call)
			.then((reply) => ({ fields: message.readReply(reply) }))
			.catch((error: unknown) => ({ error }));
		if ('fields' in outcome) {
			if (run) record(run, itemIndex, recipient, { state: 'sent', result: outcome.fields });
			return { fields: outcome.fields, possibleDuplicate: mayBeDelivered };
		}
		const { error } = outcome;
		const unknown = error instanceof GatewayError && error.delivery === 'unknown';
		if (unknown) {
			mayBeDelivered = true;
			lastUnknown = error;
			if (run) record(run, itemIndex, recipient, { state: 'uncertain', error });
		}
		if (attempt < options.retries && retryable(error, options)) {
			const stoppedWhileWaiting = await failureOf(sleep(backoff(error, attempt, options), signal));
			if (stoppedWhileWaiting !== undefined) throw stoppedOutcome(stoppedWhileWaiting);
			continue;
		}
		// A later attempt that surely did not send does not undo an earlier unknown.
		throw lastUnknown && !unknown ? lastUnknown : error;
	}
}

/** The error a promise failed with, or undefined when it succeeded. */
function failureOf(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => undefined,
		(error: unknown) => error ?? new Error('failed without a reason'),
	);
}
