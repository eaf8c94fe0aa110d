import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { CREDENTIAL_NAME } from '../credentialName';
import { gatewaySettingsFrom, type GatewaySettings } from './settings';

/** The credential of the running node, checked; what `getCredentials` both node kinds offer. */
export async function readGatewaySettings(context: {
	getCredentials(name: string): Promise<ICredentialDataDecryptedObject>;
}): Promise<GatewaySettings> {
	return gatewaySettingsFrom(await context.getCredentials(CREDENTIAL_NAME));
}
