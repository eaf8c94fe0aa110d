/**
 * Runs the node's execute() with parameters handed over already resolved, as n8n hands them
 * after evaluating expressions, without n8n's expression engine (about 1 ms per expression
 * and item). For the generated-input tests, whose thousands of cases would otherwise spend a
 * minute in expression evaluation; the same tests also run a sample through the real engine.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { weChatNode } from './node';

export type DirectParameter = unknown | ((item: IDataObject, itemIndex: number) => unknown);

export interface DirectRun {
	items: INodeExecutionData[];
	error?: Error & { description?: string | null };
}

export async function runDirect(options: {
	credentials: Record<string, unknown>;
	items: IDataObject[];
	/** Values, or functions of the item for what would be an expression. */
	parameters: Record<string, DirectParameter>;
	continueOnFail?: boolean;
	executionId?: string;
}): Promise<DirectRun> {
	const node: INode = {
		id: 'direct',
		name: 'WeChat Gateway',
		type: 'n8n-nodes-wechat-gateway.weChatGateway',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const input = options.items.map((json) => ({ json }));
	const resolve = (value: DirectParameter, itemIndex: number): unknown => {
		if (typeof value === 'function')
			return (value as (item: IDataObject, i: number) => unknown)(
				options.items[itemIndex],
				itemIndex,
			);
		if (value && typeof value === 'object' && !Array.isArray(value)) {
			return Object.fromEntries(
				Object.entries(value).map(([k, v]) => [k, resolve(v as DirectParameter, itemIndex)]),
			);
		}
		return value;
	};
	const context = {
		getInputData: () => input,
		getNode: () => node,
		continueOnFail: () => options.continueOnFail === true,
		getCredentials: async () => ({ ...options.credentials }),
		getExecutionId: () => options.executionId ?? 'direct-execution',
		getMode: () => 'manual',
		getWorkflow: () => ({ id: 'direct-workflow', name: 'direct', active: false }),
		getExecutionCancelSignal: () => undefined,
		getWorkflowDataProxy: () => ({ $runIndex: 0 }),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const value =
				name in options.parameters ? resolve(options.parameters[name], itemIndex) : undefined;
			return value === undefined ? fallback : value;
		},
	} as unknown as IExecuteFunctions;
	try {
		const [items] = await weChatNode().execute.call(context);
		return { items };
	} catch (error) {
		return { items: [], error: error as DirectRun['error'] };
	}
}
