import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { buildAppMsgXml } from '../appmsg/build';
import { appMsgType } from '../appmsg/model';
import { deliver, type Delivery } from '../delivery/deliver';
import { readDeliveryOptions } from '../delivery/options';
import { PacingAbortedError } from '../delivery/pacer';
import { forgetRun, runKey } from '../delivery/sentLedger';
import { GatewayClient } from '../transport/gateway';
import { gatewaySettingsFrom } from '../transport/settings';
import type { LocalOperation, ParameterReader, SendOperation } from './appMsgOperation';
import { toNodeError } from './errors';
import { parseRecipients } from './recipients';
import { operations } from './registry';

export const CREDENTIAL_TYPE = 'weChatGatewayApi';

/** `={{ $json.name }}` or `={{ $json["name"] }}`: nothing but a field of the item itself. */
const ITEM_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]+)\2\s*\])\s*\}\}$/;

/**
 * Parameter readers for one execution. A parameter that is just `{{ $json.x }}` is read from
 * the item's field `x` directly: n8n 2.x evaluates every expression in an isolated VM, about a
 * millisecond per expression and item, more than sending the message. Anything else goes
 * through n8n as usual.
 */
function parameterReaders(context: IExecuteFunctions): (itemIndex: number) => ParameterReader {
	const raw = context.getNode().parameters;
	const items = context.getInputData();
	const fields = new Map<string, string | undefined>();
	const itemFieldOf = (name: string): string | undefined => {
		if (!fields.has(name)) {
			const value = raw[name];
			const match = typeof value === 'string' ? ITEM_FIELD.exec(value) : null;
			fields.set(name, match ? (match[1] ?? match[3]) : undefined);
		}
		return fields.get(name);
	};
	return (itemIndex) => ({
		itemIndex,
		get: (name, fallback) => {
			const field = itemFieldOf(name);
			return field === undefined
				? context.getNodeParameter(name, itemIndex, fallback)
				: items[itemIndex].json[field];
		},
	});
}

/**
 * Resolves after the requests started in this turn are on the wire: undici reuses a keep-alive
 * connection only one setImmediate after its previous answer, so a request made right after an
 * answer is written in the next check phase; the second setImmediate comes after that write.
 */
function afterPendingWrites(): Promise<void> {
	return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Runs `work` over `count` slots, at most `limit` at a time, keeping results in slot order. When
 * one slot throws, no further slot starts, and the error is thrown only once the slots already
 * under way have finished: nothing is sent after the node has given up.
 */
async function inSlots<T>(
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

function runLocal(context: IExecuteFunctions, operation: LocalOperation): INodeExecutionData[] {
	const items = context.getInputData();
	const readerFor = parameterReaders(context);
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push({ json: operation.run(readerFor(itemIndex)), pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = toNodeError(context.getNode(), error, { itemIndex });
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

async function runSend(
	context: IExecuteFunctions,
	operation: SendOperation,
): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const node = context.getNode();
	const continueOnFail = context.continueOnFail();
	/** Items of this run with a confirmed message (sent now or replayed), for the failure summary. */
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
		throw toNodeError(node, error, { itemIndex: 0 });
	}

	const executionId = context.getExecutionId?.();
	const run = executionId
		? runKey({ executionId, nodeName: node.name, runIndex: runIndexOf(context) })
		: undefined;
	const client = new GatewayClient(settings, { connections: options.concurrency });
	const delivery: Delivery = {
		client,
		options,
		run,
		signal: context.getExecutionCancelSignal?.(),
	};
	const output: INodeExecutionData[] = [];
	const readerFor = parameterReaders(context);
	/** Reads and builds one item's message; pure (nothing is sent), so it can run ahead. */
	const prepare = (itemIndex: number): Prepared | { itemIndex: number; error: unknown } => {
		try {
			const parameters = readerFor(itemIndex);
			const appMsg = operation.toAppMsg(parameters);
			const recipients = parseRecipients(parameters.get('toUserName'));
			return {
				itemIndex,
				recipients,
				xml: buildAppMsgXml(appMsg),
				type: appMsgType(appMsg) as number,
			};
		} catch (error) {
			return { itemIndex, error };
		}
	};
	try {
		let next = items.length > 0 ? prepare(0) : undefined;
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const current = next ?? prepare(itemIndex);
			next = undefined;
			if ('error' in current) {
				output.push(errorItem(itemIndex, current.error));
				continue;
			}
			const prepared = current;
			const lanes = options.messageInterval > 0 ? 1 : options.concurrency;
			const sending = inSlots(prepared.recipients.length, lanes, async (slot) => {
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
			if (itemIndex + 1 < items.length) {
				// Build the next item's message while this one is with the gateway. Its errors wait
				// in `next` until its turn, so nothing changes about what is sent before a failure.
				sending.catch(() => undefined);
				await afterPendingWrites();
				next = prepare(itemIndex + 1);
			}
			const sent = await sending;
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
	if (!operation)
		throw toNodeError(this.getNode(), new Error(`Unknown operation "${operationName}"`), {
			itemIndex: 0,
		});
	if (operation.kind === 'local') return [runLocal(this, operation)];
	return [await runSend(this, operation)];
}
