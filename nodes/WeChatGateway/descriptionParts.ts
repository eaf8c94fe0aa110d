import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
	NodeConnectionType,
} from 'n8n-workflow';

import { testGatewayConnection } from './transport/connectionTest';

/**
 * Not NodeConnectionTypes.Main: that object only exists from n8n-workflow 1.83 (n8n 1.83), and
 * reading it on an older n8n made the whole package, credential included, fail to load.
 */
export const MAIN_CONNECTION: NodeConnectionType = 'main';

export const WECHAT_ICON = { light: 'file:wechat.svg', dark: 'file:wechat.dark.svg' } as const;

/**
 * The credential test both nodes offer (`testedBy: 'weChatGatewayConnectionTest'`), so the
 * credential can be tested from either.
 */
export const credentialTestMethods = {
	credentialTest: {
		async weChatGatewayConnectionTest(
			this: ICredentialTestFunctions,
			credential: ICredentialsDecrypted,
		): Promise<INodeCredentialTestResult> {
			return await testGatewayConnection(credential.data ?? {});
		},
	},
};
