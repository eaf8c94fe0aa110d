import { RET } from '../wechat';
import { GatewayError } from '../transport/errors';
import type { SendOptions } from './options';

/** WeChat, or a proxy in front of the gateway, asking to slow down. */
function tooFrequent(error: unknown): boolean {
	if (!(error instanceof GatewayError)) return false;
	return (
		error.details.ret === RET.tooFrequent ||
		(error.reason === 'http' && error.details.httpStatus === 429)
	);
}

/**
 * Whether a failed attempt is tried again: only when that cannot duplicate the message, unless
 * the user chose at-least-once (or the call is a read, which asking twice does not change).
 */
export function retryable(error: unknown, options: SendOptions, repeatable = false): boolean {
	if (!(error instanceof GatewayError)) return false;
	if (error.reason === 'aborted' || error.repeats) return false;
	if (error.delivery === 'notSent') return true;
	if (tooFrequent(error)) return true;
	return (options.guarantee === 'atLeastOnce' || repeatable) && error.delivery === 'unknown';
}

/** How long before the next attempt: doubling each time, longer when asked to slow down. */
export function backoff(error: unknown, attempt: number, options: SendOptions): number {
	return options.retryDelay * (tooFrequent(error) ? 5 : 1) * 2 ** attempt;
}
