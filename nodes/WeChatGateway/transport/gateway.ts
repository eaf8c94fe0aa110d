import { subscribe } from 'node:diagnostics_channel';

import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';

import { parseJsonKeepingBigIntegers } from './exactJson';

/** What the gateway needs to know, read once per execution from the credential. */
export interface GatewaySettings {
	/** Normalised: http(s), no trailing slash, path prefix kept. */
	baseUrl: string;
	wxid: string;
	timeoutSeconds: number;
	authHeader?: { name: string; value: string };
	allowUnauthorizedCerts: boolean;
}

export type GatewayErrorKind =
	| 'ret'
	| 'http'
	| 'notJson'
	| 'badResponse'
	| 'timeout'
	| 'refused'
	| 'dns'
	| 'dropped'
	| 'tls'
	| 'aborted'
	| 'network';

/**
 * Whether the message may have reached WeChat. `notSent`: the gateway surely never got the
 * request. `rejected`: the gateway answered that it did not send. `unknown`: it may have.
 */
export type Delivery = 'notSent' | 'rejected' | 'unknown';

export class GatewayError extends Error {
	constructor(
		readonly kind: GatewayErrorKind,
		message: string,
		readonly delivery: Delivery,
		readonly details: { ret?: number; errMsg?: string; httpStatus?: number; bodyStart?: string } = {},
	) {
		super(message);
		this.name = 'GatewayError';
	}
}

export interface SendAppMsgResult {
	NewMsgId: string;
	ClientMsgId: string;
	Ret: number;
	ErrMsg: string;
}

export const CGI_SEND_APP_MSG = 222;
export const MSG_TYPE_APP = 49;
/** The client waits this much longer than the gateway's own timeout, so the gateway answers first. */
const CLIENT_GRACE_MS = 5000;

/**
 * Which requests undici finished writing. The tracker is handed over synchronously while the
 * request object is created, so the two are paired without touching the bytes on the wire.
 */
interface WriteTracker {
	written: boolean;
}
const trackers = new WeakMap<object, WriteTracker>();
let trackerForNextRequest: WriteTracker | undefined;
subscribe('undici:request:create', (message) => {
	if (!trackerForNextRequest) return;
	trackers.set((message as { request: object }).request, trackerForNextRequest);
	trackerForNextRequest = undefined;
});
subscribe('undici:request:bodySent', (message) => {
	const tracker = trackers.get((message as { request: object }).request);
	if (tracker) tracker.written = true;
});

function dispatchTracked(dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] {
	return (options, handler) => {
		const { writeTracker, ...rest } = options as Dispatcher.DispatchOptions & { writeTracker?: WriteTracker };
		trackerForNextRequest = writeTracker;
		try {
			return dispatch(rest, handler);
		} finally {
			trackerForNextRequest = undefined;
		}
	};
}

export interface GatewayClientOptions {
	/** Parallel connections to the gateway; 1 keeps one keep-alive connection for a whole run. */
	connections?: number;
}

/**
 * One client per execution: one keep-alive connection pool reused by every item, honouring the
 * HTTP(S)_PROXY / NO_PROXY environment like the rest of n8n.
 */
export class GatewayClient {
	private readonly dispatcher: Dispatcher;
	private readonly agent: EnvHttpProxyAgent;
	private readonly endpoint: string;
	private readonly headers: Record<string, string>;

	constructor(
		readonly settings: GatewaySettings,
		options: GatewayClientOptions = {},
	) {
		const timeoutMs = settings.timeoutSeconds * 1000 + CLIENT_GRACE_MS;
		this.agent = new EnvHttpProxyAgent({
			connections: options.connections ?? 1,
			keepAliveTimeout: 30_000,
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
			connect: { rejectUnauthorized: !settings.allowUnauthorizedCerts, timeout: Math.min(timeoutMs, 10_000) },
		});
		this.dispatcher = this.agent.compose(dispatchTracked);
		const query = new URLSearchParams({
			funcname: 'MagicCgi',
			timeout: String(settings.timeoutSeconds),
			wxid: settings.wxid,
		});
		this.endpoint = `${settings.baseUrl}/v2/api?${query.toString()}`;
		this.headers = { 'content-type': 'application/json', accept: 'application/json' };
		if (settings.authHeader) this.headers[settings.authHeader.name.toLowerCase()] = settings.authHeader.value;
	}

	/** WeChat cgi 222 (sendappmsg). Resolves only when the gateway says Ret 0. */
	async sendAppMsg(toUserName: string, appMsgXml: string, signal?: AbortSignal): Promise<SendAppMsgResult> {
		const body = JSON.stringify({
			CgiCmd: CGI_SEND_APP_MSG,
			CgiRequest: { ToUserName: toUserName, AppMsgXml: appMsgXml, MsgType: MSG_TYPE_APP },
		});
		const answer = await this.call(body, signal);
		return readSendResult(answer);
	}

	/**
	 * Proves that the server is the gateway without sending anything: a cgi 222 call with no
	 * recipient and no XML, which a gateway refuses with a CgiBaseResponse.
	 */
	async probe(signal?: AbortSignal): Promise<{ ret: number; errMsg: string }> {
		const body = JSON.stringify({
			CgiCmd: CGI_SEND_APP_MSG,
			CgiRequest: { ToUserName: '', AppMsgXml: '', MsgType: MSG_TYPE_APP },
		});
		const answer = await this.call(body, signal, { acceptHttpErrors: true });
		const base = readBaseResponse(answer);
		return { ret: base.ret, errMsg: base.errMsg };
	}

	async close(): Promise<void> {
		await this.agent.close();
	}

	private async call(body: string, signal?: AbortSignal, { acceptHttpErrors = false } = {}): Promise<Record<string, unknown>> {
		const tracker: WriteTracker = { written: false };
		let statusCode: number;
		let text: string;
		try {
			const response = await request(this.endpoint, {
				method: 'POST',
				headers: this.headers,
				body,
				signal,
				dispatcher: this.dispatcher,
				writeTracker: tracker,
			} as Parameters<typeof request>[1]);
			statusCode = response.statusCode;
			text = await response.body.text();
		} catch (error) {
			throw this.networkError(error, tracker.written);
		}
		const parsed = parseBody(text);
		if (statusCode >= 400 && !(acceptHttpErrors && parsed)) {
			throw new GatewayError(
				'http',
				`The gateway answered HTTP ${statusCode}${describeBody(text, this.redact.bind(this))}`,
				statusCode >= 500 ? 'unknown' : 'rejected',
				{ httpStatus: statusCode, bodyStart: this.redact(text.slice(0, 200)) },
			);
		}
		if (!parsed) {
			throw new GatewayError(
				'notJson',
				`The gateway's answer is not JSON${describeBody(text, this.redact.bind(this))}. Is the Base URL the WeChat gateway itself (not its web page or a proxy's login page)?`,
				'unknown',
				{ httpStatus: statusCode, bodyStart: this.redact(text.slice(0, 200)) },
			);
		}
		return parsed;
	}

	private networkError(error: unknown, written: boolean): GatewayError {
		const cause = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
		const code = cause.code ?? cause.cause?.code ?? '';
		const where = new URL(this.settings.baseUrl).host;
		if (cause.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
			return new GatewayError('aborted', 'The execution was stopped before the gateway answered', written ? 'unknown' : 'notSent');
		}
		if (code === 'ECONNREFUSED') {
			return new GatewayError('refused', `Connection refused by ${where}: is the gateway running and the Base URL's port right?`, 'notSent');
		}
		if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
			return new GatewayError('dns', `The gateway host "${new URL(this.settings.baseUrl).hostname}" could not be resolved (DNS): check the Base URL`, 'notSent');
		}
		if (code === 'UND_ERR_CONNECT_TIMEOUT') {
			return new GatewayError('timeout', `Could not connect to ${where} in time: is the gateway reachable from n8n?`, 'notSent');
		}
		if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
			return new GatewayError(
				'timeout',
				`The gateway did not answer within ${this.settings.timeoutSeconds} s (+${CLIENT_GRACE_MS / 1000} s grace); the message may or may not have been sent`,
				'unknown',
			);
		}
		if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
			return new GatewayError(
				'tls',
				`The gateway's HTTPS certificate was not accepted (${code}); turn on "Ignore SSL Issues" in the credential for a self-signed certificate`,
				'notSent',
			);
		}
		if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') {
			return written
				? new GatewayError('dropped', 'The gateway closed the connection after the request was sent and before answering; the message may or may not have been sent', 'unknown')
				: new GatewayError('dropped', 'The connection to the gateway dropped before the request was sent; nothing was sent', 'notSent');
		}
		return new GatewayError('network', `Could not reach the gateway at ${where}: ${code || cause.message || 'unknown error'}`, written ? 'unknown' : 'notSent');
	}

	/** A proxy may echo request headers back in an error page; the secret never leaves this module. */
	private redact(text: string): string {
		const secret = this.settings.authHeader?.value;
		return secret ? text.split(secret).join('[redacted]') : text;
	}
}

function parseBody(text: string): Record<string, unknown> | undefined {
	const trimmed = text.trim();
	if (!trimmed.startsWith('{')) return undefined;
	try {
		const value = parseJsonKeepingBigIntegers(trimmed);
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function describeBody(text: string, redact: (s: string) => string): string {
	const trimmed = text.trim();
	if (trimmed === '') return ' with an empty body';
	const start = redact(trimmed.slice(0, 120)).replace(/\s+/g, ' ');
	return `: "${start}${trimmed.length > 120 ? '…' : ''}"`;
}

function readBaseResponse(answer: Record<string, unknown>): { ret: number; errMsg: string } {
	const base = answer.CgiBaseResponse as Record<string, unknown> | undefined;
	if (!base || typeof base !== 'object') {
		throw new GatewayError('badResponse', 'The gateway answered JSON without "CgiBaseResponse"; is this the MagicCgi gateway?', 'unknown');
	}
	const ret = Number(base.Ret);
	if (base.Ret === undefined || !Number.isInteger(ret)) {
		throw new GatewayError('badResponse', 'The gateway answered without a numeric "CgiBaseResponse.Ret"', 'unknown');
	}
	return { ret, errMsg: typeof base.ErrMsg === 'string' ? base.ErrMsg : String(base.ErrMsg ?? '') };
}

function readSendResult(answer: Record<string, unknown>): SendAppMsgResult {
	const { ret, errMsg } = readBaseResponse(answer);
	if (ret !== 0) {
		throw new GatewayError('ret', `WeChat refused the message: Ret ${ret}${errMsg ? ` (${errMsg})` : ''}`, 'rejected', { ret, errMsg });
	}
	const data = answer.ResponseData as Record<string, unknown> | undefined;
	const newMsgId = data?.NewMsgId;
	if (!data || typeof data !== 'object' || newMsgId === undefined || newMsgId === null || !/^-?\d+$/.test(String(newMsgId))) {
		throw new GatewayError(
			'badResponse',
			'The gateway said Ret 0 but its answer has no numeric "ResponseData.NewMsgId"; the message was probably sent',
			'unknown',
		);
	}
	return {
		NewMsgId: String(newMsgId),
		ClientMsgId: data.ClientMsgId === undefined || data.ClientMsgId === null ? '' : String(data.ClientMsgId),
		Ret: ret,
		ErrMsg: errMsg,
	};
}
