import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';

import { parseJsonKeepingBigIntegers } from './exactJson';
import { findMessageIds } from './messageIds';

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
}

export interface SendAppMsgResult {
	NewMsgId: string;
	ClientMsgId: string;
	Ret: number;
	ErrMsg: string;
}

export const CGI_SEND_APP_MSG = 222;
export const MSG_TYPE_APP = 49;
export const CGI_SEND_TEXT = 522;
export const MSG_TYPE_TEXT = 1;

/**
 * A text the gateway took (Ret 0). `NewMsgId` and `ClientMsgId` are there only when the answer
 * held them (in either of the shapes gateway builds use); otherwise `ResponseData` is what came.
 */
export interface SendTextResult {
	NewMsgId?: string;
	ClientMsgId?: string;
	Ret: number;
	ErrMsg: string;
	/** The answer's ResponseData, exact, when it named no NewMsgId. */
	ResponseData?: unknown;
}

/** The answer to any cgi command, Ret 0; integers above 2^53 in ResponseData are exact strings. */
export interface CgiCommandResult {
	Ret: number;
	ErrMsg: string;
	ResponseData: unknown;
}
/** The client waits this much longer than the gateway's own timeout, so the gateway answers first. */
const DEFAULT_GRACE_MS = 5000;
/** HTTP statuses by which a gateway or the proxy in front of it refuses who is asking. */
const AUTH_REFUSALS = new Set([401, 403, 407]);
const AUTH_HINT =
	'. The gateway or its proxy refused the credential: check its Authentication, Header Name and Header Value';

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

/** For tests: how long the client waits beyond the gateway's timeout (default 5 s). */
let graceMs = DEFAULT_GRACE_MS;
export function setClientGraceMs(ms?: number): void {
	graceMs = ms ?? DEFAULT_GRACE_MS;
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
	/** How long to wait for the answer's headers, and for each piece of its body. */
	private readonly answerTimeoutMs: number;
	/** Hard limit on one call from dispatch to the last byte, so a call always ends. */
	private readonly deadlineMs: number;
	private readonly secrets: string[];

	constructor(
		readonly settings: GatewaySettings,
		options: GatewayClientOptions = {},
	) {
		this.answerTimeoutMs = settings.timeoutSeconds * 1000 + graceMs;
		const connectTimeoutMs = Math.min(this.answerTimeoutMs, 10_000);
		this.deadlineMs = connectTimeoutMs + this.answerTimeoutMs;
		this.agent = new EnvHttpProxyAgent({
			connections: options.connections ?? 1,
			keepAliveTimeout: 30_000,
			headersTimeout: this.answerTimeoutMs,
			bodyTimeout: this.answerTimeoutMs,
			maxResponseSize: MAX_RESPONSE_BYTES,
			connect: { rejectUnauthorized: !settings.allowUnauthorizedCerts, timeout: connectTimeoutMs },
		});
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
		// The secret as a proxy might echo it: verbatim, JSON-escaped, URL-encoded. Longest first.
		this.secrets = secret
			? [
					...new Set([
						secret,
						JSON.stringify(secret).slice(1, -1),
						encodeURIComponent(secret),
						secret.trim(),
					]),
				]
					.filter((s) => s.length > 0)
					.sort((a, b) => b.length - a.length)
			: [];
	}

	/** WeChat cgi 222 (sendappmsg). Resolves only when the gateway says Ret 0. */
	async sendAppMsg(
		toUserName: string,
		appMsgXml: string,
		signal?: AbortSignal,
	): Promise<SendAppMsgResult> {
		const body = JSON.stringify({
			CgiCmd: CGI_SEND_APP_MSG,
			CgiRequest: { ToUserName: toUserName, AppMsgXml: appMsgXml, MsgType: MSG_TYPE_APP },
		});
		const answer = await this.call(body, signal);
		return readSendResult(answer, this.redact);
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
		const base = readBaseResponse(answer, this.redact);
		return { ret: base.ret, errMsg: base.errMsg };
	}

	/** WeChat cgi 522 (send text; `atUsers`: comma-joined wxids). Resolves only on Ret 0. */
	async sendText(
		toUserName: string,
		content: string,
		atUsers: string,
		signal?: AbortSignal,
	): Promise<SendTextResult> {
		const body = JSON.stringify({
			CgiCmd: CGI_SEND_TEXT,
			CgiRequest: {
				ToUserName: toUserName,
				Content: content,
				MsgType: MSG_TYPE_TEXT,
				AtUsers: atUsers,
			},
		});
		const answer = await this.call(body, signal);
		return readTextResult(answer, this.redact);
	}

	/**
	 * Any cgi command. `cgiRequestJson` is the JSON text of an object and goes out exactly as
	 * written, so 64-bit numbers in it reach the gateway unrounded. Resolves only on Ret 0.
	 */
	async callCgi(
		cgiCmd: number,
		cgiRequestJson: string,
		signal?: AbortSignal,
	): Promise<CgiCommandResult> {
		const body = `{"CgiCmd":${cgiCmd},"CgiRequest":${cgiRequestJson}}`;
		const answer = await this.call(body, signal);
		const { ret, errMsg } = readBaseResponse(answer, this.redact);
		if (ret !== 0) {
			throw new GatewayError(
				'ret',
				`WeChat refused cgi ${cgiCmd}: Ret ${ret}${errMsg ? ` (${errMsg})` : ''}`,
				'rejected',
				{ ret, errMsg },
			);
		}
		return {
			Ret: ret,
			ErrMsg: errMsg,
			ResponseData: redactValues(answer.ResponseData ?? null, this.redact),
		};
	}

	async close(): Promise<void> {
		await this.agent.close();
	}

	private async call(
		body: string,
		signal?: AbortSignal,
		{ acceptHttpErrors = false } = {},
	): Promise<Record<string, unknown>> {
		const tracker: WriteTracker = { connected: false, written: false };
		const deadline = new AbortController();
		const timer = setTimeout(() => deadline.abort(new Error('deadline')), this.deadlineMs);
		let statusCode: number;
		let text: string;
		try {
			const response = await request(this.endpoint, {
				method: 'POST',
				headers: this.headers,
				body,
				signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
				dispatcher: this.dispatcher,
				writeTracker: tracker,
			} as Parameters<typeof request>[1]);
			if (!tracker.connected) trackingBroken = true;
			statusCode = response.statusCode;
			text = await response.body.text();
		} catch (error) {
			throw this.networkError(error, tracker, deadline.signal.aborted);
		} finally {
			clearTimeout(timer);
		}
		const parsed = parseBody(text);
		// An authentication refusal is never a usable answer, whatever its body looks like.
		const refusedCredential = AUTH_REFUSALS.has(statusCode);
		if (statusCode >= 400 && (refusedCredential || !(acceptHttpErrors && parsed))) {
			const hint = refusedCredential ? AUTH_HINT : '';
			throw new GatewayError(
				'http',
				`The gateway answered HTTP ${statusCode}${describeBody(text, this.redact)}${hint}`,
				statusCode >= 500 ? 'unknown' : 'rejected',
				{ httpStatus: statusCode, bodyStart: this.redact(text).slice(0, 200) },
			);
		}
		if (!parsed) {
			throw new GatewayError(
				'notJson',
				`The gateway's answer is not JSON${describeBody(text, this.redact)}. Is the Base URL the WeChat gateway itself (not its web page or a proxy's login page)?`,
				'unknown',
				{ httpStatus: statusCode, bodyStart: this.redact(text).slice(0, 200) },
			);
		}
		return parsed;
	}

	private networkError(error: unknown, tracker: WriteTracker, pastDeadline: boolean): GatewayError {
		const cause = error as {
			code?: string;
			name?: string;
			message?: string;
			cause?: { code?: string };
		};
		const code = cause.code ?? cause.cause?.code ?? '';
		const where = new URL(this.settings.baseUrl).host;
		// Only a request that undici never began to write can be known not to have reached the gateway.
		const mayHaveArrived = tracker.connected || tracker.written || trackingBroken;
		const delivery: Delivery = mayHaveArrived ? 'unknown' : 'notSent';
		const limits = `${this.settings.timeoutSeconds} s (+${graceMs / 1000} s grace)`;
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
		if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
			return new GatewayError(
				'tls',
				`The gateway's HTTPS certificate was not accepted (${code}); turn on "Ignore SSL Issues" in the credential for a self-signed certificate`,
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

	/**
	 * A proxy may echo request headers back in an error page or an ErrMsg; the secret never
	 * leaves this module. Redact whole texts before cutting them, so no prefix of it survives.
	 */
	private readonly redact = (text: string): string => {
		let out = text;
		for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
		return out;
	};
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

function describeBody(text: string, redact: (s: string) => string): string {
	const trimmed = redact(text).trim();
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
	return { ret, errMsg: redact(errMsg) };
}

function readSendResult(
	answer: Record<string, unknown>,
	redact: (s: string) => string,
): SendAppMsgResult {
	const { ret, errMsg } = readBaseResponse(answer, redact);
	if (ret !== 0) {
		throw new GatewayError(
			'ret',
			`WeChat refused the message: Ret ${ret}${errMsg ? ` (${errMsg})` : ''}`,
			'rejected',
			{ ret, errMsg },
		);
	}
	const data = answer.ResponseData as Record<string, unknown> | undefined;
	const newMsgId = data?.NewMsgId;
	if (
		!data ||
		typeof data !== 'object' ||
		newMsgId === undefined ||
		newMsgId === null ||
		!/^-?\d+$/.test(String(newMsgId))
	) {
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
		Ret: ret,
		ErrMsg: errMsg,
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

function readTextResult(
	answer: Record<string, unknown>,
	redact: (s: string) => string,
): SendTextResult {
	const { ret, errMsg } = readBaseResponse(answer, redact);
	const refused = (code: number) =>
		new GatewayError(
			'ret',
			`WeChat refused the message: Ret ${code}${errMsg ? ` (${errMsg})` : ''}`,
			'rejected',
			{ ret: code, errMsg },
		);
	if (ret !== 0) throw refused(ret);
	const found = findMessageIds(answer.ResponseData);
	// A list-shaped answer carries a Ret per recipient; the envelope's 0 does not override it.
	if (found.entryRet !== undefined && found.entryRet !== 0) throw refused(found.entryRet);
	const result: SendTextResult = { Ret: ret, ErrMsg: errMsg };
	if (found.newMsgId !== undefined) result.NewMsgId = found.newMsgId;
	if (found.clientMsgId !== undefined) result.ClientMsgId = redact(found.clientMsgId);
	if (found.newMsgId === undefined)
		result.ResponseData = redactValues(answer.ResponseData ?? null, redact);
	return result;
}
