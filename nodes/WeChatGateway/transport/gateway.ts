import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';

import { CGI, MSG_TYPE_APP, RET } from '../wechat';
import { parseJsonKeepingBigIntegers, stringifyJsonExact } from './exactJson';
import { findMsgId } from './messageIds';
import { secretRedactor } from './redact';

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
}

export type GatewayFailure =
	| 'ret'
	| 'http'
	| 'notJson'
	| 'badResponse'
	| 'timeout'
	| 'refused'
	| 'dns'
	| 'dropped'
	| 'tls'
	| 'proxy'
	| 'invalid'
	| 'forgotten'
	| 'aborted'
	| 'network';

/**
 * Failures that come back the same however often the request is made: a certificate that is
 * not accepted, a request undici refuses to make. Retrying them only costs time and handshakes.
 */
const REPEATING_KINDS = new Set<GatewayFailure>(['tls', 'invalid']);
/** undici's and Node's codes for a request that is wrong in itself, not in its circumstances. */
const INVALID_REQUEST_CODES = new Set([
	'UND_ERR_INVALID_ARG',
	'UND_ERR_NOT_SUPPORTED',
	'ERR_INVALID_ARG_TYPE',
	'ERR_INVALID_ARG_VALUE',
	'ERR_INVALID_CHAR',
	'ERR_INVALID_HTTP_TOKEN',
	'ERR_INVALID_URL',
	'ERR_HTTP_INVALID_HEADER_VALUE',
]);

/**
 * Whether the message may have reached WeChat. `notSent`: the gateway surely never got the
 * request. `rejected`: the gateway answered that it did not send. `unknown`: it may have.
 */
export type DeliveryOutcome = 'notSent' | 'rejected' | 'unknown';

export class GatewayError extends Error {
	constructor(
		readonly reason: GatewayFailure,
		message: string,
		readonly delivery: DeliveryOutcome,
		readonly details: {
			ret?: number;
			errMsg?: string;
			httpStatus?: number;
			bodyStart?: string;
		} = {},
	) {
		super(message);
		this.name = 'GatewayError';
	}

	/** Whether trying again can only give the same failure (so it is not retried). */
	get repeats(): boolean {
		// A proxy that wants credentials asks for them again on every try.
		if (this.reason === 'proxy') return this.details.httpStatus === 407;
		return REPEATING_KINDS.has(this.reason);
	}
}

/** One call of a WeChat cgi through the gateway's MagicCgi endpoint. */
export interface CgiCall {
	CgiCmd: number;
	CgiRequest: Record<string, unknown>;
}

/** The gateway's answer to a call WeChat accepted (Ret 0); 64-bit integers are exact strings. */
export interface CgiReply {
	Ret: number;
	ErrMsg: string;
	/** `{}` when the answer has none, or when it is a list (then in ResponseList). */
	ResponseData: Record<string, unknown>;
	/** The answer's ResponseData when it is a list: cgi 182 answers one contact per id asked. */
	ResponseList?: unknown[];
}

/** What a sent message's answer says; the fields of its output item. */
export interface SentMessage {
	NewMsgId: string;
	ClientMsgId: string;
	Ret: number;
	ErrMsg: string;
	[field: string]: unknown;
}

/** cgi 222 (sendappmsg) of one `<appmsg>` to one recipient. */
export function appMsgCall(toUserName: string, appMsgXml: string): CgiCall {
	return {
		CgiCmd: CGI.sendAppMsg,
		CgiRequest: { ToUserName: toUserName, AppMsgXml: appMsgXml, MsgType: MSG_TYPE_APP },
	};
}
/** Calls whose refusal is a message's: "WeChat refused the message". */
const MESSAGE_CGIS: ReadonlySet<number> = new Set([CGI.sendAppMsg, CGI.sendText]);
/** The client waits this much longer than the gateway's own timeout, so the gateway answers first. */
const DEFAULT_GRACE_MS = 5000;
/** HTTP statuses by which a gateway or the proxy in front of it refuses who is asking. */
const AUTH_REFUSALS = new Set([401, 403, 407]);
const AUTH_HINT =
	'. The gateway or its proxy refused the credential: check its Authentication, Header Name and Header Value';

/** An ErrMsg or ClientMsgId is a sentence or an id; longer ones are cut to this. */
const MAX_ERRMSG_CHARS = 1000;
/** A gateway answer is a few hundred bytes; anything this large is not one and is not read. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * How far undici got with one request. `connected`: it was handed a live connection and began
 * writing; `written`: it finished writing the whole request. Before `connected`, the gateway
 * cannot have the request, so a failure there is the only one that is safe to retry.
 */
interface WriteTracker {
	connected: boolean;
	written: boolean;
}

/**
 * Tracking rides on the request's own handler (undici calls `onConnect` right before writing and
 * `onRequestSent` right after), so every request carries its own tracker, whether it is written
 * at once or waits in the pool's queue for a free connection.
 */
function trackingHandler(
	handler: Dispatcher.DispatchHandler,
	tracker: WriteTracker,
): Dispatcher.DispatchHandler {
	const inner = handler as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;
	const forward =
		(name: string) =>
		(...args: unknown[]) =>
			inner[name]?.(...args);
	return {
		onConnect: (...args: unknown[]) => {
			tracker.connected = true;
			return inner.onConnect?.(...args);
		},
		onRequestSent: () => {
			tracker.written = true;
			return inner.onRequestSent?.();
		},
		onBodySent: forward('onBodySent'),
		onResponseStarted: forward('onResponseStarted'),
		onHeaders: forward('onHeaders'),
		onData: forward('onData'),
		onComplete: forward('onComplete'),
		onUpgrade: forward('onUpgrade'),
		onError: (error: unknown) => {
			if (!inner.onError) throw error;
			return inner.onError(error);
		},
	} as unknown as Dispatcher.DispatchHandler;
}

function dispatchTracked(dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] {
	return (options, handler) => {
		const { writeTracker, ...rest } = options as Dispatcher.DispatchOptions & {
			writeTracker?: WriteTracker;
		};
		return dispatch(rest, writeTracker ? trackingHandler(handler, writeTracker) : handler);
	};
}

/**
 * Set when a request was answered although its tracker never saw it start: tracking no longer
 * works (say, an undici upgrade changed how handlers are called), so no failure can be proven
 * to be before the write, and none is called `notSent` again.
 */
let trackingBroken = false;

export interface GatewayClientOptions {
	/** Parallel connections to the gateway; 1 keeps one keep-alive connection for a whole run. */
	connections?: number;
	/** How long the client waits beyond the gateway's own timeout (default 5 s). */
	graceMs?: number;
}

/** The proxy n8n's environment names for a gateway URL, read the way undici reads it. */
interface ProxyInUse {
	/** The environment variable it came from, e.g. HTTPS_PROXY. */
	variable: string;
	/** host:port, never the user name or password. */
	host: string;
	hostname: string;
	port: number;
	password: string;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function proxyVariables(protocol: string): string[] {
	const http = ['http_proxy', 'HTTP_PROXY'];
	return protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY', ...http] : http;
}

function proxyFor(baseUrl: string): ProxyInUse | undefined {
	const variable = proxyVariables(new URL(baseUrl).protocol).find((name) => process.env[name]);
	const value = variable ? process.env[variable] : undefined;
	if (!variable || !value || !URL.canParse(value)) return undefined;
	const url = new URL(value);
	const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
	let password = url.password;
	try {
		password = decodeURIComponent(password);
	} catch {
		// kept as written
	}
	return { variable, host: `${url.hostname}:${port}`, hostname: url.hostname, port, password };
}

/** The proxy variables (of those undici reads) that hold something that is not a URL. */
function malformedProxyVariables(): string[] {
	return ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'].filter((name) => {
		const value = process.env[name];
		return value !== undefined && value !== '' && !URL.canParse(value);
	});
}

/**
 * One client per execution: one keep-alive connection pool reused by every item, honouring the
 * HTTP(S)_PROXY / NO_PROXY environment like the rest of n8n.
 */
export class GatewayClient {
	private readonly dispatcher: Dispatcher;
	private readonly agent: EnvHttpProxyAgent;
	/** The proxy between n8n and the gateway, when the environment sets one. */
	private readonly proxy: ProxyInUse | undefined;
	/** Set when the client cannot be made (a proxy URL that does not parse): every call fails so. */
	private readonly setupError: GatewayError | undefined;
	private readonly endpoint: string;
	private readonly headers: Record<string, string>;
	/** How long to wait for the answer's headers, and for each piece of its body. */
	private readonly answerTimeoutMs: number;
	/** Hard limit on one call from dispatch to the last byte, so a call always ends. */
	private readonly deadlineMs: number;
	private readonly graceMs: number;
	/** Every spelling of the header secret out of a text that came back; see secretRedactor. */
	private readonly redact: (text: string) => string;

	constructor(
		readonly settings: GatewaySettings,
		options: GatewayClientOptions = {},
	) {
		this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
		this.answerTimeoutMs = settings.timeoutSeconds * 1000 + this.graceMs;
		const connectTimeoutMs = Math.min(this.answerTimeoutMs, 10_000);
		this.deadlineMs = connectTimeoutMs + this.answerTimeoutMs;
		const tls = { rejectUnauthorized: !settings.allowUnauthorizedCerts, timeout: connectTimeoutMs };
		const agentOptions = {
			connections: options.connections ?? 1,
			keepAliveTimeout: 30_000,
			headersTimeout: this.answerTimeoutMs,
			bodyTimeout: this.answerTimeoutMs,
			maxResponseSize: MAX_RESPONSE_BYTES,
			connect: tls,
			// Behind a proxy, undici connects to the gateway with these instead of `connect`.
			requestTls: tls,
			proxyTls: { timeout: connectTimeoutMs },
		};
		try {
			this.agent = new EnvHttpProxyAgent(agentOptions);
		} catch {
			// undici's error quotes the URL, password included: it is replaced, never passed on.
			const variables = malformedProxyVariables();
			this.setupError = new GatewayError(
				'invalid',
				`The proxy set in n8n's environment (${variables.join(', ') || 'HTTP_PROXY / HTTPS_PROXY'}) is not a valid URL, so the gateway cannot be reached through it; fix it (e.g. http://user:password@proxy.example:3128) or remove it. Nothing was sent`,
				'notSent',
			);
			this.agent = new EnvHttpProxyAgent({ ...agentOptions, httpProxy: '', httpsProxy: '' });
		}
		this.proxy = proxyFor(settings.baseUrl);
		this.dispatcher = this.agent.compose(dispatchTracked);
		const query = new URLSearchParams({
			funcname: 'MagicCgi',
			timeout: String(settings.timeoutSeconds),
			wxid: settings.wxid,
		});
		this.endpoint = `${settings.baseUrl}/v2/api?${query.toString()}`;
		this.headers = { 'content-type': 'application/json', accept: 'application/json' };
		const secret = settings.authHeader?.value;
		if (settings.authHeader && secret)
			this.headers[settings.authHeader.name.toLowerCase()] = secret;
		this.redact = secretRedactor(secret, this.proxy?.password);
	}

	/** Any cgi. Resolves only when the gateway says Ret 0; any other Ret is a `rejected` error. */
	async callCgi(call: CgiCall): Promise<CgiReply> {
		// stringifyJsonExact writes a request's 64-bit integers (JsonInteger) as bare numbers.
		const answer = await this.post(stringifyJsonExact(call));
		const { ret, errMsg } = readBaseResponse(answer, this.redact);
		if (ret !== RET.ok) {
			const what = MESSAGE_CGIS.has(call.CgiCmd) ? 'the message' : `cgi ${call.CgiCmd}`;
			throw new GatewayError(
				'ret',
				`WeChat refused ${what}: Ret ${ret}${errMsg ? ` (${errMsg})` : ''}`,
				'rejected',
				{ ret, errMsg },
			);
		}
		// Every string the node may output (ClientMsgId, a custom command's ResponseData, its keys)
		// passes the same redaction as error texts: a gateway or proxy may echo the header anywhere.
		const data = redactValues(answer.ResponseData, this.redact);
		const responseData =
			data && typeof data === 'object' && !Array.isArray(data)
				? (data as Record<string, unknown>)
				: {};
		const list = Array.isArray(data) ? { ResponseList: data } : {};
		return { Ret: ret, ErrMsg: errMsg, ResponseData: responseData, ...list };
	}

	/** WeChat cgi 222 (sendappmsg) of one `<appmsg>` to one recipient. */
	async sendAppMsg(toUserName: string, appMsgXml: string): Promise<SentMessage> {
		return readSentMessage(await this.callCgi(appMsgCall(toUserName, appMsgXml)));
	}

	/**
	 * Proves that the server is the gateway without sending anything: a cgi 222 call with no
	 * recipient and no XML, which a gateway refuses with a CgiBaseResponse.
	 */
	async probe(): Promise<{ ret: number; errMsg: string }> {
		const body = JSON.stringify(appMsgCall('', ''));
		const answer = await this.post(body, { acceptHttpErrors: true });
		const base = readBaseResponse(answer, this.redact);
		return { ret: base.ret, errMsg: base.errMsg };
	}

	async close(): Promise<void> {
		await this.agent.close();
	}

	private async post(
		body: string,
		{ acceptHttpErrors = false } = {},
	): Promise<Record<string, unknown>> {
		if (this.setupError) throw this.setupError;
		const tracker: WriteTracker = { connected: false, written: false };
		const deadline = new AbortController();
		const timer = setTimeout(() => deadline.abort(new Error('deadline')), this.deadlineMs);
		let statusCode: number;
		let text: string;
		let location: string | string[] | undefined;
		try {
			const response = await request(this.endpoint, {
				method: 'POST',
				headers: this.headers,
				body,
				signal: deadline.signal,
				dispatcher: this.dispatcher,
				writeTracker: tracker,
			} as Parameters<typeof request>[1]);
			if (!tracker.connected) trackingBroken = true;
			statusCode = response.statusCode;
			location = response.headers.location;
			text = await response.body.text();
		} catch (error) {
			throw this.networkError(error, tracker, deadline.signal.aborted);
		} finally {
			clearTimeout(timer);
		}
		if (statusCode >= 300 && statusCode < 400) {
			// Redirects are never followed (the POST would be repeated elsewhere): the gateway did
			// not take the message, and where it pointed is what the Base URL should say.
			const target = (Array.isArray(location) ? location[0] : location)?.replace(
				/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i,
				'$1',
			);
			const where = target
				? ` pointing to ${JSON.stringify(quotable(target, this.redact, 200))}`
				: ' without a Location';
			throw new GatewayError(
				'http',
				`The gateway answered with a redirect (HTTP ${statusCode})${where}; redirects are not followed, so nothing was sent: set the Base URL to where the gateway really is`,
				'rejected',
				{ httpStatus: statusCode },
			);
		}
		const parsed = parseBody(text);
		// An authentication refusal is never a usable answer, whatever its body looks like.
		const refusedCredential = AUTH_REFUSALS.has(statusCode);
		if (statusCode >= 400 && (refusedCredential || !(acceptHttpErrors && parsed))) {
			// A refusal of the credential is the page most likely to echo it: it is never quoted.
			if (refusedCredential)
				throw new GatewayError(
					'http',
					`The gateway answered HTTP ${statusCode}${AUTH_HINT}`,
					'rejected',
					{ httpStatus: statusCode },
				);
			throw new GatewayError(
				'http',
				`The gateway answered HTTP ${statusCode}${describeBody(text, this.redact)}`,
				statusCode >= 500 ? 'unknown' : 'rejected',
				{ httpStatus: statusCode, bodyStart: bodyStart(text, this.redact) },
			);
		}
		if (!parsed) {
			throw new GatewayError(
				'notJson',
				`The gateway's answer is not JSON${describeBody(text, this.redact)}. Is the Base URL the WeChat gateway itself (not its web page or a proxy's login page)?`,
				'unknown',
				{ httpStatus: statusCode, bodyStart: bodyStart(text, this.redact) },
			);
		}
		return parsed;
	}

	/**
	 * Failures of the proxy itself, named as such: its refusal of the tunnel (407 and the like),
	 * and a proxy that is down or unknown, which would otherwise be blamed on the gateway. The
	 * gateway was not reached in any of them.
	 */
	private proxyError(error: unknown): GatewayError | undefined {
		const proxy = this.proxy;
		if (!proxy) return undefined;
		const failure = error as {
			code?: string;
			message?: string;
			address?: string;
			port?: number;
			hostname?: string;
		};
		const named = `the proxy ${proxy.host} (from ${proxy.variable})`;
		const gateway = new URL(this.settings.baseUrl);
		const tunnel = /Proxy response \((\d{3})\)/.exec(failure.message ?? '');
		if (tunnel) {
			const status = Number(tunnel[1]);
			const detail =
				status === 407
					? `asks for credentials (HTTP 407 Proxy Authentication Required): put its user name and password in ${proxy.variable}, as http://user:password@${proxy.host}`
					: `would not connect to the gateway at ${gateway.host} (HTTP ${status})`;
			return new GatewayError(
				'proxy',
				`${capitalized(named)} ${detail}; nothing was sent`,
				'notSent',
				{
					httpStatus: status,
				},
			);
		}
		const gatewayPort = Number(gateway.port) || DEFAULT_PORTS[gateway.protocol];
		const hostIsProxy =
			failure.hostname !== undefined &&
			failure.hostname === proxy.hostname &&
			failure.hostname !== gateway.hostname;
		const portIsProxy =
			failure.port === proxy.port &&
			(failure.port !== gatewayPort || failure.address === proxy.hostname);
		if (failure.code === 'ECONNREFUSED' && portIsProxy)
			return new GatewayError(
				'refused',
				`Connection refused by ${named}: is the proxy running? The gateway at ${gateway.host} was not reached; nothing was sent`,
				'notSent',
			);
		if ((failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN') && hostIsProxy)
			return new GatewayError(
				'dns',
				`The proxy host "${proxy.hostname}" (from ${proxy.variable}) could not be resolved (DNS): check n8n's proxy settings; nothing was sent`,
				'notSent',
			);
		return undefined;
	}

	private networkError(error: unknown, tracker: WriteTracker, pastDeadline: boolean): GatewayError {
		const cause = error as {
			code?: string;
			name?: string;
			message?: string;
			cause?: { code?: string };
		};
		const atProxy = this.proxyError(error);
		if (atProxy) return atProxy;
		const code = cause.code ?? cause.cause?.code ?? '';
		const where = new URL(this.settings.baseUrl).host;
		// Only a request that undici never began to write can be known not to have reached the gateway.
		const mayHaveArrived = tracker.connected || tracker.written || trackingBroken;
		const delivery: DeliveryOutcome = mayHaveArrived ? 'unknown' : 'notSent';
		const limits = `${this.settings.timeoutSeconds} s (+${this.graceMs / 1000} s grace)`;
		if (pastDeadline) {
			return mayHaveArrived
				? new GatewayError(
						'timeout',
						`The gateway did not finish answering within ${limits}; the message may or may not have been sent`,
						'unknown',
					)
				: new GatewayError(
						'timeout',
						`Could not reach the gateway at ${where} in time; nothing was sent`,
						'notSent',
					);
		}
		if (cause.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
			return new GatewayError(
				'aborted',
				'The execution was stopped before the gateway answered',
				delivery,
			);
		}
		if (code === 'ECONNREFUSED') {
			return new GatewayError(
				'refused',
				`Connection refused by ${where}: is the gateway running and the Base URL's port right?`,
				'notSent',
			);
		}
		if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
			return new GatewayError(
				'dns',
				`The gateway host "${new URL(this.settings.baseUrl).hostname}" could not be resolved (DNS): check the Base URL`,
				'notSent',
			);
		}
		if (code === 'UND_ERR_CONNECT_TIMEOUT') {
			return new GatewayError(
				'timeout',
				`Could not connect to ${where} in time: is the gateway reachable from n8n?`,
				'notSent',
			);
		}
		if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
			return new GatewayError(
				'timeout',
				`The gateway did not answer within ${limits}; the message may or may not have been sent`,
				delivery,
			);
		}
		if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
			return new GatewayError(
				'badResponse',
				`The gateway's answer is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB, which no gateway answer is; the message may or may not have been sent`,
				delivery,
			);
		}
		if (INVALID_REQUEST_CODES.has(code) || cause.name === 'InvalidArgumentError') {
			const detail = this.redact(String(cause.message ?? code)).slice(0, 200);
			return new GatewayError(
				'invalid',
				`The request to the gateway could not be made (${code || cause.name}: ${detail}); nothing was sent, and trying again cannot help`,
				'notSent',
			);
		}
		if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
			const advice = this.settings.allowUnauthorizedCerts
				? ''
				: '; turn on "Ignore SSL Issues" in the credential for a self-signed certificate';
			return new GatewayError(
				'tls',
				`The gateway's HTTPS certificate was not accepted (${code})${advice}`,
				delivery,
			);
		}
		if (
			code === 'UND_ERR_SOCKET' ||
			code === 'ECONNRESET' ||
			code === 'EPIPE' ||
			code === 'UND_ERR_CLOSED'
		) {
			return mayHaveArrived
				? new GatewayError(
						'dropped',
						'The gateway closed the connection after the request was sent and before answering; the message may or may not have been sent',
						'unknown',
					)
				: new GatewayError(
						'dropped',
						'The connection to the gateway dropped before the request was sent; nothing was sent',
						'notSent',
					);
		}
		const detail = this.redact(code || cause.message || 'unknown error');
		return new GatewayError(
			'network',
			`Could not reach the gateway at ${where}: ${detail}${mayHaveArrived ? '; the message may or may not have been sent' : '; nothing was sent'}`,
			delivery,
		);
	}
}

function capitalized(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

function parseBody(text: string): Record<string, unknown> | undefined {
	const trimmed = text.trim();
	if (!trimmed.startsWith('{')) return undefined;
	try {
		const value = parseJsonKeepingBigIntegers(trimmed);
		return value && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/**
 * The part of a body an error may quote, redacted before it is cut (so no piece of the secret
 * survives at the cut) but not whole: a long body is never scanned end to end.
 */
function quotable(text: string, redact: (s: string) => string, chars = 4096): string {
	return redact(text.slice(0, chars * 2)).slice(0, chars);
}

function bodyStart(text: string, redact: (s: string) => string): string {
	return quotable(text, redact).slice(0, 200);
}

function describeBody(text: string, redact: (s: string) => string): string {
	const trimmed = quotable(text, redact).trim();
	if (trimmed === '') return ' with an empty body';
	const start = trimmed.slice(0, 120).replace(/\s+/g, ' ');
	return `: "${start}${trimmed.length > 120 ? '…' : ''}"`;
}

function readBaseResponse(
	answer: Record<string, unknown>,
	redact: (s: string) => string,
): { ret: number; errMsg: string } {
	const base = answer.CgiBaseResponse as Record<string, unknown> | undefined;
	if (!base || typeof base !== 'object') {
		throw new GatewayError(
			'badResponse',
			'The gateway answered JSON without "CgiBaseResponse"; is this the MagicCgi gateway? The message may or may not have been sent',
			'unknown',
		);
	}
	const ret = Number(base.Ret);
	if (base.Ret === undefined || !Number.isInteger(ret)) {
		throw new GatewayError(
			'badResponse',
			'The gateway answered without a numeric "CgiBaseResponse.Ret"; the message may or may not have been sent',
			'unknown',
		);
	}
	const errMsg = typeof base.ErrMsg === 'string' ? base.ErrMsg : String(base.ErrMsg ?? '');
	return { ret, errMsg: quotable(errMsg, redact, MAX_ERRMSG_CHARS) };
}

/** The ids of a message WeChat accepted; an answer without them may still have sent it. */
export function readSentMessage(reply: CgiReply): SentMessage {
	const data = reply.ResponseData;
	// What a later revoke needs besides NewMsgId, when the gateway answers it.
	const msgId = findMsgId(data);
	const newMsgId = data.NewMsgId;
	if (newMsgId === undefined || newMsgId === null || !/^-?\d+$/.test(String(newMsgId))) {
		throw new GatewayError(
			'badResponse',
			'The gateway said Ret 0 but its answer has no numeric "ResponseData.NewMsgId"; the message was probably sent',
			'unknown',
		);
	}
	return {
		NewMsgId: String(newMsgId),
		ClientMsgId:
			data.ClientMsgId === undefined || data.ClientMsgId === null ? '' : String(data.ClientMsgId),
		...(msgId !== undefined ? { MsgId: msgId } : {}),
		Ret: reply.Ret,
		ErrMsg: reply.ErrMsg,
	};
}

/** Every string in a JSON value passed through `redact`: the answer of a command is output whole. */
function redactValues(value: unknown, redact: (s: string) => string): unknown {
	if (typeof value === 'string') return redact(value);
	if (Array.isArray(value)) return value.map((entry) => redactValues(entry, redact));
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value))
			out[redact(key)] = redactValues(entry, redact);
		return out;
	}
	return value;
}
