import { isWeChatId } from '../wechat';
import type { GatewaySettings } from './gateway';

/** A credential field that cannot work; `field` is the label a person sees in the credential. */
export class CredentialSettingsError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(`WeChat Gateway API credential: ${message}`);
		this.name = 'CredentialSettingsError';
	}
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Validates the credential once, before any call, and normalises the base URL. */
export function gatewaySettingsFrom(credentials: Record<string, unknown>): GatewaySettings {
	const rawUrl = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	if (rawUrl === '')
		throw new CredentialSettingsError('Gateway Base URL', '"Gateway Base URL" is empty');
	if (!URL.canParse(rawUrl)) {
		throw new CredentialSettingsError(
			'Gateway Base URL',
			`"Gateway Base URL" is not a URL: "${rawUrl.slice(0, 100)}" (expected e.g. http://127.0.0.1:8080)`,
		);
	}
	const url = new URL(rawUrl);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new CredentialSettingsError(
			'Gateway Base URL',
			`"Gateway Base URL" must start with http:// or https://, not ${url.protocol}//`,
		);
	}
	if (url.search || url.hash) {
		throw new CredentialSettingsError(
			'Gateway Base URL',
			'"Gateway Base URL" must not contain a query (?…) or fragment (#…); the node adds its own',
		);
	}
	if (url.username || url.password) {
		throw new CredentialSettingsError(
			'Gateway Base URL',
			'"Gateway Base URL" must not contain a user name or password; use the Header authentication instead',
		);
	}
	const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;

	const wxid = typeof credentials.wxid === 'string' ? credentials.wxid.trim() : '';
	if (wxid === '')
		throw new CredentialSettingsError('Sending Account wxid', '"Sending Account wxid" is empty');
	if (!isWeChatId(wxid)) {
		throw new CredentialSettingsError(
			'Sending Account wxid',
			'"Sending Account wxid" must be a WeChat ID such as wxid_a1b2c3 (letters, digits, _ - . @ only)',
		);
	}

	const timeoutSeconds =
		credentials.timeout === undefined || credentials.timeout === ''
			? 10
			: Number(credentials.timeout);
	if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 300) {
		throw new CredentialSettingsError(
			'Timeout (Seconds)',
			'"Timeout (Seconds)" must be a whole number from 1 to 300',
		);
	}

	let authHeader: GatewaySettings['authHeader'];
	if (credentials.authentication === 'header') {
		const name =
			typeof credentials.authHeaderName === 'string' ? credentials.authHeaderName.trim() : '';
		const value =
			typeof credentials.authHeaderSecret === 'string' ? credentials.authHeaderSecret : '';
		if (!HEADER_NAME.test(name))
			throw new CredentialSettingsError(
				'Header Name',
				'"Header Name" must be a valid HTTP header name, e.g. Authorization',
			);
		if (value === '') throw new CredentialSettingsError('Header Value', '"Header Value" is empty');
		if (/[\r\n\0]/.test(value))
			throw new CredentialSettingsError(
				'Header Value',
				'"Header Value" contains a line break or NUL, which a header cannot carry',
			);
		authHeader = { name, value };
	}

	return {
		baseUrl,
		wxid,
		timeoutSeconds,
		authHeader,
		allowUnauthorizedCerts: credentials.ignoreSslIssues === true,
	};
}
