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
	continueOnFail?: boolean;
	retryOnFail?: { maxTries: number; waitBetweenTries?: number };
	executionId?: string;
	/** Lets a test stop the execution, as the editor's Stop button does. */
	onStarted?: (cancel: () => void) => void;
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
