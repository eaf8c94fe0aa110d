import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { noticeQueueModeWithoutCoordination, storeFor } from '../coordination/settings';
import {
	CoordinationUnavailableError,
	runKey,
	type CoordinationStore,
} from '../coordination/store';
import { deliver, type SendContext } from '../delivery/deliver';
import { readSendOptions } from '../delivery/options';
import { PacingAbortedError } from '../delivery/pacer';
import { retriedExecutionOf, SENT_KEEP_MS, type EarlierSend } from '../delivery/earlierSends';
import { CREDENTIAL_NAME, readGatewaySettings } from '../transport/credential';
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
 * Whether n8n's Retry of this execution will find what this run sent: always with a shared
 * store or in one process (regular mode); in queue mode without one, only when the retry
 * happens to run on the same worker.
 */
export type RetryMemory = 'shared' | 'process' | 'worker';

function retryNote(memory: RetryMemory): string {
	const hours = SENT_KEEP_MS / 3_600_000;
	if (memory === 'shared')
		return `neither Retry On Fail nor a Retry of this execution within ${hours} h sends them again (remembered in the coordination store).`;
	if (memory === 'process')
		return `neither Retry On Fail nor a Retry of this execution within ${hours} h sends them again, unless n8n restarts before it (remembered in this n8n process).`;
	return "Retry On Fail does not send them again, but a Retry of this execution that runs on another queue-mode worker does: set the credential's Coordination Redis URL to share what was sent.";
}

/**
 * When the node fails without Continue On Fail, n8n shows only the error, not the items that
 * went out before it. Say how many did, and whether a retry sends them again, so nobody
 * re-sends them by hand.
 */
function withSentSummary<E extends { description?: string | null }>(
	nodeError: E,
	sentItems: number[],
	skippedItems: number[],
	memory: RetryMemory,
): E {
	const notes: string[] = [];
	if (sentItems.length > 0) {
		const count = sentItems.length;
		notes.push(
			`Sent before this error in this run: ${count} message${count === 1 ? '' : 's'} (${describeItems(sentItems)}); ${retryNote(memory)}`,
		);
	}
	if (skippedItems.length > 0)
		notes.push(
			`Not sent in this run because an earlier execution already sent them: ${describeItems(skippedItems)}.`,
		);
	if (notes.length === 0) return nodeError;
	const note = notes.join(' ');
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

/** The output of a message not sent because it had been: the earlier send's ids, or its doubt. */
function skippedOutput(earlier: EarlierSend): IDataObject {
	const json: IDataObject = {
		skippedDuplicate: true,
		duplicateOf: {
			executionId: earlier.entry.executionId,
			sentAt: new Date(earlier.entry.at).toISOString(),
			foundBy: earlier.foundBy,
		},
	};
	if (earlier.entry.state === 'uncertain') {
		json.delivery = 'unknown';
		json.note =
			'An identical message was handed to the gateway earlier and its fate is unknown (it may have been delivered); it was not sent again';
	}
	return json;
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
	/** Items of this run not sent because an earlier execution had sent them. */
	const skippedItems: number[] = [];
	let retryMemory: RetryMemory = 'process';
	const errorItem = (itemIndex: number, error: unknown, recipient?: string): INodeExecutionData => {
		const nodeError = toNodeError(node, error, { itemIndex, recipient });
		if (!continueOnFail) throw withSentSummary(nodeError, sentItems, skippedItems, retryMemory);
		const json: IDataObject = { error: nodeError.message };
		if (recipient) json.ToUserName = recipient;
		const response = (nodeError as { errorResponse?: IDataObject }).errorResponse;
		if (response?.Ret !== undefined) json.Ret = response.Ret;
		if (response?.ErrMsg !== undefined) json.ErrMsg = response.ErrMsg;
		if (response?.delivery !== undefined) json.delivery = response.delivery;
		// Stopped before its turn: surely not sent, and an error item says so like any other.
		else if (
			error instanceof PacingAbortedError ||
			error instanceof PartNotSentError ||
			error instanceof CoordinationUnavailableError
		)
			json.delivery = 'notSent';
		return { json, pairedItem: { item: itemIndex } };
	};

	let settings;
	let options;
	let store: CoordinationStore;
	try {
		settings = await readGatewaySettings(context);
		store = storeFor(await context.getCredentials(CREDENTIAL_NAME));
		// Read once per execution: pacing and retries are properties of the run, not of an item.
		options = readSendOptions(context.getNodeParameter('options', 0, {}) as IDataObject);
	} catch (error) {
		throw toNodeError(node, error, { itemIndex: 0 });
	}

	if (store.shared) retryMemory = 'shared';
	else if (process.env.EXECUTIONS_MODE === 'queue') retryMemory = 'worker';
	if (!store.shared)
		noticeQueueModeWithoutCoordination(
			context.logger,
			node.credentials?.[CREDENTIAL_NAME]?.name ?? CREDENTIAL_NAME,
		);

	const executionId = context.getExecutionId();
	const runIndex = Number(context.getWorkflowDataProxy(0).$runIndex ?? 0);
	const run = executionId ? runKey({ executionId, nodeName: node.name, runIndex }) : undefined;
	const client = new GatewayClient(settings, { ...tuning, connections: options.concurrency });
	const mode = context.getMode();
	const retried = retriedExecutionOf(context);
	const sendContext: SendContext = {
		client,
		options,
		store,
		run,
		signal: context.getExecutionCancelSignal(),
		executions: {
			windowMs: options.skipDuplicatesWithin * 60_000,
			executionId: executionId ?? '',
			workflowId: context.getWorkflow().id ?? '',
			nodeName: node.name,
			retry: mode === 'retry',
			retryOf: mode === 'retry' ? retried.retryOf : undefined,
			retryOfReachable: retried.reachable,
		},
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
			const { fields, possibleDuplicate, skipped } = await deliver(
				sendContext,
				itemIndex,
				recipient,
				{
					call: request.callFor(recipient, part),
					readReply: request.readReply,
					// Each part is its own message in the sent ledger: a retry resumes at the part that failed.
					ledgerKey: part > 0 ? `${recipient}\u0000part ${part}` : undefined,
					unpaced: request.unpaced,
				},
			);
			(skipped ? skippedItems : sentItems).push(itemIndex);
			const json: IDataObject = recipient ? { ToUserName: recipient } : {};
			Object.assign(json, fields, request.output, request.outputFor?.(part));
			if (possibleDuplicate) json.possibleDuplicate = true;
			if (skipped) Object.assign(json, skippedOutput(skipped));
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
	if (run && !output[0]?.json.error) {
		await store.forgetRun(run).catch(() => undefined);
	}
	return output;
}
