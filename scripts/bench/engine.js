// @ts-check
'use strict';
/**
 * The built node (dist/) run through n8n-core's real WorkflowExecute, as test/engine/harness.ts
 * does for the tests, in plain JS: a start node that emits the items it is handed (no JSON
 * parameter to parse, so nothing but the WeChat node's own work is measured), then the node.
 * `onNode` hooks fire right before and after the WeChat node runs.
 */
const path = require('node:path');
const { randomUUID } = require('node:crypto');

const { ROOT, PACKAGE_ROOT, DIST } = require('./workload');

process.env.N8N_USER_FOLDER ??= path.join(ROOT, '.bench/engine-home');
process.env.N8N_LOG_LEVEL ??= 'silent';

const { ExecutionLifecycleHooks, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, NodeHelpers, Workflow } = require('n8n-workflow');

const { engineAdditionalData } = require(path.join(ROOT, 'test/engine/additionalData'));

const { WeChatGateway } = require(path.join(DIST, 'WeChatGateway.node.js'));
const { WeChatGatewayApi } = require(
	path.join(PACKAGE_ROOT, 'dist/credentials/WeChatGatewayApi.credentials.js'),
);

const WECHAT_TYPE = 'n8n-nodes-wechat-gateway.weChatGateway';
const FEED_TYPE = 'bench.feed';

/** @type {Array<Record<string, unknown>>} */
let feed = [];

class FeedTrigger {
	description = {
		displayName: 'Feed',
		name: 'feed',
		group: ['trigger'],
		version: 1,
		description: 'Emits the benchmark items',
		defaults: { name: 'Feed' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	};
	async execute() {
		return [feed.map((json) => ({ json }))];
	}
}

const instances = { [WECHAT_TYPE]: new WeChatGateway(), [FEED_TYPE]: new FeedTrigger() };
const nodeTypes = {
	getByName: (type) => instances[type],
	getByNameAndVersion: (type, version) =>
		NodeHelpers.getVersionedNodeType(instances[type], version),
	getKnownTypes: () => ({}),
};

class CredentialsHelper extends ICredentialsHelper {
	constructor(data) {
		super();
		this.data = data;
	}
	getParentTypes = () => [];
	isCredentialUsableByNode = () => true;
	authenticate = async (_c, _t, options) => options;
	preAuthentication = async () => undefined;
	runPreAuthentication = async () => undefined;
	getCredentials = async () => ({});
	getDecrypted = async () => ({ ...this.data });
	updateCredentials = async () => undefined;
	updateCredentialsOauthTokenData = async () => undefined;
	getCredentialsProperties = () => new WeChatGatewayApi().properties;
}

/**
 * @param {{ parameters: Record<string, unknown>, credentials: Record<string, unknown>, items: Array<Record<string, unknown>>,
 *   onNode?: { before?: () => void, after?: () => void } }} options
 * @returns {Promise<{ items: Array<{ json: Record<string, any> }>, error?: any, executionTime?: number }>}
 */
async function runNode({ parameters, credentials, items, onNode = {} }) {
	feed = items;
	const trigger = {
		id: randomUUID(),
		name: 'Feed',
		type: FEED_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const wechat = {
		id: randomUUID(),
		name: 'WeChat Gateway',
		type: WECHAT_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters,
		credentials: { weChatGatewayApi: { id: 'bench-credential', name: 'Bench gateway' } },
	};
	const connections = { Feed: { main: [[{ node: wechat.name, type: 'main', index: 0 }]] } };
	const workflow = new Workflow({
		id: 'bench-workflow',
		name: 'WeChat bench',
		nodes: [trigger, wechat],
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const executionId = randomUUID();
	const hooks = new ExecutionLifecycleHooks(
		'manual',
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
	);
	hooks.addHandler('nodeExecuteBefore', (nodeName) => {
		if (nodeName === wechat.name) onNode.before?.();
	});
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		if (nodeName === wechat.name) onNode.after?.();
	});
	const additionalData = engineAdditionalData({
		credentialsHelper: new CredentialsHelper(credentials),
		hooks,
		executionId,
	});
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: trigger,
	});
	feed = [];
	const taskData = run.data.resultData.runData[wechat.name]?.at(-1);
	return {
		items: /** @type {any} */ (taskData?.data?.main?.[0] ?? []),
		error: taskData?.error ?? run.data.resultData.error,
		executionTime: taskData?.executionTime,
	};
}

module.exports = { runNode, WECHAT_TYPE };
