import { readEnvelope } from '../envelope';
import type { SendOperation } from '../operation';

/**
 * Asks the phone of the credential's account to confirm a new login (GET /v2/login/push): after
 * the gateway lost the session, the owner taps "log in" on the phone instead of scanning a code.
 */
export const requestLogin: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Request Login',
		value: 'requestLogin',
		action: 'Ask the phone to log the account in again',
		description:
			"Ask the phone of the credential's account to confirm a new login, e.g. after the trigger's accountOffline event (GET /v2/login/push); needs no input",
	},
	properties: [],
	toRequest() {
		return {
			recipients: [''],
			unpaced: true,
			messageFor: () => ({
				call: { method: 'GET', path: '/v2/login/push', forAccount: true },
			}),
			readReply: readEnvelope,
		};
	},
};
