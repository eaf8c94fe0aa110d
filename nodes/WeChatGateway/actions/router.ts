import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { downloadItems } from './downloadItems';
import { toNodeError } from './errors';
import { parameterReaders } from './itemParameters';
import type { LocalOperation } from './operation';
import { DEFAULT_RESOURCE, findOperation } from './registry';
import { sendItems, type ClientTuning } from './send/sendItems';

function runLocal(context: IExecuteFunctions, operation: LocalOperation): INodeExecutionData[] {
	const readerFor = parameterReaders(context);
	return context.getInputData().map((_item, itemIndex) => {
		try {
			return { json: operation.run(readerFor(itemIndex)), pairedItem: { item: itemIndex } };
		} catch (error) {
			const nodeError = toNodeError(context.getNode(), error, { itemIndex });
			if (!context.continueOnFail()) throw nodeError;
			return { json: { error: nodeError.message }, pairedItem: { item: itemIndex } };
		}
	});
}

/** Hands the items to the chosen operation: a local one item by item, a sending one to the send loop. */
export async function route(
	this: IExecuteFunctions,
	tuning: ClientTuning = {},
): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0, DEFAULT_RESOURCE) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = findOperation(resource, operationName);
	if (!operation)
		throw toNodeError(
			this.getNode(),
			new Error(`Unknown operation "${operationName}" of resource "${resource}"`),
			{ itemIndex: 0 },
		);
	if ('toDownload' in operation) return [await downloadItems(this, operation)];
	if (!operation.sends) return [runLocal(this, operation)];
	return [await sendItems(this, operation, tuning)];
}
