import { CredentialSettingsError, gatewaySettingsFrom, type GatewaySettings } from './settings';

export interface GatewaySocketSettings extends GatewaySettings {
	/** ws:// or wss://, with any path and query the user gave. */
	webSocketUrl: string;
}

const FIELD = 'WebSocket URL';

/**
 * The credential, validated as for sending, plus where the socket is: the WebSocket URL as
 * given, or the base URL with ws(s):// and /ws, which is where public gateways of this family serve it.
 */
export function gatewaySocketSettingsFrom(
	credentials: Record<string, unknown>,
): GatewaySocketSettings {
	const settings = gatewaySettingsFrom(credentials);
	const given = typeof credentials.webSocketUrl === 'string' ? credentials.webSocketUrl.trim() : '';
	if (given === '') {
		const url = new URL(`${settings.baseUrl}/ws`);
		url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
		return { ...settings, webSocketUrl: url.toString() };
	}
	if (!URL.canParse(given)) {
		throw new CredentialSettingsError(
			FIELD,
			`"${FIELD}" is not a URL (expected e.g. ws://127.0.0.1:8080/ws)`,
		);
	}
	const url = new URL(given);
	if (url.protocol === 'http:') url.protocol = 'ws:';
	else if (url.protocol === 'https:') url.protocol = 'wss:';
	if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
		throw new CredentialSettingsError(
			FIELD,
			`"${FIELD}" must start with ws:// or wss://, not ${url.protocol}//`,
		);
	}
	if (url.hash)
		throw new CredentialSettingsError(FIELD, `"${FIELD}" must not contain a fragment (#…)`);
	if (url.username || url.password) {
		throw new CredentialSettingsError(
			FIELD,
			`"${FIELD}" must not contain a user name or password; use the Header authentication instead`,
		);
	}
	return { ...settings, webSocketUrl: url.toString() };
}

/** The URL as it may appear in a log line: a query can carry a token, so only where it points. */
export function socketUrlForLog(webSocketUrl: string): string {
	const url = new URL(webSocketUrl);
	return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}
