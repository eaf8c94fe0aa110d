/** Runs the WeChat node through n8n's engine with a numbered set of link messages. */
import type { IDataObject } from 'n8n-workflow';

import { runWeChatNode, type NodeRun, type RunOptions } from '../engine/harness';
import type { Slot } from './accounting';

export const SENDER = 'wxid_sender01';
/** No pacing, quick retries: what every test uses unless it tests pacing or backoff. */
export const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0, retryDelay: 5 };
/** Send Link of one fixed card to each item's `to`, unpaced: where a test is about the input, not the card. */
export const LINK_TO_EACH_ITEM = {
	operation: 'sendLink',
	toUserName: '={{ $json.to }}',
	title: 't',
	url: 'https://example.com/',
	options: FAST,
};

export interface Batch {
	/** One entry per input item: its recipients (one or several). */
	recipients: string[][];
	/** Distinguishes the titles of different cases that share a gateway. */
	tag: string;
}

/** Items whose titles name them, so each message at the gateway can be traced to its slot. */
export function batch(
	tag: string,
	count: number,
	recipientsOf: (index: number) => string[] = (i) => [`wxid_to${i}`],
): Batch {
	return { tag, recipients: Array.from({ length: count }, (_, i) => recipientsOf(i)) };
}

export function slotsOf(b: Batch): Slot[] {
	return b.recipients.flatMap((recipients, itemIndex) =>
		recipients.map((recipient) => ({ itemIndex, recipient, title: titleFor(b, itemIndex) })),
	);
}

export function titleFor(b: Batch, itemIndex: number): string {
	return `${b.tag}-${itemIndex}`;
}

export interface SendOptions {
	baseUrl: string;
	options?: IDataObject;
	credentials?: Record<string, unknown>;
	continueOnFail?: boolean;
	retryOnFail?: RunOptions['retryOnFail'];
	executionId?: string;
	onStarted?: RunOptions['onStarted'];
	retryOf?: RunOptions['retryOf'];
	hideRetryOf?: boolean;
	workflowId?: string;
}

export async function sendBatch(b: Batch, send: SendOptions): Promise<NodeRun> {
	const items: IDataObject[] = b.recipients.map((recipients, i) => ({
		to: recipients.join(','),
		title: titleFor(b, i),
	}));
	return runWeChatNode({
		credentials: {
			baseUrl: send.baseUrl,
			wxid: SENDER,
			timeout: 1,
			ignoreSslIssues: true,
			...send.credentials,
		},
		items,
		continueOnFail: send.continueOnFail,
		retryOnFail: send.retryOnFail,
		executionId: send.executionId,
		onStarted: send.onStarted,
		retryOf: send.retryOf,
		hideRetryOf: send.hideRetryOf,
		workflowId: send.workflowId,
		parameters: {
			operation: 'sendLink',
			toUserName: '={{ $json.to }}',
			title: '={{ $json.title }}',
			url: 'https://example.com/report?id=1&lang=en',
			options: { ...FAST, ...send.options },
		},
	});
}
