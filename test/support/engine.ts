/**
 * The WeChat node (its TypeScript source) through n8n's real execution engine: the one harness,
 * scripts/lib/engine.js, typed for the tests; and numbered batches of link messages on it.
 */
import path from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	IRun,
} from 'n8n-workflow';

import { WeChatGatewayApi } from '../../credentials/WeChatGatewayApi.credentials';
import type { Slot } from './accounting';
import { weChatNode } from './node';

process.env.N8N_USER_FOLDER ??= path.resolve(__dirname, '../../.test-n8n');
process.env.N8N_LOG_LEVEL ??= 'silent';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = require('../../scripts/lib/engine') as {
	runWeChatNode(options: RunOptions & { node: unknown; credentialType: unknown }): Promise<NodeRun>;
};

export interface NodeRun {
	run: IRun;
	/** The WeChat node's output items of its last run (after n8n's own retries). */
	items: INodeExecutionData[];
	/** The error that failed the node, when it failed. */
	error?: { message: string; description?: string | null; [key: string]: unknown };
	/** How often n8n ran the node (retries included). */
	tries: number;
}

export interface RunOptions {
	/** The WeChat node's parameters (expressions allowed, as in the editor). */
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
	/** Items the previous node emits; the node sees them as $json. */
	items?: IDataObject[];
	/** Item i's files, by binary property, stored through n8n's binary helpers. */
	binaries?: Array<
		Record<string, { data: Buffer; fileName?: string; mimeType?: string }> | undefined
	>;
	continueOnFail?: boolean;
	retryOnFail?: { maxTries: number; waitBetweenTries?: number };
	executionId?: string;
	/** Lets a test stop the execution, as the editor's Stop button does. */
	onStarted?: (cancel: () => void) => void;
	/**
	 * Runs as n8n's Retry of a failed execution does (execution.service.js retry()): a new
	 * execution in mode 'retry' that continues the failed one's data, with the failed node's
	 * errored run removed, so the node runs again with the same input items.
	 */
	retryOf?: { executionId: string; run: IRun };
	/** The execution's hooks carry no retryOf at all, as if n8n stopped exposing it. */
	hideRetryOf?: boolean;
	/** The workflow's id (a webhook workflow called twice is the same workflow). */
	workflowId?: string;
	/** The node has the type of its AI tool form (`…weChatGatewayTool`), as under an AI Agent. */
	asTool?: boolean;
}

export async function runWeChatNode(options: RunOptions): Promise<NodeRun> {
	return await engine.runWeChatNode({
		...options,
		// As a saved workflow's data would be: plain JSON, and the test's own objects untouched.
		items: options.items && (JSON.parse(JSON.stringify(options.items)) as IDataObject[]),
		node: weChatNode(),
		credentialType: new WeChatGatewayApi(),
	});
}

/** Numbered sets of link messages, each traceable to its slot at the gateway. */
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
