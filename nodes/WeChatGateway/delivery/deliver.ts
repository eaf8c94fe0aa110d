import { GatewayError, type GatewayClient, type SendAppMsgResult } from '../transport/gateway';
import type { DeliveryOptions } from './options';
import { PacingAbortedError, sleep, waitForTurn } from './pacer';
import { lookup, record } from './sentLedger';

export interface Delivery {
	client: GatewayClient;
	options: DeliveryOptions;
	/** This node run in the sent ledger (see `runKey`); without it nothing is remembered. */
	run?: string;
	signal?: AbortSignal;
}

export interface DeliveryResult extends SendAppMsgResult {
	/** True when an earlier try of this run sent it and this is its first result again. */
	replayed: boolean;
	/**
	 * True when, with at-least-once delivery, an earlier attempt may already have delivered it
	 * (its answer was lost) and it was sent again: the recipient may have it twice.
	 */
	possibleDuplicate: boolean;
}

/** WeChat's "sending too often". */
const RET_TOO_FREQUENT = -34;

function tooFrequent(error: unknown): boolean {
	if (!(error instanceof GatewayError)) return false;
	return (
		error.details.ret === RET_TOO_FREQUENT ||
		(error.kind === 'http' && error.details.httpStatus === 429)
	);
}

function retryable(error: unknown, options: DeliveryOptions): boolean {
	if (!(error instanceof GatewayError)) return false;
	if (error.kind === 'aborted' || error.repeats) return false;
	if (error.delivery === 'notSent') return true;
	if (tooFrequent(error)) return true;
	return options.delivery === 'atLeastOnce' && error.delivery === 'unknown';
}

function backoff(error: unknown, attempt: number, options: DeliveryOptions): number {
	return options.retryDelay * (tooFrequent(error) ? 5 : 1) * 2 ** attempt;
}

/**
 * One message to one recipient, exactly as far as the gateway lets us know: paced, retried
 * only when that cannot duplicate it (unless the user chose at-least-once), and remembered for
 * n8n's own retries.
 */
export async function deliver(
	delivery: Delivery,
	itemIndex: number,
	recipient: string,
	xml: string,
): Promise<DeliveryResult> {
	const { client, options, signal, run } = delivery;
	const earlier = run ? lookup(run, itemIndex, recipient) : undefined;
	if (earlier?.state === 'sent')
		return { ...earlier.result, replayed: true, possibleDuplicate: false };
	if (earlier?.state === 'uncertain' && options.delivery === 'atMostOnce') throw earlier.error;
	/** An attempt of this message (here or in an earlier try of the run) may have delivered it. */
	let mayBeDelivered = earlier?.state === 'uncertain';

	const account =
		client.settings.accountKey ?? `${client.settings.baseUrl}\u0000${client.settings.wxid}`;
	const pacing = {
		intervalMs: options.messageInterval,
		maxRecipientsPerMinute: options.maxRecipientsPerMinute,
	};
	let lastUnknown: GatewayError | undefined;
	/** Stopped between attempts: what an earlier attempt left open is the true outcome. */
	const stoppedOutcome = (stopped: unknown) =>
		stopped instanceof PacingAbortedError && lastUnknown ? lastUnknown : stopped;
	for (let attempt = 0; ; attempt++) {
		const stopped = await settle(waitForTurn(account, recipient, pacing, signal));
		if (stopped !== undefined) throw stoppedOutcome(stopped);

		const outcome = await client.sendAppMsg(recipient, xml).then(
			(result) => ({ result }),
			(error: unknown) => ({ error }),
		);
		if ('result' in outcome) {
			if (run) record(run, itemIndex, recipient, { state: 'sent', result: outcome.result });
			return { ...outcome.result, replayed: false, possibleDuplicate: mayBeDelivered };
		}
		const { error } = outcome;
		const unknown = error instanceof GatewayError && error.delivery === 'unknown';
		if (unknown) {
			mayBeDelivered = true;
			lastUnknown = error;
			if (run) record(run, itemIndex, recipient, { state: 'uncertain', error });
		}
		if (attempt < options.retries && retryable(error, options)) {
			const stoppedWhileWaiting = await settle(sleep(backoff(error, attempt, options), signal));
			if (stoppedWhileWaiting !== undefined) throw stoppedOutcome(stoppedWhileWaiting);
			continue;
		}
		// A later attempt that surely did not send does not undo an earlier unknown.
		throw lastUnknown && !unknown ? lastUnknown : error;
	}
}

/** Resolves to the error a promise failed with, or undefined when it succeeded. */
function settle(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => undefined,
		(error: unknown) => error ?? new Error('failed without a reason'),
	);
}
