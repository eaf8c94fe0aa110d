import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { deliver, type SendContext } from '../delivery/deliver';
import { readSendOptions } from '../delivery/options';
import { PacingAbortedError } from '../delivery/pacer';
import { forgetRun, runKey } from '../delivery/sentLedger';
import { readGatewaySettings } from '../transport/credential';
import { GatewayClient, type GatewayClientOptions } from '../transport/gateway';
import { toNodeError } from './errors';
import { parameterReaders } from './itemParameters';
import type { GatewayRequest, SendOperation } from './operation';

/** How the node's gateway client is made; production uses the defaults, tests shorten waits. */
export type ClientTuning = Pick<GatewayClientOptions, 'graceMs'>;

/**
 * Runs `work` over `count` slots, at most `limit` at a time, keeping results in slot order
 * ("Concurrent Recipients"). When one slot throws, no further slot starts, and the error is
 * thrown only once the slots already under way have finished: nothing is sent after the node
 * has given up.
 */
async function inLanes<T>(
	count: number,
	limit: number,
	work: (slot: number) => Promise<T>,
): Promise<T[]> {
	const results = new Array<T>(count);
	let next = 0;
	let failed = false;
	const lane = async () => {
		for (let slot = next++; slot < count && !failed; slot = next++) {
			let done = false;
			try {
				results[slot] = await work(slot);
				done = true;
			} finally {
				if (!done) failed = true;
			}
		}
	};
	const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, count) }, lane));
	const rejected = settled.find(
		(outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
	);
	if (rejected) throw rejected.reason;
	return results;
}

/**
 * Prepares the next item while the current item's calls are with the gateway, and returns it.
 * Preparing has no side effects and its errors wait for the item's turn, so what is sent before
 * a failure does not change. It waits until the calls under way are written first: undici
 * reuses a keep-alive connection only one setImmediate after its previous answer, so a call
 * made right after an answer is written in the next check phase; the second setImmediate comes
 * after that write.
 *
 * Why: parsing, checking and rebuilding a forwarded message costs a third of a loopback round
 * trip in CPU, and the gateway answers from another process meanwhile. Measured with the bench's
 * engine workload (2,000 items, 7 alternating rounds, on a 2-core machine at load 15): median
 * 7.7 s with it, 9.0 s without (17% slower without); the paired rounds differ by 7% (median), so
 * on a busy machine the gain is small. Drop it if a quiet bench shows none.
 */
async function prepareWhileSending<T>(sending: Promise<unknown>, prepareNext: () => T): Promise<T> {
	sending.catch(() => undefined); // its failure is the caller's, when it awaits it
	await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
	return prepareNext();
}

function describeItems(itemIndexes: number[]): string {
	const unique = [...new Set(itemIndexes)].sort((a, b) => a - b);
	if (unique.length <= 6) return `item${unique.length > 1 ? 's' : ''} ${unique.join(', ')}`;
	return `items ${unique.slice(0, 5).join(', ')} … ${unique[unique.length - 1]}`;
}

/**
 * When the node fails without Continue On Fail, n8n shows only the error, not the items that
 * went out before it. Say how many did, so nobody re-sends them by hand.
 */
function withSentSummary<E extends { description?: string | null }>(
	nodeError: E,
	sentItems: number[],
): E {
	if (sentItems.length === 0) return nodeError;
	const count = sentItems.length;
	const note =
		`Sent before this error in this run: ${count} message${count === 1 ? '' : 's'} (${describeItems(sentItems)}); ` +
		'if n8n retries the node (Retry On Fail), they are not sent again.';
	nodeError.description = nodeError.description ? `${nodeError.description} ${note}` : note;
	return nodeError;
}

/** A later part of a text whose earlier part failed: surely not sent. */
export class PartNotSentError extends Error {
	readonly delivery = 'notSent';
	constructor(part: number, parts: number, failedPart: number) {
		super(
			`Part ${part + 1} of ${parts} was not sent because part ${failedPart + 1} failed; nothing of it went out`,
		);
		this.name = 'PartNotSentError';
	}
}

type Prepared =
	| { itemIndex: number; request: GatewayRequest }
	| { itemIndex: number; error: unknown };

/**
 * The items of one execution, one after another, each to its recipients: one output item per
 * recipient, paired to its input item; n8n's error policy (Continue On Fail) applied to each.
 */
export async function sendItems(
	context: IExecuteFunctions,
	operation: SendOperation,
	tuning: ClientTuning = {},
): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const node = context.getNode();
	const continueOnFail = context.continueOnFail();
	/** Items of this run with a confirmed message (sent now or earlier in the run), for the failure summary. */
	const sentItems: number[] = [];
	const errorItem = (itemIndex: number, error: unknown, recipient?: string): INodeExecutionData => {
		const nodeError = toNodeError(node, error, { itemIndex, recipient });
		if (!continueOnFail) throw withSentSummary(nodeError, sentItems);
		const json: IDataObject = { error: nodeError.message };
		if (recipient) json.ToUserName = recipient;
		const response = (nodeError as { errorResponse?: IDataObject }).errorResponse;
		if (response?.Ret !== undefined) json.Ret = response.Ret;
		if (response?.ErrMsg !== undefined) json.ErrMsg = response.ErrMsg;
		if (response?.delivery !== undefined) json.delivery = response.delivery;
		// Stopped before its turn: surely not sent, and an error item says so like any other.
		else if (error instanceof PacingAbortedError || error instanceof PartNotSentError)
			json.delivery = 'notSent';
		return { json, pairedItem: { item: itemIndex } };
	};

	let settings;
	let options;
	try {
		settings = await readGatewaySettings(context);
		// Read once per execution: pacing and retries are properties of the run, not of an item.
		options = readSendOptions(context.getNodeParameter('options', 0, {}) as IDataObject);
	} catch (error) {
		throw toNodeError(node, error, { itemIndex: 0 });
	}

	const executionId = context.getExecutionId();
	const runIndex = Number(context.getWorkflowDataProxy(0).$runIndex ?? 0);
	const run = executionId ? runKey({ executionId, nodeName: node.name, runIndex }) : undefined;
	const client = new GatewayClient(settings, { ...tuning, connections: options.concurrency });
	const sendContext: SendContext = {
		client,
		options,
		run,
		signal: context.getExecutionCancelSignal(),
	};
	const lanes = options.messageInterval > 0 ? 1 : options.concurrency;
	const readerFor = parameterReaders(context);
	/** Reads an item and makes its request; pure (nothing is sent), so it can run ahead. */
	const prepare = (itemIndex: number): Prepared => {
		try {
			return { itemIndex, request: operation.toRequest(readerFor(itemIndex)) };
		} catch (error) {
			return { itemIndex, error };
		}
	};
	/** One call: part `part` of the request to `recipient`, as an output item or an error item. */
	const sendOne = async (
		itemIndex: number,
		request: GatewayRequest,
		recipient: string,
		part: number,
	): Promise<{ item: INodeExecutionData; failed: boolean }> => {
		try {
			const { fields, possibleDuplicate } = await deliver(sendContext, itemIndex, recipient, {
				call: request.callFor(recipient, part),
				readReply: request.readReply,
				// Each part is its own message in the sent ledger: a retry resumes at the part that failed.
				ledgerKey: part > 0 ? `${recipient}\u0000part ${part}` : undefined,
				unpaced: request.unpaced,
			});
			sentItems.push(itemIndex);
			const json: IDataObject = recipient ? { ToUserName: recipient } : {};
			Object.assign(json, fields, request.output, request.outputFor?.(part));
			if (possibleDuplicate) json.possibleDuplicate = true;
			if (options.includeXml) Object.assign(json, request.sentCopy);
			return { item: { json, pairedItem: { item: itemIndex } }, failed: false };
		} catch (error) {
			return { item: errorItem(itemIndex, error, recipient || undefined), failed: true };
		}
	};
	/**
	 * A request of several parts (a long text) sends each recipient's parts in order, one at a
	 * time; after a part fails, the rest are not sent (a text with a hole reads wrong) and each
	 * says so.
	 */
	const send = async (itemIndex: number, request: GatewayRequest) => {
		const parts = request.parts ?? 1;
		const perRecipient = await inLanes(request.recipients.length, lanes, async (slot) => {
			const recipient = request.recipients[slot];
			const items: INodeExecutionData[] = [];
			for (let part = 0; part < parts; part++) {
				const { item, failed } = await sendOne(itemIndex, request, recipient, part);
				items.push(item);
				if (failed) {
					for (let rest = part + 1; rest < parts; rest++)
						items.push(
							errorItem(itemIndex, new PartNotSentError(rest, parts, part), recipient || undefined),
						);
					break;
				}
			}
			return items;
		});
		return perRecipient.flat();
	};

	const output: INodeExecutionData[] = [];
	try {
		let next: Prepared | undefined;
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const current = next ?? prepare(itemIndex);
			next = undefined;
			if ('error' in current) {
				output.push(errorItem(itemIndex, current.error));
				continue;
			}
			const sending = send(itemIndex, current.request);
			if (itemIndex + 1 < items.length)
				next = await prepareWhileSending(sending, () => prepare(itemIndex + 1));
			output.push(...(await sending));
		}
	} finally {
		await client.close();
	}
	// n8n runs the node again only when it throws, or when its first output item is an error
	// (WorkflowExecute's retry check). Otherwise this run is over and the ledger can let it go.
	if (run && !output[0]?.json.error) forgetRun(run);
	return output;
}
