import type { Dispatcher } from 'undici';

import { CGI, MSG_TYPE_APP, RET } from '../wechat';
import { GatewayError, networkError } from './errors';
import { exactJsonBody, type JsonBody } from './exactJson';
import { bodyOf, headersFor } from './requestBody';
import { dispatcherFor, malformedProxyError, proxyError, proxyFor, type ProxyInUse } from './proxy';
import { secretRedactor } from './redact';
import {
	readAnswer,
	readBaseResponse,
	redactValues,
	type AnswerRules,
	type CgiReply,
	type GatewayAnswer,
} from './reply';
import type { GatewaySettings } from './settings';
import { Deadlines, targetOf, type RawAnswer, type Target } from './exchange';
import { WriteTracking } from './writeTracking';

/** One call of a WeChat cgi through the gateway's MagicCgi endpoint. */
export interface CgiCall {
	CgiCmd: number;
	CgiRequest: Record<string, unknown>;
}

/** A cgi body posted to a cdn path of the gateway, with the MagicCgi query. */
export interface CdnCall extends CgiCall {
	path: '/v2/cdnupload' | '/v2/cdndownload';
}

/** A GET of one of the gateway's own pages about the account. */
export interface ReadCall {
	method: 'GET';
	path: '/v2/wechatinfo' | '/v2/login/push' | '/v2/login/getqrcode';
	query?: Record<string, string>;
	/** Adds the credential's wxid as `wxid` to the query (the login pages name the account so). */
	forAccount?: boolean;
}

/**
 * Where one call goes: a cgi body to `/v2/api`, a cgi body to a cdn path, or a read of a page.
 * The client adds the account's wxid and the gateway's timeout where the gateway wants them.
 */
export type GatewayCall = CgiCall | CdnCall | ReadCall;

/** cgi 222 (sendappmsg) of one `<appmsg>` to one recipient. */
export function appMsgCall(toUserName: string, appMsgXml: string): CgiCall {
	return {
		CgiCmd: CGI.sendAppMsg,
		CgiRequest: { ToUserName: toUserName, AppMsgXml: appMsgXml, MsgType: MSG_TYPE_APP },
	};
}

/**
 * One request to a path of the gateway. `cgiQuery` adds the query MagicCgi paths share
 * (funcname, timeout, wxid) before `query`; a `body` is sent as JSON with exact 64-bit integers.
 */
export interface PathCall {
	method: 'GET' | 'POST';
	/** From the Base URL on, e.g. `/v2/cdnupload` or `/v2/login/push`. */
	path: string;
	cgiQuery?: boolean;
	query?: Record<string, string>;
	body?: unknown;
}

export interface GatewayClientOptions {
	/** Parallel connections to the gateway; 1 keeps one keep-alive connection for a whole run. */
	connections?: number;
	/** How long the client waits beyond the gateway's own timeout (default 5 s). */
	graceMs?: number;
	/** Where the client says that it stopped (or resumed) trusting its write tracking. */
	warn?: (message: string) => void;
}

/** Calls whose refusal is a message's: "WeChat refused the message". */
const MESSAGE_CGIS: ReadonlySet<number> = new Set([CGI.sendAppMsg, CGI.sendText]);
/** The client waits this much longer than the gateway's own timeout, so the gateway answers first. */
const DEFAULT_GRACE_MS = 5000;
/** What a refusal of a path's call names: "WeChat refused the upload". */
const REFUSED_AT: Readonly<Record<string, string>> = {
	'/v2/cdnupload': 'the upload',
	'/v2/cdndownload': 'the download',
};
/** A gateway answer is a few hundred bytes; anything this large is not one and is not read. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/**
 * One client per execution: one keep-alive connection pool reused by every item, honouring the
 * HTTP(S)_PROXY / NO_PROXY environment like the rest of n8n.
 */
export class GatewayClient {
	private readonly agent: Dispatcher;
	/** The proxy between n8n and the gateway, when the environment sets one. */
	private readonly proxy: ProxyInUse | undefined;
	/** Set when the client cannot be made (a proxy URL that does not parse): every call fails so. */
	private readonly setupError: GatewayError | undefined;
	/** Parsed once, not for every call. */
	private readonly cgiEndpoint: Target;
	private readonly headers: Record<string, string>;
	/** Hard limit on each call from dispatch to the last byte, so a call always ends. */
	private readonly deadlines: Deadlines;
	private readonly graceMs: number;
	private readonly tracking: WriteTracking;
	/** Every spelling of the header secret out of a text that came back; see secretRedactor. */
	private readonly redact: (text: string) => string;

	constructor(
		readonly settings: GatewaySettings,
		options: GatewayClientOptions = {},
	) {
		this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
		// How long to wait for the answer's headers, and for each piece of its body.
		const answerTimeoutMs = settings.timeoutSeconds * 1000 + this.graceMs;
		const connectTimeoutMs = Math.min(answerTimeoutMs, 10_000);
		this.deadlines = new Deadlines(connectTimeoutMs + answerTimeoutMs);
		const tls = { rejectUnauthorized: !settings.allowUnauthorizedCerts, timeout: connectTimeoutMs };
		this.setupError = malformedProxyError();
		this.proxy = this.setupError ? undefined : proxyFor(settings.baseUrl);
		this.agent = dispatcherFor(
			this.proxy,
			{
				connections: options.connections ?? 1,
				keepAliveTimeout: 30_000,
				headersTimeout: answerTimeoutMs,
				bodyTimeout: answerTimeoutMs,
				maxResponseSize: MAX_RESPONSE_BYTES,
				connect: tls,
			},
			// Behind a proxy, undici connects to the gateway with these instead of `connect`.
			{ requestTls: tls, proxyTls: { timeout: connectTimeoutMs } },
		);
		this.tracking = new WriteTracking(options.warn);
		this.cgiEndpoint = this.targetFor({ method: 'POST', path: '/v2/api', cgiQuery: true });
		const secret = settings.authHeader?.value;
		this.headers = { ...JSON_HEADERS };
		if (settings.authHeader && secret)
			this.headers[settings.authHeader.name.toLowerCase()] = secret;
		this.redact = secretRedactor(secret, this.proxy?.password);
	}

	/** Whether failures are judged without write tracking right now (see WriteTracking). */
	get writeTrackingLost(): boolean {
		return this.tracking.isLost;
	}

	/**
	 * Any call an operation makes, answered as a CgiReply: a cgi (to `/v2/api` or a cdn path) as
	 * `callCgi` judges it; a page's JSON judged by its CgiBaseResponse when it has one, and a page
	 * that is not JSON (the login QR code) in `ResponseText`.
	 */
	async call(call: GatewayCall, body = bodyOf(call)): Promise<CgiReply> {
		if ('method' in call) {
			const query = call.forAccount ? { ...call.query, wxid: this.settings.wxid } : call.query;
			const answer = await this.callPath({ method: 'GET', path: call.path, query });
			if (!answer.json)
				return { Ret: RET.ok, ErrMsg: '', ResponseData: {}, ResponseText: answer.text };
			if (answer.json.CgiBaseResponse === undefined)
				return { Ret: RET.ok, ErrMsg: '', ResponseData: answer.json };
			return this.judged(REFUSED_AT[call.path] ?? call.path, answer.json, false);
		}
		if ('path' in call) {
			const target = this.targetFor({ method: 'POST', path: call.path, cgiQuery: true });
			const { json } = await this.send('POST', target, body);
			return this.judged(REFUSED_AT[call.path], json as Record<string, unknown>, true);
		}
		return this.callCgi(call, body);
	}

	/** Any cgi. Resolves only when the gateway says Ret 0; any other Ret is a `rejected` error. */
	async callCgi(call: CgiCall, body: JsonBody = exactJsonBody(call)): Promise<CgiReply> {
		const { json } = await this.send('POST', this.cgiEndpoint, body);
		const what = MESSAGE_CGIS.has(call.CgiCmd) ? 'the message' : `cgi ${call.CgiCmd}`;
		return this.judged(what, json as Record<string, unknown>, false);
	}

	/**
	 * An answer with a CgiBaseResponse, Ret 0 or a `rejected` error naming `what` was refused.
	 * `textData`: its ResponseData may be a string (cdnupload answers the `<appmsg>` to send).
	 */
	private judged(what: string, answer: Record<string, unknown>, textData: boolean): CgiReply {
		const { ret, errMsg } = readBaseResponse(answer, this.redact);
		if (ret !== RET.ok) {
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
		const text = textData && typeof data === 'string' ? { ResponseText: data } : {};
		return { Ret: ret, ErrMsg: errMsg, ResponseData: responseData, ...list, ...text };
	}

	/**
	 * Any path of the gateway, with the errors, redaction, proxy and write tracking of a cgi call.
	 * A JSON answer is returned read exactly (Ret is not judged: paths differ in what they answer),
	 * anything else (the login QR code's HTML page) as text.
	 */
	async callPath(call: PathCall): Promise<GatewayAnswer> {
		const body = call.body === undefined ? undefined : exactJsonBody(call.body);
		const answer = await this.send(call.method, this.targetFor(call), body, { acceptText: true });
		if (!answer.json) return answer;
		return {
			statusCode: answer.statusCode,
			json: redactValues(answer.json, this.redact) as Record<string, unknown>,
		};
	}

	/**
	 * Proves that the server is the gateway without sending anything: a cgi 222 call with no
	 * recipient and no XML, which a gateway refuses with a CgiBaseResponse.
	 */
	async probe(): Promise<{ ret: number; errMsg: string }> {
		const body = JSON.stringify(appMsgCall('', ''));
		const { json } = await this.send('POST', this.cgiEndpoint, body, { acceptHttpErrors: true });
		const base = readBaseResponse(json as Record<string, unknown>, this.redact);
		return { ret: base.ret, errMsg: base.errMsg };
	}

	async close(): Promise<void> {
		this.deadlines.close();
		await this.agent.close();
	}

	/** Where a call goes: the Base URL, the path, and the query the gateway wants for it. */
	private targetFor(call: PathCall): Target {
		const query = new URLSearchParams(
			call.cgiQuery
				? {
						funcname: 'MagicCgi',
						timeout: String(this.settings.timeoutSeconds),
						wxid: this.settings.wxid,
					}
				: {},
		);
		for (const [name, value] of Object.entries(call.query ?? {})) query.set(name, value);
		const search = query.toString();
		return targetOf(`${this.settings.baseUrl}${call.path}${search ? `?${search}` : ''}`);
	}

	private async send(
		method: 'GET' | 'POST',
		target: Target,
		body: JsonBody | undefined,
		rules: AnswerRules = {},
	): Promise<GatewayAnswer> {
		if (this.setupError) throw this.setupError;
		const exchange = this.deadlines.start(this.tracking);
		let answer: RawAnswer;
		try {
			answer = await exchange.run(this.agent, target, method, headersFor(this.headers, body), body);
		} catch (error) {
			throw (
				proxyError(error, this.proxy, this.settings.baseUrl) ??
				networkError(error, {
					host: new URL(this.settings.baseUrl).host,
					hostname: new URL(this.settings.baseUrl).hostname,
					timeoutSeconds: this.settings.timeoutSeconds,
					graceMs: this.graceMs,
					allowUnauthorizedCerts: this.settings.allowUnauthorizedCerts,
					tracker: this.tracking.stateOf(exchange),
					pastDeadline: exchange.expired,
					redact: this.redact,
					maxResponseBytes: MAX_RESPONSE_BYTES,
				})
			);
		} finally {
			this.deadlines.end(exchange);
		}
		return readAnswer(answer, this.redact, rules);
	}
}
