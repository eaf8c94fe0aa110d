import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	deliverReady,
	readyMessage,
	type ReadyMessage,
	type SendContext,
} from '../../delivery/deliver';
import { readSendOptions } from '../../delivery/options';
import { readGatewaySettings } from '../../transport/credential';
import { GatewayClient, type GatewayClientOptions } from '../../transport/client';
import { toNodeError } from '../errors';
import { parameterReaders } from '../itemParameters';
import type { GatewayRequest, SendOperation } from '../operation';
import { inLanes } from './lanes';
import { errorItem, PartNotSentError, successItems } from './outputItems';
import { prepareWhileSending } from './prepareAhead';
import { RecipientCheck, runsAsTool } from './recipientCheck';
import { openRunMemory, type RunMemory } from './runMemory';
import { withSentSummary, type SentTally } from './sentSummary';

/** How the node's gateway client is made; production uses the defaults, tests shorten waits. */
export type ClientTuning = Pick<GatewayClientOptions, 'graceMs'>;

type Prepared =
	| { itemIndex: number; request: GatewayRequest; first?: ReadyMessage<Record<string, unknown>> }
	| { itemIndex: number; error: unknown };

/** Thrown inside the send loop to stop the run; the summary is added once the lanes settled. */
class StopRun {
	constructor(readonly nodeError: Error) {}
}

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
	const tally: SentTally = { sent: [], skipped: [] };
	const failed = (itemIndex: number, error: unknown, recipient?: string): INodeExecutionData => {
		const nodeError = toNodeError(node, error, { itemIndex, recipient });
		if (!continueOnFail) throw new StopRun(nodeError);
		return errorItem(itemIndex, nodeError.message, error, recipient);
	};

	let settings;
	let options;
	let memory: RunMemory;
	try {
		settings = await readGatewaySettings(context);
		// Read once per execution: pacing and retries are properties of the run, not of an item.
		options = readSendOptions(context.getNodeParameter('options', 0, {}) as IDataObject, {
			asTool: runsAsTool(node),
		});
		memory = await openRunMemory(context, options);
	} catch (error) {
		throw toNodeError(node, error, { itemIndex: 0 });
	}

	const client = new GatewayClient(settings, {
		...tuning,
		connections: options.concurrency,
		// Losing write tracking makes failures "unknown" instead of retried: the owner should know.
		warn: (message) => context.logger.warn(message),
	});
	const sendContext: SendContext = {
		client,
		options,
		signal: context.getExecutionCancelSignal(),
		...memory.context,
	};
	const lanes = options.messageInterval > 0 ? 1 : options.concurrency;
	const readerFor = parameterReaders(context, settings.wxid);
	const recipientCheck =
		options.checkRecipients && operation.addressed !== false
			? new RecipientCheck(client)
			: undefined;
	/** Part `part` of the request to `recipient`, ready to go (see ReadyMessage). */
	const ready = (itemIndex: number, request: GatewayRequest, recipient: string, part: number) => {
		const message = request.messageFor(recipient, part);
		return readyMessage(sendContext, itemIndex, recipient, {
			...message,
			repeatable: 'method' in message.call,
			readReply: request.readReply,
			// Each part is its own message in the sent ledger: a retry resumes at the part that failed.
			ledgerKey: part > 0 ? `${recipient}\u0000part ${part}` : undefined,
			unpaced: request.unpaced,
		});
	};
	/**
	 * Reads an item and makes its request and its first message; pure (nothing is sent), so it
	 * can run ahead. A first message that cannot be made is made again, and fails, on its turn.
	 */
	const prepare = async (itemIndex: number): Promise<Prepared> => {
		let request;
		try {
			request = await operation.toRequest(readerFor(itemIndex));
		} catch (error) {
			return { itemIndex, error };
		}
		if (request.recipients.length === 0) return { itemIndex, request };
		try {
			return { itemIndex, request, first: ready(itemIndex, request, request.recipients[0], 0) };
		} catch {
			return { itemIndex, request };
		}
	};
	/** One message: part `part` of the request to `recipient`, as output items or an error item. */
	const sendOne = async (
		itemIndex: number,
		request: GatewayRequest,
		recipient: string,
		part: number,
		readyAhead?: ReadyMessage<Record<string, unknown>>,
	): Promise<{ items: INodeExecutionData[]; failed: boolean }> => {
		let outcome;
		try {
			const message = readyAhead ?? ready(itemIndex, request, recipient, part);
			outcome = await deliverReady(sendContext, message);
		} catch (error) {
			return { items: [failed(itemIndex, error, recipient || undefined)], failed: true };
		}
		(outcome.skipped ? tally.skipped : tally.sent).push(itemIndex);
		const shaped = await successItems(context.helpers, request, {
			itemIndex,
			recipient,
			part,
			fields: outcome.fields,
			possibleDuplicate: outcome.possibleDuplicate,
			skipped: outcome.skipped,
			includeXml: options.includeXml,
		});
		return { items: shaped, failed: false };
	};
	/**
	 * A request of several parts (a long text) sends each recipient's parts in order, one at a
	 * time; after a part fails, the rest are not sent (a text with a hole reads wrong) and each
	 * says so.
	 */
	const send = async (
		itemIndex: number,
		request: GatewayRequest,
		first: ReadyMessage<Record<string, unknown>> | undefined,
	) => {
		const parts = request.parts ?? 1;
		const perRecipient = await inLanes(request.recipients.length, lanes, async (slot) => {
			const recipient = request.recipients[slot];
			const sent: INodeExecutionData[] = [];
			for (let part = 0; part < parts; part++) {
				const readyAhead = slot === 0 && part === 0 ? first : undefined;
				const one = await sendOne(itemIndex, request, recipient, part, readyAhead);
				sent.push(...one.items);
				if (one.failed) {
					for (let rest = part + 1; rest < parts; rest++)
						sent.push(
							failed(itemIndex, new PartNotSentError(rest, parts, part), recipient || undefined),
						);
					break;
				}
			}
			return sent;
		});
		return perRecipient.flat();
	};

	const output: INodeExecutionData[] = [];
	let itemIndex = 0;
	try {
		await recipientCheck?.lookUpRun(readerFor, items.length);
		let next: Prepared | undefined;
		for (; itemIndex < items.length; itemIndex++) {
			const current = next ?? (await prepare(itemIndex));
			next = undefined;
			if ('error' in current) {
				output.push(failed(itemIndex, current.error));
				continue;
			}
			// Without Check Recipients, an item waits for nothing before its first message.
			const refused = recipientCheck && (await recipientCheck.refusal(current.request.recipients));
			if (refused) {
				output.push(failed(itemIndex, refused.error, refused.recipient));
				continue;
			}
			const sending = send(itemIndex, current.request, current.first);
			if (itemIndex + 1 < items.length)
				next = await prepareWhileSending(sending, () => prepare(itemIndex + 1));
			output.push(...(await sending));
		}
	} catch (error) {
		// inLanes gives up only once the lanes under way have settled: the tally is complete.
		const nodeError =
			error instanceof StopRun ? error.nodeError : toNodeError(node, error, { itemIndex });
		throw withSentSummary(nodeError, tally, memory.retryMemory);
	} finally {
		await client.close();
	}
	// n8n runs the node again only when it throws, or when its first output item is an error
	// (WorkflowExecute's retry check). Otherwise this run is over and the ledger can let it go.
	if (!output[0]?.json.error) await memory.release();
	return output;
}
