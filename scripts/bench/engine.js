// @ts-check
'use strict';
/**
 * The built node (dist/) through n8n-core's real WorkflowExecute, with the harness the tests use
 * (scripts/lib/engine.js): a start node that emits the items it is handed (no JSON parameter to
 * parse, so nothing but the WeChat node's own work is measured), then the node. `onNode` hooks
 * fire right before and after the WeChat node runs.
 */
const path = require('node:path');

const { ROOT, PACKAGE_ROOT, DIST } = require('./workload');

process.env.N8N_USER_FOLDER ??= path.join(ROOT, '.bench/engine-home');
process.env.N8N_LOG_LEVEL ??= 'silent';

const engine = require('../lib/engine');

const { WeChatGateway } = require(path.join(DIST, 'WeChatGateway.node.js'));
const { WeChatGatewayApi } = require(
	path.join(PACKAGE_ROOT, 'dist/credentials/WeChatGatewayApi.credentials.js'),
);

const node = new WeChatGateway();
const credentialType = new WeChatGatewayApi();

/**
 * @param {{ parameters: Record<string, unknown>, credentials: Record<string, unknown>, items: Array<Record<string, unknown>>,
 *   onNode?: { before?: () => void, after?: () => void } }} options
 * @returns {Promise<{ items: Array<{ json: Record<string, any> }>, error?: any, executionTime?: number }>}
 */
async function runNode(options) {
	const { items, error, executionTime } = await engine.runWeChatNode({
		...options,
		node,
		credentialType,
	});
	return { items, error, executionTime };
}

module.exports = { runNode, WECHAT_TYPE: engine.WECHAT_NODE_TYPE };
