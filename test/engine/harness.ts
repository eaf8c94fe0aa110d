/**
 * Runs workflows through n8n's real execution engine (n8n-core's WorkflowExecute): real
 * parameter and expression resolution, pairedItem, continueOnFail and retryOnFail. Only the
 * parts a server would provide (credential storage, URLs, hooks) are stood in for here.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';

process.env.N8N_USER_FOLDER ??= path.resolve(__dirname, '../../.test-n8n');
process.env.N8N_LOG_LEVEL ??= 'silent';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	type ICredentials,
	type IHttpRequestOptions,
	type INodeProperties,
	type INodeParameters,
} from 'n8n-workflow';

import { WeChatGatewayApi } from '../../credentials/WeChatGatewayApi.credentials';
import { weChatNode } from '../support/node';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { engineAdditionalData } = require('./additionalData') as {
	engineAdditionalData(parts: object): unknown;
};

/** A start node that emits the items it is given, like a trigger fed by a previous system. */
class TestItemsTrigger implements INodeType {
	description = {
		displayName: 'Test Items',
		name: 'testItems',
		group: ['trigger'],
		version: 1,
		description: 'Emits the items in its "items" parameter',
		defaults: { name: 'Test Items' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

export const WECHAT_NODE_TYPE = 'n8n-nodes-wechat-gateway.weChatGateway';
const TRIGGER_TYPE = 'test.testItems';

const triggerNode = new TestItemsTrigger();
const nodeTypeOf = (type: string): INodeType =>
	type === WECHAT_NODE_TYPE ? weChatNode() : triggerNode;

const nodeTypes: INodeTypes = {
	getByName: nodeTypeOf,
	getByNameAndVersion: (type, version) =>
		NodeHelpers.getVersionedNodeType(nodeTypeOf(type), version),
	getKnownTypes: () => ({}),
};

/** Hands out the test's credential. Like n8n, it never shows it to anything but the node. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}
	getParentTypes = () => [];
	isCredentialUsableByNode = () => true;
	authenticate = async (
		_c: ICredentialDataDecryptedObject,
		_t: string,
		options: IHttpRequestOptions,
	) => options;
	preAuthentication = async () => undefined;
	runPreAuthentication = async () => undefined;
	getCredentials = async () => ({}) as ICredentials;
	getDecrypted = async () => ({ ...this.data });
	updateCredentials = async () => undefined;
	updateCredentialsOauthTokenData = async () => undefined;
	getCredentialsProperties = (): INodeProperties[] => new WeChatGatewayApi().properties;
}

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
}

/** The failed execution's data, prepared for its retry the way n8n's retry() prepares it. */
function dataForRetry(failed: IRun) {
	const data = JSON.parse(JSON.stringify(failed.data)) as IRun['data'];
	const { lastNodeExecuted } = data.resultData;
	delete data.resultData.error;
	if (lastNodeExecuted) {
		const runs = data.resultData.runData[lastNodeExecuted];
		if (runs && runs.length > 0 && runs[runs.length - 1].error !== undefined) runs.pop();
	}
	return data;
}

export async function runWeChatNode(options: RunOptions): Promise<NodeRun> {
	const trigger: INode = {
		id: randomUUID(),
		name: 'Test Items',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(options.items ?? [{}]) },
	};
	const wechat: INode = {
		id: randomUUID(),
		name: 'WeChat Gateway',
		type: WECHAT_NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: options.parameters,
		credentials: { weChatGatewayApi: { id: 'test-credential', name: 'Test gateway' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...(options.retryOnFail
			? {
					retryOnFail: true,
					maxTries: options.retryOnFail.maxTries,
					waitBetweenTries: options.retryOnFail.waitBetweenTries ?? 0,
				}
			: {}),
	};
	const connections: IConnections = {
		[trigger.name]: { main: [[{ node: wechat.name, type: 'main', index: 0 }]] },
	};
	const workflow = new Workflow({
		id: options.workflowId ?? 'test-workflow',
		name: 'WeChat test',
		nodes: [trigger, wechat],
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});

	const executionId = options.executionId ?? randomUUID();
	let tries = 0;
	const mode = options.retryOf ? 'retry' : 'manual';
	const retryOf = options.retryOf?.executionId;
	const hooks = new ExecutionLifecycleHooks(
		mode,
		executionId,
		{
			id: workflow.id,
			name: workflow.name ?? '',
			active: false,
			isArchived: false,
			nodes: [trigger, wechat],
			connections,
			settings: {},
			createdAt: new Date(),
			updatedAt: new Date(),
		} as never,
		retryOf,
	);
	if (options.hideRetryOf) delete (hooks as { retryOf?: string }).retryOf;
	hooks.addHandler('nodeExecuteBefore', (nodeName: string) => {
		if (nodeName === wechat.name) tries++;
	});

	const additionalData = engineAdditionalData({
		credentialsHelper: new TestCredentialsHelper(options.credentials),
		hooks,
		executionId,
	}) as IWorkflowExecuteAdditionalData;

	const execution = options.retryOf
		? new WorkflowExecute(
				additionalData,
				'retry',
				dataForRetry(options.retryOf.run),
			).processRunExecutionData(workflow)
		: new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: trigger });
	options.onStarted?.(() => execution.cancel());
	const run = await execution;
	const taskData = run.data.resultData.runData[wechat.name]?.at(-1);
	const items = taskData?.data?.main?.[0] ?? [];
	const error = (taskData?.error ?? run.data.resultData.error) as NodeRun['error'];
	return { run, items, error, tries };
}
