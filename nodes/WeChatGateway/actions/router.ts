import { NodeApiError, type IDataObject, type IExecuteFunctions, type INode, type INodeExecutionData } from 'n8n-workflow';

import { buildAppMsgXml } from '../appmsg/build';
import { appMsgType } from '../appmsg/model';
import { deliver, type Delivery } from '../delivery/deliver';
import { readDeliveryOptions } from '../delivery/options';
import { PacingAbortedError } from '../delivery/pacer';
import { forgetRun, runKey } from '../delivery/sentLedger';
import { GatewayClient } from '../transport/gateway';
import { gatewaySettingsFrom } from '../transport/settings';
import type { LocalOperation, ParameterReader, SendOperation } from './appMsgOperation';
import { toNodeError, type ErrorPlace } from './errors';
import { parseRecipients } from './recipients';
import { operations } from './registry';

export const CREDENTIAL_TYPE = 'weChatGatewayApi';

function parameterReader(context: IExecuteFunctions, itemIndex: number): ParameterReader {
	return { itemIndex, get: (name, fallback) => context.getNodeParameter(name, itemIndex, fallback) };
}

/**
 * Runs `work` over `count` slots, at most `limit` at a time, keeping results in slot order. When
 * one slot throws, no further slot starts, and the error is thrown only once the slots already
 * under way have finished: nothing is sent after the node has given up.
 */
async function inSlots<T>(count: number, limit: number, work: (slot: number) => Promise<T>): Promise<T[]> {
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
	const rejected = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
	if (rejected) throw rejected.reason;
	return results;
}

/**
 * The node's error for a failure. n8n replaces an API error's message by a generic sentence
 * when it contains a common network code (ECONNRESET, ENOTFOUND, …); an ErrMsg from the gateway
 * or a recipient's ID can contain one, and the message would lose the item, the recipient and
 * what happened. n8n keeps the original in `messages`; put it back.
 */
function nodeErrorFor(node: INode, error: unknown, place: ErrorPlace) {
	const nodeError = toNodeError(node, error, place);
	if (nodeError instanceof NodeApiError && nodeError.messages.length > 0) {
		const original = nodeError.messages[nodeError.messages.length - 1];
		if (original !== nodeError.message && original.includes(`(item ${place.itemIndex}`)) {
			nodeError.messages.pop();
			nodeError.message = original;
		}
	}
	return nodeError;
}

/** Which run of the node this is in the execution: a loop's rounds differ, n8n's retries do not. */
function runIndexOf(context: IExecuteFunctions): number {
	const own = (context as unknown as { runIndex?: unknown }).runIndex;
	if (typeof own === 'number') return own;
	const proxied = context.getWorkflowDataProxy?.(0)?.$runIndex;
	return typeof proxied === 'number' ? proxied : 0;
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
function withSentSummary<E extends { description?: string | null }>(nodeError: E, sentItems: number[]): E {
	if (sentItems.length === 0) return nodeError;
	const count = sentItems.length;
	const note =
		`Sent before this error in this run: ${count} message${count === 1 ? '' : 's'} (${describeItems(sentItems)}); ` +
		'if n8n retries the node (Retry On Fail), they are not sent again.';
	nodeError.description = nodeError.description ? `${nodeError.description} ${note}` : note;
	return nodeError;
}

function runLocal(context: IExecuteFunctions, operation: LocalOperation): INodeExecutionData[] {
	const items = context.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push({ json: operation.run(parameterReader(context, itemIndex)), pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = nodeErrorFor(context.getNode(), error, { itemIndex });
			if (!context.continueOnFail()) throw nodeError;
			output.push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
		}
	}
	return output;
}

interface Prepared {
	itemIndex: number;
	recipients: string[];
	xml: string;
	type: number;
}

async function runSend(context: IExecuteFunctions, operation: SendOperation): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const node = context.getNode();
	const continueOnFail = context.continueOnFail();
	/** Items of this run with a confirmed message (sent now or replayed), for the failure summary. */
	const sentItems: number[] = [];
	const errorItem = (itemIndex: number, error: unknown, recipient?: string): INodeExecutionData => {
		const nodeError = nodeErrorFor(node, error, { itemIndex, recipient });
		if (!continueOnFail) throw withSentSummary(nodeError, sentItems);
		const json: IDataObject = { error: nodeError.message };
		if (recipient) json.ToUserName = recipient;
		const response = (nodeError as { errorResponse?: IDataObject }).errorResponse;
		if (response?.Ret !== undefined) json.Ret = response.Ret;
		if (response?.ErrMsg !== undefined) json.ErrMsg = response.ErrMsg;
		if (response?.delivery !== undefined) json.delivery = response.delivery;
		// Stopped before its turn: surely not sent, and an error item says so like any other.
		else if (error instanceof PacingAbortedError) json.delivery = 'notSent';
		return { json, pairedItem: { item: itemIndex } };
	};

	let settings;
	let options;
	try {
		settings = gatewaySettingsFrom(await context.getCredentials(CREDENTIAL_TYPE));
		// Read once per execution: pacing and retries are properties of the run, not of an item.
		options = readDeliveryOptions(context.getNodeParameter('options', 0, {}) as IDataObject);
	} catch (error) {
		throw nodeErrorFor(node, error, { itemIndex: 0 });
	}

	const executionId = context.getExecutionId?.();
	const run = executionId ? runKey({ executionId, nodeName: node.name, runIndex: runIndexOf(context) }) : undefined;
	const client = new GatewayClient(settings, { connections: options.concurrency });
	const delivery: Delivery = {
		client,
		options,
		run,
		signal: context.getExecutionCancelSignal?.(),
	};
	const output: INodeExecutionData[] = [];
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			let prepared: Prepared;
			try {
				const appMsg = operation.toAppMsg(parameterReader(context, itemIndex));
				const recipients = parseRecipients(context.getNodeParameter('toUserName', itemIndex));
				prepared = { itemIndex, recipients, xml: buildAppMsgXml(appMsg), type: appMsgType(appMsg) as number };
			} catch (error) {
				output.push(errorItem(itemIndex, error));
				continue;
			}
			const lanes = options.messageInterval > 0 ? 1 : options.concurrency;
			const sent = await inSlots(prepared.recipients.length, lanes, async (slot) => {
				const recipient = prepared.recipients[slot];
				try {
					const result = await deliver(delivery, itemIndex, recipient, prepared.xml);
					sentItems.push(itemIndex);
					const json: IDataObject = {
						ToUserName: recipient,
						NewMsgId: result.NewMsgId,
						ClientMsgId: result.ClientMsgId,
						Ret: result.Ret,
						ErrMsg: result.ErrMsg,
						type: prepared.type,
					};
					if (result.possibleDuplicate) json.possibleDuplicate = true;
					if (options.includeXml) json.AppMsgXml = prepared.xml;
					return { json, pairedItem: { item: itemIndex } } as INodeExecutionData;
				} catch (error) {
					return errorItem(itemIndex, error, recipient);
				}
			});
			output.push(...sent);
		}
	} finally {
		await client.close();
	}
	// n8n runs the node again only when it throws, or when its first output item is an error
	// (WorkflowExecute's retry check). Otherwise this run is over and the ledger can let it go.
	if (run && !output[0]?.json.error) forgetRun(run);
	return output;
}

/** Hands each item to its operation and applies n8n's error policy to the outcome. */
export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = operations[operationName];
	if (!operation) throw nodeErrorFor(this.getNode(), new Error(`Unknown operation "${operationName}"`), { itemIndex: 0 });
	if (operation.kind === 'local') return [runLocal(this, operation)];
	return [await runSend(this, operation)];
}
