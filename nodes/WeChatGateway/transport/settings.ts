import { isWeChatId } from '../wechat';

/** What the gateway needs to know, read once per execution from the credential. */
export interface GatewaySettings {
	/** Normalised: http(s), no trailing slash, path prefix kept. */
	baseUrl: string;
	wxid: string;
	timeoutSeconds: number;
	authHeader?: { name: string; value: string };
	allowUnauthorizedCerts: boolean;
	/**
	 * The sending account, the same for every spelling of one gateway (localhost, 127.0.0.1,
	 * [::ffff:127.0.0.1], a default port written out): what pacing shares a budget by.
	 */
	accountKey?: string;
	/** Where downloaded media is written and read (voice), and whether received URLs may be private. */
	media?: MediaDownloadSettings;
}

export interface MediaDownloadSettings {
	/** "Media Download Folder": a folder on the gateway host, without a trailing separator. */
	folder?: string;
	/** "Media Download URL": where that folder is served, without a trailing slash. */
	url?: string;
	/** "Allow Private Media URLs". */
	allowPrivate: boolean;
}

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
/**
 * Headers the node or HTTP itself sets: an auth header by one of these names would override
 * the node's own (Content-Type, Accept) or break the framing of the request (Content-Length,
 * Transfer-Encoding, Host, Connection…).
 */
const RESERVED_HEADERS = new Set([
	'accept',
	'accept-encoding',
	'connection',
	'content-encoding',
	'content-length',
	'content-type',
	'expect',
	'host',
	'keep-alive',
	'proxy-connection',
	'te',
	'trailer',
	'transfer-encoding',
	'upgrade',
]);

function indexOfChar(text: string, matches: (code: number) => boolean): number {
	for (let at = 0; at < text.length; at++) if (matches(text.charCodeAt(at))) return at;
	return -1;
}

/** Every loopback spelling is one machine: 127.0.0.0/8, ::1, and IPv4-mapped ::ffff:127.x. */
function hostKey(hostname: string): string {
	const host = hostname
		.replace(/^\[|\]$/g, '')
		.toLowerCase()
		.replace(/\.$/, '');
	if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return 'loopback';
	if (/^127\.\d+\.\d+\.\d+$/.test(host)) return 'loopback';
	// WHATWG URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
	const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
	if (mapped) {
		const high = Number.parseInt(mapped[1], 16);
		const low = Number.parseInt(mapped[2], 16);
		const ipv4 = [high >> 8, high & 255, low >> 8, low & 255].join('.');
		return hostKey(ipv4);
	}
	const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
	return dotted ? hostKey(dotted[1]) : host;
}

/**
 * One key per account of one gateway, whatever the spelling of its Base URL: host by what it
 * points at (loopback), the port written out, the path prefix without trailing slashes.
 */
export function accountKeyOf(url: URL, wxid: string): string {
	const port = url.port || (url.protocol === 'https:' ? '443' : '80');
	const path = url.pathname.replace(/\/+$/, '');
	return `${hostKey(url.hostname)}:${port}${path}\u0000${wxid}`;
}

/** Validates the credential once, before any call, and normalises the base URL. */
export function gatewaySettingsFrom(credentials: Record<string, unknown>): GatewaySettings {
	const rawUrl = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	if (rawUrl === '')
		throw new CredentialSettingsError('Gateway Base URL', '"Gateway Base URL" is empty');
	if (!URL.canParse(rawUrl)) {
		// Text before an @ may be a user name and password: such a URL is not quoted back.
		const shown = rawUrl.includes('@')
			? ''
			: `: ${JSON.stringify(rawUrl.length > 100 ? `${rawUrl.slice(0, 100)}…` : rawUrl)}`;
		throw new CredentialSettingsError(
			'Gateway Base URL',
			`"Gateway Base URL" is not a URL${shown} (expected e.g. http://127.0.0.1:8080)`,
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
		if (RESERVED_HEADERS.has(name.toLowerCase()))
			throw new CredentialSettingsError(
				'Header Name',
				`"Header Name" cannot be ${name}: the node sets that header itself (use e.g. Authorization or X-API-Key)`,
			);
		if (value === '') throw new CredentialSettingsError('Header Value', '"Header Value" is empty');
		// Which character is said by position only: the value is a secret.
		if (/[\r\n\0]/.test(value))
			throw new CredentialSettingsError(
				'Header Value',
				'"Header Value" contains a line break or NUL, which a header cannot carry',
			);
		const control = indexOfChar(value, (code) => (code < 0x20 && code !== 0x09) || code === 0x7f);
		if (control !== -1)
			throw new CredentialSettingsError(
				'Header Value',
				`"Header Value" contains a control character (position ${control + 1}), which a header cannot carry`,
			);
		const wide = indexOfChar(value, (code) => code > 0xff);
		if (wide !== -1)
			throw new CredentialSettingsError(
				'Header Value',
				`"Header Value" contains a character outside Latin-1 (position ${wide + 1}), which a header cannot carry; encode it (e.g. base64) the way the gateway expects`,
			);
		authHeader = { name, value };
	}

	return {
		baseUrl,
		accountKey: accountKeyOf(url, wxid),
		media: mediaSettingsFrom(credentials),
		wxid,
		timeoutSeconds,
		authHeader,
		allowUnauthorizedCerts: credentials.ignoreSslIssues === true,
	};
}

/** An absolute folder on the gateway host, which may run Linux (/srv/media) or Windows (D:\\media). */
const ABSOLUTE_FOLDER = /^(?:\/|[A-Za-z]:[\\/])/;

/** The three media fields; empty ones are left out, so that only a download that needs them fails. */
function mediaSettingsFrom(credentials: Record<string, unknown>): MediaDownloadSettings {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const folder = text(credentials.mediaDownloadFolder).replace(/(?<=.)[\\/]+$/, '');
	if (folder !== '' && !ABSOLUTE_FOLDER.test(folder))
		throw new CredentialSettingsError(
			'Media Download Folder',
			'"Media Download Folder" must be an absolute folder on the gateway host, e.g. /srv/wechat-media or D:\\wechat-media',
		);
	const url = text(credentials.mediaDownloadUrl);
	let parsed: URL | undefined;
	if (url !== '') {
		parsed = URL.canParse(url) ? new URL(url) : undefined;
		if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
			throw new CredentialSettingsError(
				'Media Download URL',
				'"Media Download URL" must be an http(s) URL, e.g. http://127.0.0.1:8081/media',
			);
		if (parsed.username || parsed.password || parsed.search || parsed.hash)
			throw new CredentialSettingsError(
				'Media Download URL',
				'"Media Download URL" must not contain a user name, password, query or fragment',
			);
	}
	return {
		folder: folder || undefined,
		url: parsed && `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`,
		allowPrivate: credentials.allowPrivateMediaUrls === true,
	};
}
