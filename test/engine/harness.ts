/**
 * The WeChat node (its TypeScript source) through n8n's real execution engine: the shared
 * harness of scripts/lib/engine.js, typed for the tests.
 */
import path from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	IRun,
} from 'n8n-workflow';

import { WeChatGatewayApi } from '../../credentials/WeChatGatewayApi.credentials';
import { weChatNode } from '../support/node';

process.env.N8N_USER_FOLDER ??= path.resolve(__dirname, '../../.test-n8n');
process.env.N8N_LOG_LEVEL ??= 'silent';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = require('../../scripts/lib/engine') as {
	runWeChatNode(options: RunOptions & { node: unknown; credentialType: unknown }): Promise<NodeRun>;
};

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
	/** Item i's files, by binary property, stored through n8n's binary helpers. */
	binaries?: Array<
		Record<string, { data: Buffer; fileName?: string; mimeType?: string }> | undefined
	>;
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

export async function runWeChatNode(options: RunOptions): Promise<NodeRun> {
	return await engine.runWeChatNode({
		...options,
		// As a saved workflow's data would be: plain JSON, and the test's own objects untouched.
		items: options.items && (JSON.parse(JSON.stringify(options.items)) as IDataObject[]),
		node: weChatNode(),
		credentialType: new WeChatGatewayApi(),
	});
}
