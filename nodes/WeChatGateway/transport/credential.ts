import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { WeChatGatewayApi } from '../../../credentials/WeChatGatewayApi.credentials';
import type { GatewaySettings } from './gateway';
import { gatewaySettingsFrom } from './settings';

/**
 * The credential type both nodes use, read from its definition. The nodes' descriptions spell it
 * out as well, because n8n's lint checks that literal against the package's credentials.
 */
export const CREDENTIAL_NAME = new WeChatGatewayApi().name;

/** The credential of the running node, checked; what `getCredentials` both node kinds offer. */
export async function readGatewaySettings(context: {
	getCredentials(name: string): Promise<ICredentialDataDecryptedObject>;
}): Promise<GatewaySettings> {
	return gatewaySettingsFrom(await context.getCredentials(CREDENTIAL_NAME));
}
