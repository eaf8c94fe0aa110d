// @ts-check
'use strict';
/**
 * What a server hands n8n-core's WorkflowExecute besides the workflow: URLs, hooks, the
 * credential helper and the services these tests do not use. Shared by the jest engine harness
 * (test/engine/harness.ts) and the benchmark (scripts/bench/engine.js).
 */
const { ExternalSecretsProxy } = require('n8n-core');

/**
 * @param {{ credentialsHelper: unknown, hooks: unknown, executionId: string }} parts
 * @returns {any} an IWorkflowExecuteAdditionalData; every *Url is a valid absolute URL, since an
 *   empty one makes each getNodeParameter call throw "Invalid URL".
 */
function engineAdditionalData({ credentialsHelper, hooks, executionId }) {
	const url = 'http://127.0.0.1:5678/';
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

module.exports = { engineAdditionalData };
