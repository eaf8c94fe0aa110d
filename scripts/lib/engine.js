// @ts-check
'use strict';
/**
 * The WeChat node run through n8n-core's real execution engine (WorkflowExecute): real parameter
 * and expression resolution, pairedItem, continueOnFail and retryOnFail. Only what a server would
 * provide (credential storage, URLs, hooks) is stood in for here. One home for the jest tests
 * (test/support/engine.ts hands it the TypeScript node) and the benchmark (scripts/bench/engine.js
 * hands it the built node from dist/).
 *
 * n8n-core reads N8N_USER_FOLDER when it is first required: set it before requiring this file.
 */
const { randomUUID } = require('node:crypto');

const { ExecutionLifecycleHooks, ExternalSecretsProxy, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, NodeHelpers, Workflow } = require('n8n-workflow');

const WECHAT_NODE_TYPE = 'n8n-nodes-wechat-gateway.weChatGateway';
const FEED_TYPE = 'engine.feed';

/**
 * A start node that emits the items it was made with, like a trigger fed by another system.
 * An item's files (`binaries[i]`) are stored through n8n's binary helpers, as a node that reads
 * files would store them.
 */
class FeedTrigger {
	/**
	 * @param {Array<Record<string, unknown>>} items
	 * @param {Array<Record<string, { data: Buffer, fileName?: string, mimeType?: string }> | undefined>} binaries
	 */
	constructor(items, binaries) {
		// n8n calls execute() with its own context as `this`: the items stay in this closure.
		/** @this {any} */
		this.execute = async function () {
			return [
				await Promise.all(
					items.map(async (json, index) => {
						const files = binaries[index];
						if (!files) return { json };
						/** @type {Record<string, unknown>} */
						const binary = {};
						for (const [name, file] of Object.entries(files))
							binary[name] = await this.helpers.prepareBinaryData(
								file.data,
								file.fileName,
								file.mimeType,
							);
						return { json, binary };
					}),
				),
			];
		};
		this.description = {
			displayName: 'Feed',
			name: 'feed',
			group: ['trigger'],
			version: 1,
			description: 'Emits the items of the run',
			defaults: { name: 'Feed' },
			inputs: [],
			outputs: ['main'],
			properties: [],
		};
	}
}

/** Hands out the run's credential. Like n8n, it never shows it to anything but the node. */
class RunCredentialsHelper extends ICredentialsHelper {
	/**
	 * @param {Record<string, unknown>} data
	 * @param {unknown[]} properties the credential type's fields
	 */
	constructor(data, properties) {
		super();
		this.data = data;
		this.properties = properties;
	}
	getParentTypes = () => [];
	isCredentialUsableByNode = () => true;
	/** @type {(c: unknown, t: string, options: unknown) => Promise<any>} */
	authenticate = async (_c, _t, options) => options;
	preAuthentication = async () => undefined;
	runPreAuthentication = async () => undefined;
	getCredentials = async () => /** @type {any} */ ({});
	getDecrypted = async () => /** @type {any} */ ({ ...this.data });
	updateCredentials = async () => undefined;
	updateCredentialsOauthTokenData = async () => undefined;
	getCredentialsProperties = () => /** @type {any} */ (this.properties);
}

/**
 * What a server hands WorkflowExecute besides the workflow. Every *Url is a valid absolute URL:
 * an empty one makes each getNodeParameter call throw "Invalid URL".
 * @param {{ credentialsHelper: unknown, hooks: unknown, executionId: string }} parts
 * @returns {any}
 */
function additionalData({ credentialsHelper, hooks, executionId }) {
	const url = 'http://127.0.0.1:5678/';
	/** @param {string} what */
	const unused = (what) => async () => {
		throw new Error(`${what} is not used by these runs`);
	};
	return {
		credentialsHelper,
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${url}rest`,
		instanceBaseUrl: url,
		formBaseUrl: `${url}form`,
		formWaitingBaseUrl: `${url}form-waiting`,
		formTestBaseUrl: `${url}form-test`,
		webhookBaseUrl: `${url}webhook`,
		webhookWaitingBaseUrl: `${url}webhook-waiting`,
		webhookTestBaseUrl: `${url}webhook-test`,
		mcpBaseUrl: `${url}mcp`,
		mcpTestBaseUrl: `${url}mcp-test`,
		variables: {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		executeWorkflow: unused('a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: unused('a task runner'),
	};
}

/**
 * A failed execution's data as n8n's Retry (execution.service.js retry()) hands it to the new
 * execution: its error removed, and the failed node's errored run popped, so that node runs
 * again with the same input items while the nodes that succeeded are not run again.
 * @param {any} failed the failed run (IRun)
 */
function dataForRetry(failed) {
	const data = JSON.parse(JSON.stringify(failed.data));
	const { lastNodeExecuted } = data.resultData;
	delete data.resultData.error;
	const runs = lastNodeExecuted ? data.resultData.runData[lastNodeExecuted] : undefined;
	if (runs && runs.length > 0 && runs[runs.length - 1].error !== undefined) runs.pop();
	return data;
}

/**
 * Runs a workflow of two nodes: a feed that emits `items`, then the WeChat node.
 *
 * @param {{
 *   node: any,
 *   credentialType: { name: string, properties: unknown[] },
 *   parameters: Record<string, unknown>,
 *   credentials: Record<string, unknown>,
 *   items?: Array<Record<string, unknown>>,
 *   binaries?: Array<Record<string, { data: Buffer, fileName?: string, mimeType?: string }> | undefined>,
 *   continueOnFail?: boolean,
 *   retryOnFail?: { maxTries: number, waitBetweenTries?: number },
 *   executionId?: string,
 *   onStarted?: (cancel: () => void) => void,
 *   onNode?: { before?: () => void, after?: () => void },
 *   retryOf?: { executionId: string, run: any },
 *   hideRetryOf?: boolean,
 *   workflowId?: string,
 *   asTool?: boolean,
 * }} options `node`: the WeChat node instance; `credentialType`: an instance of the credential
 *   class, whose name and fields the run uses; `onStarted` lets a caller stop the execution as
 *   the editor's Stop button does; `binaries[i]` are item i's files; `onNode` fires right before and after each run of the node;
 *   `retryOf` runs it as n8n's Retry of that failed run (see `dataForRetry`); `hideRetryOf`
 *   leaves retryOf off the hooks, as if n8n stopped exposing it; `asTool` gives the node the type
 *   n8n gives a node's AI tool form (its name with `Tool` appended), fed by the run's items.
 * @returns {Promise<{ run: any, items: any[], error?: any, tries: number, executionTime?: number }>}
 *   `items`: the node's output of its last run (after n8n's own retries); `tries`: how often n8n
 *   ran it; `executionTime`: its last run's, as n8n records it.
 */
async function runWeChatNode(options) {
	const { node, parameters, credentials, onNode = {} } = options;
	const feed = new FeedTrigger(options.items ?? [{}], options.binaries ?? []);
	/** @type {Record<string, any>} */
	const wechatType = options.asTool ? `${WECHAT_NODE_TYPE}Tool` : WECHAT_NODE_TYPE;
	const instances = { [wechatType]: node, [FEED_TYPE]: feed };
	const nodeTypes = {
		/** @param {string} type */
		getByName: (type) => instances[type],
		/** @param {string} type @param {number} version */
		getByNameAndVersion: (type, version) =>
			NodeHelpers.getVersionedNodeType(instances[type], version),
		getKnownTypes: () => ({}),
	};
	const trigger = {
		id: randomUUID(),
		name: 'Feed',
		type: FEED_TYPE,
		typeVersion: 1,
		position: /** @type {[number, number]} */ ([0, 0]),
		parameters: {},
	};
	const wechat = {
		id: randomUUID(),
		name: 'WeChat Gateway',
		type: wechatType,
		typeVersion: 1,
		position: /** @type {[number, number]} */ ([200, 0]),
		parameters,
		credentials: {
			[options.credentialType.name]: { id: 'engine-credential', name: 'Engine gateway' },
		},
		...(options.continueOnFail ? { onError: /** @type {const} */ ('continueRegularOutput') } : {}),
		...(options.retryOnFail
			? {
					retryOnFail: true,
					maxTries: options.retryOnFail.maxTries,
					waitBetweenTries: options.retryOnFail.waitBetweenTries ?? 0,
				}
			: {}),
	};
	const connections = {
		[trigger.name]: { main: [[{ node: wechat.name, type: 'main', index: 0 }]] },
	};
	const workflow = new Workflow({
		id: options.workflowId ?? 'engine-workflow',
		name: 'WeChat engine run',
		nodes: [trigger, wechat],
		connections: /** @type {any} */ (connections),
		active: false,
		nodeTypes: /** @type {any} */ (nodeTypes),
		settings: { executionOrder: 'v1' },
	});

	const executionId = options.executionId ?? randomUUID();
	let tries = 0;
	const mode = options.retryOf ? 'retry' : 'manual';
	const hooks = new ExecutionLifecycleHooks(
		mode,
		executionId,
		/** @type {any} */ ({
			id: workflow.id,
			name: workflow.name,
			active: false,
			isArchived: false,
			nodes: [trigger, wechat],
			connections,
			settings: {},
			createdAt: new Date(),
			updatedAt: new Date(),
		}),
		options.retryOf?.executionId,
	);
	if (options.hideRetryOf) delete (/** @type {any} */ (hooks).retryOf);
	hooks.addHandler('nodeExecuteBefore', (nodeName) => {
		if (nodeName !== wechat.name) return;
		tries++;
		onNode.before?.();
	});
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		if (nodeName === wechat.name) onNode.after?.();
	});

	const engine = new WorkflowExecute(
		additionalData({
			credentialsHelper: new RunCredentialsHelper(credentials, options.credentialType.properties),
			hooks,
			executionId,
		}),
		mode,
		options.retryOf ? dataForRetry(options.retryOf.run) : undefined,
	);
	const execution = options.retryOf
		? engine.processRunExecutionData(workflow)
		: engine.run({ workflow, startNode: trigger });
	options.onStarted?.(() => execution.cancel());
	const run = await execution;
	const taskData = run.data.resultData.runData[wechat.name]?.at(-1);
	return {
		run,
		items: /** @type {any[]} */ (taskData?.data?.main?.[0] ?? []),
		error: taskData?.error ?? run.data.resultData.error,
		tries,
		executionTime: taskData?.executionTime,
	};
}

module.exports = { runWeChatNode, WECHAT_NODE_TYPE };
