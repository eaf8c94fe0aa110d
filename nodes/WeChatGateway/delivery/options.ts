/** How messages leave the node: pacing, retries and the duplicate/loss trade-off. */
export interface DeliveryOptions {
	messageInterval: number;
	maxRecipientsPerMinute: number;
	retries: number;
	retryDelay: number;
	delivery: 'atMostOnce' | 'atLeastOnce';
	concurrency: number;
	includeXml: boolean;
}

/**
 * Safe by default: about one message a second and at most 12 different chats a minute, which is
 * what public gateway operators advise to keep an account from being limited.
 */
export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
	messageInterval: 1000,
	maxRecipientsPerMinute: 12,
	retries: 2,
	retryDelay: 1000,
	delivery: 'atMostOnce',
	concurrency: 1,
	includeXml: false,
};

function wholeNumber(
	value: unknown,
	name: string,
	fallback: number,
	min: number,
	max: number,
): number {
	if (value === undefined || value === null || value === '') return fallback;
	const number = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(number) || number < min || number > max) {
		throw new RangeError(
			`Option "${name}" must be a number from ${min} to ${max}, got "${String(value)}"`,
		);
	}
	return Math.floor(number);
}

export function readDeliveryOptions(raw: Record<string, unknown>): DeliveryOptions {
	const delivery = raw.delivery ?? DEFAULT_DELIVERY_OPTIONS.delivery;
	if (delivery !== 'atMostOnce' && delivery !== 'atLeastOnce') {
		throw new RangeError(
			`Option "Delivery Guarantee" must be atMostOnce or atLeastOnce, got "${String(delivery)}"`,
		);
	}
	return {
		messageInterval: wholeNumber(
			raw.messageInterval,
			'Message Interval',
			DEFAULT_DELIVERY_OPTIONS.messageInterval,
			0,
			3_600_000,
		),
		maxRecipientsPerMinute: wholeNumber(
			raw.maxRecipientsPerMinute,
			'Max Recipients per Minute',
			DEFAULT_DELIVERY_OPTIONS.maxRecipientsPerMinute,
			0,
			100_000,
		),
		retries: wholeNumber(raw.retries, 'Retries', DEFAULT_DELIVERY_OPTIONS.retries, 0, 10),
		retryDelay: wholeNumber(
			raw.retryDelay,
			'Retry Delay',
			DEFAULT_DELIVERY_OPTIONS.retryDelay,
			0,
			600_000,
		),
		delivery,
		concurrency: wholeNumber(
			raw.concurrency,
			'Concurrent Recipients',
			DEFAULT_DELIVERY_OPTIONS.concurrency,
			1,
			16,
		),
		includeXml: raw.includeXml === true,
	};
}
