import { GatewayError, type GatewayClient, type SendAppMsgResult } from '../transport/gateway';
import type { DeliveryOptions } from './options';
import { sleep, waitForTurn } from './pacer';
import { ledgerKey, lookup, record } from './sentLedger';

export interface Delivery {
	client: GatewayClient;
	options: DeliveryOptions;
	/** Identifies this node run for the sent ledger; without it nothing is remembered. */
	executionId?: string;
	nodeName: string;
	signal?: AbortSignal;
}

export interface DeliveryResult extends SendAppMsgResult {
	/** True when an earlier try of this execution sent it and this is its first result again. */
	replayed: boolean;
}

function retryable(error: unknown, options: DeliveryOptions): boolean {
	if (!(error instanceof GatewayError)) return false;
	if (error.kind === 'aborted') return false;
	if (error.delivery === 'notSent') return true;
	if (error.kind === 'ret' && error.details.ret === -34) return true;
	return options.delivery === 'atLeastOnce' && error.delivery === 'unknown';
}

function backoff(error: unknown, attempt: number, options: DeliveryOptions): number {
	const tooFrequent = error instanceof GatewayError && error.details.ret === -34;
	return options.retryDelay * (tooFrequent ? 5 : 1) * 2 ** attempt;
}

/**
 * One message to one recipient, exactly as far as the gateway lets us know: paced, retried
 * only when that cannot duplicate it, and remembered for n8n's own retries.
 */
export async function deliver(delivery: Delivery, itemIndex: number, recipient: string, xml: string): Promise<DeliveryResult> {
	const { client, options, signal } = delivery;
	const key = delivery.executionId
		? ledgerKey({ executionId: delivery.executionId, nodeName: delivery.nodeName, itemIndex, recipient, xml })
		: undefined;
	const earlier = key ? lookup(key) : undefined;
	if (earlier?.state === 'sent') return { ...earlier.result, replayed: true };
	if (earlier?.state === 'uncertain' && options.delivery === 'atMostOnce') throw earlier.error;

	const account = `${client.settings.baseUrl}\u0000${client.settings.wxid}`;
	const pacing = { intervalMs: options.messageInterval, maxRecipientsPerMinute: options.maxRecipientsPerMinute };
	for (let attempt = 0; ; attempt++) {
		await waitForTurn(account, recipient, pacing, signal);
		try {
			const result = await client.sendAppMsg(recipient, xml);
			if (key) record(key, { state: 'sent', result });
			return { ...result, replayed: false };
		} catch (error) {
			if (attempt < options.retries && retryable(error, options)) {
				await sleep(backoff(error, attempt, options), signal);
				continue;
			}
			if (key && error instanceof GatewayError && error.delivery === 'unknown') record(key, { state: 'uncertain', error });
			throw error;
		}
	}
}
