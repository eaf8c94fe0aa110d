import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { buildAppMsgXml } from '../appmsg/build';
import { appMsgType } from '../appmsg/model';
import { deliver, type Delivery } from '../delivery/deliver';
import { readDeliveryOptions } from '../delivery/options';
import { GatewayClient } from '../transport/gateway';
import { gatewaySettingsFrom } from '../transport/settings';
import type { LocalOperation, ParameterReader, SendOperation } from './appMsgOperation';
import { toNodeError } from './errors';
import { parseRecipients } from './recipients';
import { operations } from './registry';

export const CREDENTIAL_TYPE = 'weChatGatewayApi';

function parameterReader(context: IExecuteFunctions, itemIndex: number): ParameterReader {
	return { itemIndex, get: (name, fallback) => context.getNodeParameter(name, itemIndex, fallback) };
}

/** Runs `work` over `count` slots, at most `limit` at a time, keeping results in slot order. */
async function inSlots<T>(count: number, limit: number, work: (slot: number) => Promise<T>): Promise<T[]> {
	const results = new Array<T>(count);
	let next = 0;
	const lane = async () => {
		for (let slot = next++; slot < count; slot = next++) results[slot] = await work(slot);
	};
	await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
	return results;
}

function runLocal(context: IExecuteFunctions, operation: LocalOperation): INodeExecutionData[] {
	const items = context.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push({ json: operation.run(parameterReader(context, itemIndex)), pairedItem: { item: itemIndex } });
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

async function runSend(context: IExecuteFunctions, operation: SendOperation): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const node = context.getNode();
	const continueOnFail = context.continueOnFail();
	const errorItem = (itemIndex: number, error: unknown, recipient?: string): INodeExecutionData => {
		const nodeError = toNodeError(node, error, { itemIndex, recipient });
		if (!continueOnFail) throw nodeError;
		const json: IDataObject = { error: nodeError.message };
		if (recipient) json.ToUserName = recipient;
		const response = (nodeError as { errorResponse?: IDataObject }).errorResponse;
		if (response?.Ret !== undefined) json.Ret = response.Ret;
		if (response?.ErrMsg !== undefined) json.ErrMsg = response.ErrMsg;
		if (response?.delivery !== undefined) json.delivery = response.delivery;
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

	const client = new GatewayClient(settings, { connections: options.concurrency });
	const delivery: Delivery = {
		client,
		options,
		executionId: context.getExecutionId?.(),
		nodeName: node.name,
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
					const json: IDataObject = {
						ToUserName: recipient,
						NewMsgId: result.NewMsgId,
						ClientMsgId: result.ClientMsgId,
						Ret: result.Ret,
						ErrMsg: result.ErrMsg,
						type: prepared.type,
					};
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
	return output;
}

/** Hands each item to its operation and applies n8n's error policy to the outcome. */
export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = operations[operationName];
	if (!operation) throw toNodeError(this.getNode(), new Error(`Unknown operation "${operationName}"`), { itemIndex: 0 });
	if (operation.kind === 'local') return [runLocal(this, operation)];
	return [await runSend(this, operation)];
}
