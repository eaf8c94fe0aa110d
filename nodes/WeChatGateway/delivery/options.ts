/** How messages leave the node: pacing, retries, the duplicate/loss trade-off, what is echoed. */
export interface SendOptions {
	messageInterval: number;
	maxRecipientsPerMinute: number;
	retries: number;
	retryDelay: number;
	/** The "Delivery Guarantee" option (parameter `delivery`). */
	guarantee: 'atMostOnce' | 'atLeastOnce';
	concurrency: number;
	/** The "Include Sent XML" option: add what was sent to each output item. */
	includeXml: boolean;
	/**
	 * "Skip Duplicates Within", in minutes: a message identical to one the account sent to the
	 * same chat this recently is not sent again. 0 = off (a retried execution is still matched).
	 */
	skipDuplicatesWithin: number;
	/**
	 * "Check Recipients": each recipient is looked up at the gateway before anything is sent; an
	 * id that is nobody, or a group the account is not in, is the item's error.
	 */
	checkRecipients: boolean;
}

/** The longest window, and how long a sent message is remembered for n8n's retry: a day. */
export const MAX_DUPLICATE_WINDOW_MINUTES = 24 * 60;

/**
 * The defaults of the node's "Options" parameters, by parameter name (the editor shows the same;
 * a test holds them equal). Safe by default: about one message a second and at most 12 different
 * chats a minute, which is what public gateway operators advise to keep an account from being
 * limited.
 */
export const OPTION_DEFAULTS = {
	messageInterval: 1000,
	maxRecipientsPerMinute: 12,
	retries: 2,
	retryDelay: 1000,
	delivery: 'atMostOnce',
	concurrency: 1,
	includeXml: false,
	/**
	 * Off by default: people building a workflow run it again with the same test data and expect
	 * the message each time, bots answer the same chat with the same canned text, and workflows
	 * made before this option keep doing what they did. The duplicate that is never wanted, n8n's
	 * retry of a failed execution, is skipped with the window off too.
	 */
	skipDuplicatesWithin: 0,
	/**
	 * Off for workflows, whose recipients come from the workflow's own data and which must keep
	 * doing what they did; on when the node is an AI agent's tool (see readSendOptions), where a
	 * model writes the recipient and may make one up.
	 */
	checkRecipients: false,
} as const;

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

/**
 * The "Options" collection of one execution, checked; what is not given takes its default.
 * `asTool`: the node runs as an AI agent's tool, where Check Recipients is on unless set.
 */
export function readSendOptions(
	raw: Record<string, unknown>,
	{ asTool = false }: { asTool?: boolean } = {},
): SendOptions {
	const guarantee = raw.delivery ?? OPTION_DEFAULTS.delivery;
	if (guarantee !== 'atMostOnce' && guarantee !== 'atLeastOnce') {
		throw new RangeError(
			`Option "Delivery Guarantee" must be atMostOnce or atLeastOnce, got "${String(guarantee)}"`,
		);
	}
	return {
		messageInterval: wholeNumber(
			raw.messageInterval,
			'Message Interval',
			OPTION_DEFAULTS.messageInterval,
			0,
			3_600_000,
		),
		maxRecipientsPerMinute: wholeNumber(
			raw.maxRecipientsPerMinute,
			'Max Recipients per Minute',
			OPTION_DEFAULTS.maxRecipientsPerMinute,
			0,
			100_000,
		),
		retries: wholeNumber(raw.retries, 'Retries', OPTION_DEFAULTS.retries, 0, 10),
		retryDelay: wholeNumber(raw.retryDelay, 'Retry Delay', OPTION_DEFAULTS.retryDelay, 0, 600_000),
		guarantee,
		concurrency: wholeNumber(
			raw.concurrency,
			'Concurrent Recipients',
			OPTION_DEFAULTS.concurrency,
			1,
			16,
		),
		includeXml: raw.includeXml === true,
		skipDuplicatesWithin: wholeNumber(
			raw.skipDuplicatesWithin,
			'Skip Duplicates Within',
			OPTION_DEFAULTS.skipDuplicatesWithin,
			0,
			MAX_DUPLICATE_WINDOW_MINUTES,
		),
		checkRecipients:
			raw.checkRecipients === undefined || raw.checkRecipients === null
				? asTool || OPTION_DEFAULTS.checkRecipients
				: raw.checkRecipients === true,
	};
}

export const DEFAULT_SEND_OPTIONS: SendOptions = readSendOptions({});
