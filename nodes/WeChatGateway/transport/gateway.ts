import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';

import { CGI, MSG_TYPE_APP, RET } from '../wechat';
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
	| 'aborted'
	| 'network';

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
	/** `{}` when the answer has none. */
	ResponseData: Record<string, unknown>;
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

export interface GatewayClientOptions {
	/** Parallel connections to the gateway; 1 keeps one keep-alive connection for a whole run. */
	connections?: number;
	/** How long the client waits beyond the gateway's own timeout (default 5 s). */
	graceMs?: number;
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
	private readonly graceMs: number;

	constructor(
		readonly settings: GatewaySettings,
		options: GatewayClientOptions = {},
	) {
		this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
		this.answerTimeoutMs = settings.timeoutSeconds * 1000 + this.graceMs;
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

	/** Any cgi. Resolves only when the gateway says Ret 0; any other Ret is a `rejected` error. */
	async callCgi(call: CgiCall): Promise<CgiReply> {
		const answer = await this.post(JSON.stringify(call));
		const { ret, errMsg } = readBaseResponse(answer, this.redact);
		if (ret !== RET.ok) {
			throw new GatewayError(
				'ret',
				`WeChat refused the message: Ret ${ret}${errMsg ? ` (${errMsg})` : ''}`,
				'rejected',
				{ ret, errMsg },
			);
		}
		const data = answer.ResponseData;
		const responseData =
			data && typeof data === 'object' && !Array.isArray(data)
				? (data as Record<string, unknown>)
				: {};
		return { Ret: ret, ErrMsg: errMsg, ResponseData: responseData };
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
				signal: deadline.signal,
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

/** The ids of a message WeChat accepted; an answer without them may still have sent it. */
export function readSentMessage(reply: CgiReply): SentMessage {
	const data = reply.ResponseData;
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
		Ret: reply.Ret,
		ErrMsg: reply.ErrMsg,
	};
}
