// @ts-check
'use strict';
/**
 * A local stand-in for the WeChat HTTP gateway's MagicCgi endpoint (cgi 222, sendappmsg), and
 * for its WebSocket (`/ws`, see socket.js), which echoes every accepted message as the account's own frame.
 *
 * It checks every call the way the real gateway does (method, path, query, JSON body, the
 * AppMsgXml and the fields each message type needs), answers like the gateway's own API page
 * (64-bit NewMsgId as a bare JSON number), keeps what it received, and injects faults on demand
 * through its control endpoints under /__simulator/ or the `faults` option.
 */
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const { XMLParser, XMLValidator } = require('fast-xml-parser');

const { createGatewaySocket } = require('./socket');
const { rawMemberText, WXID } = require('./wire');
const { answerFault, ruleMatches } = require('./faults');
const { createGatewayExtras } = require('./gatewayExtras');
const { createOpenAiEndpoint } = require('./openai');

/** @typedef {{ action: 'ret', ret: number, errMsg?: string }
 *   | { action: 'http', status: number, body?: string, contentType?: string, headers?: Record<string, string> }
 *   | { action: 'html' } | { action: 'empty' } | { action: 'json', body: string }
 *   | { action: 'delay', delayMs: number } | { action: 'hang' }
 *   | { action: 'drop' } | { action: 'dropBeforeSend' }
 *   | { action: 'dribble', intervalMs?: number } | { action: 'echoHeaders', status?: number }
 *   | { action: 'oversized', bytes: number } | { action: 'dropConnection' }} FaultAction */
/** @typedef {FaultAction & { toUserName?: string, nth?: number, times?: number, route?: string, cgiCmd?: number }} FaultRule
 *  `nth`: only the nth gateway call from when the rule was added (1-based); `times`: how many
 *  calls it hits before it is used up (default: 1 with nth, else unlimited); `toUserName`: only calls to that recipient.
 *  `cgiCmd`: only calls of that cgi number (0 on the CDN routes). `route`: only calls on that
 *  route: `api`, `cdnupload`, `cdndownload`, `wechatinfo`, `login/push`, `login/getqrcode`, or
 *  the plain GETs `sticker` (the sticker CDN) and `media` (the media folder), which a rule
 *  without `route` never touches (`nth` does not count there).
 *
 *  What each action does, and when:
 *  - `ret`: a well-formed call is refused with that Ret (and ErrMsg); nothing is sent.
 *  - `http`, `html`, `empty`, `json`: that answer instead of the gateway's; nothing is sent
 *    (`http` may add `headers`, e.g. a redirect's Location).
 *  - `delay`: the call is handled `delayMs` later (the message is sent then, whether or not the
 *    client still waits); `hang`: never answered, nothing sent.
 *  - `dropBeforeSend`: the request was received, the connection is closed, nothing is sent.
 *  - `drop`: the message is sent, then the connection is closed instead of answering.
 *  - `dribble`: the message is sent, then the answer's headers come and its body trickles one
 *    space every `intervalMs` (default 100) without ever ending.
 *  - `echoHeaders`: answers HTTP `status` (default 400) with the request headers in the body,
 *    custom (X-) ones first, as a misconfigured proxy's error page does; nothing is sent.
 *  - `oversized`: answers 200 with a body of `bytes` bytes that never forms a gateway answer; nothing is sent.
 *  - `noFile` (cdndownload): answers Ret 0 but the file never appears. `noImage`
 *    (login/getqrcode): the page comes without its image.
 *  - `dropConnection`: acts on connections, not calls: the next new TCP connection (or the `nth`
 *    new one after the rule was added) is closed as soon as it is accepted, before any byte is
 *    read. Over TLS (`tls` option) the client cannot have written its request yet. `toUserName`
 *    does not apply. Use `keepAlive: false` to give every call its own connection. */

const REQUIRED_FIELDS = {
	5: [['title'], ['url']],
	6: [['title'], ['appattach', 'totallen'], ['appattach', 'attachid'], ['appattach', 'aeskey']],
	33: [['title'], ['weappinfo', 'appid'], ['weappinfo', 'username']],
	36: [['title'], ['weappinfo', 'appid'], ['weappinfo', 'username']],
	51: [
		['finderFeed', 'objectId'],
		['finderFeed', 'objectNonceId'],
		['finderFeed', 'username'],
	],
};
/** App message types a client may send; 74 (file uploading) and the like only ever arrive. */
const SENDABLE_TYPES = new Set([3, 4, 5, 6, 19, 24, 33, 36, 51, 53, 57, 63, 87]);
const FIRST_MSG_ID = 7234567890123457789n;

const xmlParser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	parseTagValue: false,
	processEntities: true,
	// Also decodes character references (&#13; and the like), as any XML parser on the real side does.
	htmlEntities: true,
	trimValues: false,
});

function get(node, path) {
	let value = node;
	for (const name of path) {
		if (Array.isArray(value)) value = value[0];
		if (value === undefined || value === null || typeof value !== 'object') return undefined;
		value = value[name];
	}
	if (Array.isArray(value)) value = value[0];
	if (value !== null && typeof value === 'object') value = value['#text'];
	return value === undefined ? undefined : String(value);
}

/** @returns {{ ok: true, appMsg: any, type: number } | { ok: false, errMsg: string }} */
function checkAppMsgXml(xml) {
	if (typeof xml !== 'string' || xml.trim() === '')
		return { ok: false, errMsg: 'AppMsgXml is required' };
	if (/<!DOCTYPE/i.test(xml)) return { ok: false, errMsg: 'AppMsgXml must not contain a DOCTYPE' };
	const valid = XMLValidator.validate(xml);
	if (valid !== true)
		return {
			ok: false,
			errMsg: `AppMsgXml is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, col ${valid.err.col})`,
		};
	if (!/^\s*<appmsg[\s>/]/.test(xml))
		return { ok: false, errMsg: 'AppMsgXml must start at the <appmsg> element' };
	const document = xmlParser.parse(xml);
	const keys = Object.keys(document);
	if (keys.length !== 1 || keys[0] !== 'appmsg')
		return { ok: false, errMsg: 'AppMsgXml must have exactly one root element, <appmsg>' };
	const appMsg = document.appmsg;
	const typeText = get(appMsg, ['type']);
	if (typeText === undefined || !/^\d+$/.test(typeText))
		return { ok: false, errMsg: 'appmsg has no numeric <type>' };
	const type = Number(typeText);
	if (!SENDABLE_TYPES.has(type)) return { ok: false, errMsg: `appmsg type ${type} cannot be sent` };
	for (const path of REQUIRED_FIELDS[type] ?? [['title']]) {
		const value = get(appMsg, path);
		if (value === undefined || value.trim() === '')
			return { ok: false, errMsg: `appmsg type ${type} needs <${path.join('><')}>` };
	}
	if (type === 6 && !/^\d+$/.test(get(appMsg, ['appattach', 'totallen']) ?? ''))
		return { ok: false, errMsg: 'appattach.totallen must be a number' };
	return { ok: true, appMsg, type };
}

// ---- cgi 522 (send text) and other commands ------------------------------------------------

/** WeChat cgi numbers this simulator models; any other is recorded and answered generically. */
const CGI_SEND_APP_MSG = 222;
const CGI_SEND_TEXT = 522;
/** How long a text may be (code points) before the simulator refuses it with Ret -2. */
const DEFAULT_MAX_TEXT_CHARS = 4096;
/** How the answer of a text names its ids: both shapes are seen in gateway builds. */
const TEXT_RESPONSE_SHAPES = new Set(['flat', 'list', 'none']);

/**
 * Checks a cgi 522 request as the gateway does before it hands it to WeChat.
 * @returns {{ ok: true, content: string, atUsers: string[] } | { ok: false, errMsg: string }}
 */
function checkTextRequest(request, maxTextChars) {
	if (request.MsgType !== 1)
		return { ok: false, errMsg: 'CgiRequest.MsgType must be 1 for a text' };
	if (typeof request.Content !== 'string' || request.Content.trim() === '')
		return { ok: false, errMsg: 'CgiRequest.Content is required' };
	const length = [...request.Content].length;
	if (length > maxTextChars)
		return {
			ok: false,
			errMsg: `CgiRequest.Content is ${length} characters; WeChat takes at most ${maxTextChars}`,
		};
	if (/[\uD800-\uDFFF]/u.test(request.Content.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')))
		return { ok: false, errMsg: 'CgiRequest.Content holds a lone surrogate' };
	const atUsersText = request.AtUsers ?? '';
	if (typeof atUsersText !== 'string')
		return { ok: false, errMsg: 'CgiRequest.AtUsers must be a comma-separated string' };
	const atUsers = atUsersText === '' ? [] : atUsersText.split(',');
	for (const wxid of atUsers) {
		if (!WXID.test(wxid))
			return { ok: false, errMsg: `CgiRequest.AtUsers has "${wxid}", which is not a wxid` };
	}
	if (atUsers.length > 0 && !String(request.ToUserName).endsWith('@chatroom'))
		return { ok: false, errMsg: 'CgiRequest.AtUsers only works in a group (…@chatroom)' };
	return { ok: true, content: request.Content, atUsers };
}

/** Ret 0 answer of a text in the chosen shape; ids written as bare numbers, as builds do. */
function textAnswer(shape, { newMsgId, clientMsgId, toUserName, msgId, now }) {
	const base = '{"CgiBaseResponse":{"ErrMsg":"","Ret":0},"ResponseData":';
	if (shape === 'none') return `${base}{"Count":0,"List":[]}}`;
	if (shape === 'list')
		return (
			`${base}{"BaseResponse":{"Ret":0,"ErrMsg":{}},"Count":1,"List":[{"Ret":0,` +
			`"ToUsetName":{"string":${JSON.stringify(toUserName)}},"MsgId":${msgId},"ClientMsgid":${clientMsgId},` +
			`"Createtime":${now},"servertime":${now},"Type":1,"NewMsgId":${newMsgId}}],"NoKnow":0}}`
		);
	return `${base}{"NewMsgId":${newMsgId},"ClientMsgId":${JSON.stringify(String(clientMsgId))}}}`;
}

/** Milliseconds since the epoch with sub-millisecond precision, for measuring spacing. */
function preciseNow() {
	return performance.timeOrigin + performance.now();
}

/**
 * What every sent message's record starts with: when the call came and was answered, who sent
 * it to whom, and the id it got (see `messages` in the README).
 */
function messageRecord(call, query, cgiCmd, toUserName, newMsgId) {
	return {
		at: call.at,
		receivedAt: call.receivedAt,
		sentAt: preciseNow(),
		callNumber: call.callNumber,
		wxid: query.wxid,
		timeout: query.timeout,
		cgiCmd,
		toUserName,
		newMsgId,
	};
}

/** The gateway's routes, from the end of the path (a gateway may sit under a prefix). */
const GATEWAY_PATH = /\/v2\/(api|cdnupload|cdndownload|wechatinfo|login\/push|login\/getqrcode)$/;
const ACCOUNT_ROUTES = new Set(['wechatinfo', 'login/push', 'login/getqrcode']);

/** Faults that act on a new connection instead of on a gateway call. */
const CONNECTION_ACTIONS = new Set(['dropConnection']);

/**
 * @param {{ host?: string, port?: number, accounts?: string[], authHeader?: { name: string, value: string },
 *   latencyMs?: number, faults?: FaultRule[], logFile?: string, firstMsgId?: bigint | string,
 *   tls?: { key: string | Buffer, cert: string | Buffer }, keepAlive?: boolean,
 *   textResponseShape?: 'flat' | 'list' | 'none', maxTextChars?: number,
 *   commandResponses?: Record<string, string>, modelCommands?: boolean, mediaFolder?: string }} [options]
 *  `tls`: serve https with this key and certificate. `keepAlive: false`: close the connection after every answer.
 *  `textResponseShape`: how a cgi 522 answer names its ids (`flat` NewMsgId, a `list` of results,
 *  or `none`). `maxTextChars`: longest text accepted (default 4096). `commandResponses`: cgi number
 *  -> the JSON text of the ResponseData to answer (default: an echo of the request and a 64-bit id).
 *  `modelCommands`: cgi 110, 127, 175, 179, 182, 594 and 849 are checked and answered as the
 *  gateway does (contacts.js, media.js) instead of echoed; a configured answer still wins.
 *  `mediaFolder`: where /v2/cdndownload writes (default: a temporary folder, removed on close).
 */
async function startGatewaySimulator(options = {}) {
	const accounts =
		options.accounts && options.accounts.length ? new Set(options.accounts) : undefined;
	const authHeader = options.authHeader
		? { name: options.authHeader.name.toLowerCase(), value: options.authHeader.value }
		: undefined;
	let latencyMs = options.latencyMs ?? 0;
	let nextMsgId = BigInt(options.firstMsgId ?? FIRST_MSG_ID);
	let clientSeq = 0;
	let gatewayCalls = 0;
	let connections = 0;
	/** @type {Array<FaultRule & { used: number, startAt: number, startConnection: number }>} */
	let faults = [];
	/** New connections accepted since the last reset (connection faults count these). */
	let acceptedConnections = 0;
	/** Connections closed on accept by a `dropConnection` fault. */
	let droppedConnections = 0;
	/** Timers of `dribble` answers, stopped on close. */
	const timers = new Set();
	/** Messages the gateway accepted (Ret 0), in order. */
	const messages = [];
	/** Every call to the gateway endpoint, accepted or not. */
	const calls = [];
	const sockets = new Set();
	const commandState = {
		textResponseShape: options.textResponseShape ?? 'flat',
		maxTextChars: options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS,
		/** @type {Map<string, string>} cgi number -> ResponseData JSON text */
		responses: new Map(Object.entries(options.commandResponses ?? {})),
		clientMsgSeq: 0,
		modelCommands: options.modelCommands ?? false,
	};
	if (!TEXT_RESPONSE_SHAPES.has(commandState.textResponseShape))
		throw new Error(`textResponseShape must be one of ${[...TEXT_RESPONSE_SHAPES].join(', ')}`);
	const gatewaySocket = createGatewaySocket({ accounts, authHeader });
	const extras = createGatewayExtras({ options, socket: gatewaySocket, sent, sendJson, log });
	extras.connect({
		allocateId: () => (nextMsgId++).toString(),
		messageRecord,
		faults: () => faults,
	});
	const openai = createOpenAiEndpoint({ sendJson });

	function addFault(rule) {
		if (!rule || typeof rule.action !== 'string') throw new Error('a fault needs an "action"');
		faults.push({ ...rule, used: 0, startAt: gatewayCalls, startConnection: acceptedConnections });
	}
	for (const rule of options.faults ?? []) addFault(rule);

	function takeFault(callNumber, toUserName, route = 'api', cgiCmd = undefined) {
		for (const rule of faults) {
			if (CONNECTION_ACTIONS.has(rule.action) || !ruleMatches(rule, route, cgiCmd)) continue;
			const limit = rule.times ?? (rule.nth ? 1 : Infinity);
			if (rule.used >= limit) continue;
			if (rule.toUserName && rule.toUserName !== toUserName) continue;
			if (rule.nth && callNumber - rule.startAt < rule.nth) continue;
			rule.used++;
			return rule;
		}
		return undefined;
	}

	function takeConnectionFault(connectionNumber) {
		for (const rule of faults) {
			if (!CONNECTION_ACTIONS.has(rule.action)) continue;
			const limit = rule.times ?? (rule.nth ? 1 : Infinity);
			if (rule.used >= limit) continue;
			if (rule.nth && connectionNumber - rule.startConnection < rule.nth) continue;
			rule.used++;
			return rule;
		}
		return undefined;
	}

	function log(entry) {
		if (options.logFile) fs.appendFileSync(options.logFile, `${JSON.stringify(entry)}\n`);
	}

	function sendJson(res, status, text) {
		res.writeHead(status, {
			'content-type': 'application/json; charset=utf-8',
			'content-length': Buffer.byteLength(text),
		});
		res.end(text);
	}

	function cgiAnswer(ret, errMsg, data) {
		const base = JSON.stringify({ ErrMsg: errMsg, Ret: ret });
		// NewMsgId is written as a bare 64-bit number, exactly as the real gateway does.
		const responseData = data
			? `{"NewMsgId":${data.newMsgId},"ClientMsgId":${JSON.stringify(data.clientMsgId)}}`
			: '{}';
		return `{"CgiBaseResponse":${base},"ResponseData":${responseData}}`;
	}

	async function handleGateway(req, res, url, bodyText, route = 'api') {
		const callNumber = ++gatewayCalls;
		const query = Object.fromEntries(url.searchParams);
		let body;
		try {
			body = JSON.parse(bodyText);
		} catch {
			body = undefined;
		}
		const toUserName = body?.CgiRequest?.ToUserName;
		const call = {
			at: new Date().toISOString(),
			receivedAt: preciseNow(),
			callNumber,
			query,
			toUserName,
			body: bodyText,
			headers: { ...req.headers },
		};
		if (route !== 'api') call.route = route;
		calls.push(call);

		const fault = takeFault(callNumber, toUserName, route, body?.CgiCmd);
		call.fault = fault?.action;
		if (await answerFault(req, res, fault, latencyMs)) return;

		const reject = (status, ret, errMsg) => {
			call.ret = ret;
			call.errMsg = errMsg;
			log({ kind: 'rejected', ...call, headers: undefined });
			sendJson(res, status, cgiAnswer(ret, errMsg));
		};
		if (authHeader && req.headers[authHeader.name] !== authHeader.value)
			return reject(401, -1, 'unauthorized: missing or wrong auth header');
		if (ACCOUNT_ROUTES.has(route))
			return extras.handleAccountCall({ req, res, call, route, query, fault, reject });
		if (req.method !== 'POST') return reject(405, -2, 'method must be POST');
		if (query.funcname !== 'MagicCgi') return reject(400, -2, 'query funcname must be MagicCgi');
		if (!query.timeout || !/^\d+$/.test(query.timeout))
			return reject(400, -2, 'query timeout must be a number of seconds');
		if (!query.wxid || !WXID.test(query.wxid)) return reject(400, -2, 'query wxid is required');
		if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
			return reject(400, -2, 'Content-Type must be application/json');
		if (!body || typeof body !== 'object') return reject(400, -2, 'body must be JSON');
		if (accounts && !accounts.has(query.wxid))
			return reject(200, -13, `account ${query.wxid} is not logged in to this gateway`);
		if (extras.isOffline(query.wxid)) return reject(200, -13, `account ${query.wxid} is offline`);
		const request = body.CgiRequest;
		if (route !== 'api') {
			if (body.CgiCmd !== 0) return reject(200, -2, `CgiCmd must be 0 on /v2/${route}`);
			if (!request || typeof request !== 'object' || Array.isArray(request))
				return reject(200, -2, 'CgiRequest is required');
			return extras.handleCdnCall({ req, res, call, route, request, bodyText, fault, reject });
		}
		if (!Number.isInteger(body.CgiCmd) || body.CgiCmd <= 0)
			return reject(200, -2, `CgiCmd ${JSON.stringify(body.CgiCmd)} is not a cgi number`);
		if (!request || typeof request !== 'object' || Array.isArray(request))
			return reject(200, -2, 'CgiRequest is required');
		if (body.CgiCmd !== CGI_SEND_APP_MSG)
			return handleOtherCommand({ req, res, call, query, body, bodyText, fault, reject });
		if (typeof request.ToUserName !== 'string' || request.ToUserName === '')
			return reject(200, -2, 'CgiRequest.ToUserName is required');
		if (!WXID.test(request.ToUserName))
			return reject(200, -2, `ToUserName "${request.ToUserName}" is not a WeChat ID`);
		if (request.MsgType !== 49) return reject(200, -2, 'CgiRequest.MsgType must be 49');
		const checked = checkAppMsgXml(request.AppMsgXml);
		if (!checked.ok) return reject(200, -2, checked.errMsg);
		if (fault?.action === 'ret')
			return reject(200, fault.ret, fault.errMsg ?? `simulated Ret ${fault.ret}`);

		const newMsgId = (nextMsgId++).toString();
		const clientMsgId = `${query.wxid}_${Date.now()}_${++clientSeq}`;
		const message = {
			...messageRecord(call, query, CGI_SEND_APP_MSG, request.ToUserName, newMsgId),
			type: checked.type,
			appMsgXml: request.AppMsgXml,
			clientMsgId,
		};
		// Like a real gateway, the sent message comes back over the socket as the account's own.
		if (sent({ req, res, call, fault, message, echo: true })) return;
		sendJson(res, 200, cgiAnswer(0, '', { newMsgId, clientMsgId }));
	}

	/**
	 * Records a message as sent (and echoes it over the socket when `echo`). Returns true when a
	 * fault then took the answer away: the message is sent, and the client does not know it.
	 */
	function sent({ req, res, call, fault, message, echo }) {
		messages.push(message);
		call.ret = 0;
		call.newMsgId = message.newMsgId;
		log({ kind: 'sent', ...message });
		if (echo) setImmediate(() => gatewaySocket.echoSent(message));
		if (fault?.action === 'drop') {
			req.socket.destroy();
			return true;
		}
		if (fault?.action === 'dribble') {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.write('{"CgiBaseResponse":');
			const timer = setInterval(() => {
				if (res.destroyed || res.writableEnded) {
					clearInterval(timer);
					timers.delete(timer);
				} else res.write(' ');
			}, fault.intervalMs ?? 100);
			timers.add(timer);
			return true;
		}
		return false;
	}

	/** cgi 522 (send text) is checked and recorded as a message; any other cgi is recorded as asked. */
	function handleOtherCommand({ req, res, call, query, body, bodyText, fault, reject }) {
		const request = body.CgiRequest;
		const isText = body.CgiCmd === CGI_SEND_TEXT;
		if (isText || request.ToUserName !== undefined) {
			if (typeof request.ToUserName !== 'string' || request.ToUserName === '')
				return reject(200, -2, 'CgiRequest.ToUserName is required');
			if (!WXID.test(request.ToUserName))
				return reject(200, -2, `ToUserName "${request.ToUserName}" is not a WeChat ID`);
		}
		const text = isText ? checkTextRequest(request, commandState.maxTextChars) : undefined;
		if (text && !text.ok) return reject(200, -2, text.errMsg);
		const model =
			commandState.modelCommands && !commandState.responses.has(String(body.CgiCmd))
				? extras.models[body.CgiCmd]
				: undefined;
		if (model)
			return extras.handleModelledCommand({
				req,
				res,
				call,
				query,
				body,
				bodyText,
				fault,
				reject,
				model,
			});
		if (fault?.action === 'ret')
			return reject(200, fault.ret, fault.errMsg ?? `simulated Ret ${fault.ret}`);

		const newMsgId = (nextMsgId++).toString();
		const now = Math.floor(Date.now() / 1000);
		const message = messageRecord(call, query, body.CgiCmd, request.ToUserName, newMsgId);
		let answer;
		if (text && text.ok) {
			const numericClientId = Date.now() * 1000 + (++commandState.clientMsgSeq % 1000);
			const clientMsgId =
				commandState.textResponseShape === 'list'
					? String(numericClientId)
					: `${query.wxid}_${Date.now()}_${++clientSeq}`;
			Object.assign(message, {
				msgType: 1,
				content: text.content,
				atUsers: text.atUsers,
				clientMsgId,
				responseShape: commandState.textResponseShape,
			});
			answer = textAnswer(commandState.textResponseShape, {
				newMsgId,
				clientMsgId: commandState.textResponseShape === 'list' ? numericClientId : clientMsgId,
				toUserName: request.ToUserName,
				msgId: 1_000_000 + call.callNumber,
				now,
			});
		} else {
			const requestText = rawMemberText(bodyText, 'CgiRequest') ?? JSON.stringify(request);
			message.request = requestText;
			const configured = commandState.responses.get(String(body.CgiCmd));
			const responseData =
				configured ??
				`{"CgiCmd":${body.CgiCmd},"NewMsgId":${newMsgId},"Echo":${requestText},"ServerTime":${now}}`;
			answer = `{"CgiBaseResponse":{"ErrMsg":"","Ret":0},"ResponseData":${responseData}}`;
		}
		// A sent text comes back over the socket as the account's own, like an app message does.
		if (sent({ req, res, call, fault, message, echo: message.msgType === 1 })) return;
		sendJson(res, 200, answer);
	}

	/** Control of the text and command answers: `{ textResponseShape?, maxTextChars?, responses? }`. */
	function configureCommands(settings) {
		if (settings.textResponseShape !== undefined) {
			if (!TEXT_RESPONSE_SHAPES.has(settings.textResponseShape))
				throw new Error(`textResponseShape must be one of ${[...TEXT_RESPONSE_SHAPES].join(', ')}`);
			commandState.textResponseShape = settings.textResponseShape;
		}
		if (settings.maxTextChars !== undefined)
			commandState.maxTextChars = Number(settings.maxTextChars);
		if (settings.modelCommands !== undefined)
			commandState.modelCommands = Boolean(settings.modelCommands);
		for (const [cgiCmd, responseDataJson] of Object.entries(settings.responses ?? {})) {
			if (responseDataJson === null) commandState.responses.delete(cgiCmd);
			else commandState.responses.set(cgiCmd, String(responseDataJson));
		}
		return {
			textResponseShape: commandState.textResponseShape,
			maxTextChars: commandState.maxTextChars,
			responses: Object.fromEntries(commandState.responses),
			modelCommands: commandState.modelCommands,
		};
	}

	async function handleControl(req, res, url, bodyText) {
		const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
		const reply = (value) => sendJson(res, 200, JSON.stringify(value));
		if (url.pathname.startsWith('/__simulator/ws')) {
			const answer = await gatewaySocket.handleControl(route, JSON.parse(bodyText || '{}'));
			if (answer !== undefined) return reply(answer);
		}
		if (extras.handleControl(route, bodyText, res) !== false) return;
		if (openai.handleControl(route, bodyText, res) !== false) return;
		switch (route) {
			case 'GET /__simulator/messages':
				return reply(messages);
			case 'GET /__simulator/calls':
				return reply(calls.map(({ headers, ...rest }) => rest));
			case 'GET /__simulator/stats':
				return reply(stats());
			case 'DELETE /__simulator/messages':
			case 'POST /__simulator/reset':
				reset();
				return reply({ ok: true });
			case 'GET /__simulator/faults':
				return reply(faults);
			case 'POST /__simulator/faults': {
				const rules = JSON.parse(bodyText || '[]');
				for (const rule of Array.isArray(rules) ? rules : [rules]) addFault(rule);
				return reply(faults);
			}
			case 'DELETE /__simulator/faults':
				faults = [];
				return reply({ ok: true });
			case 'GET /__simulator/commands':
				return reply(configureCommands({}));
			case 'POST /__simulator/commands':
				return reply(configureCommands(JSON.parse(bodyText || '{}')));
			case 'POST /__simulator/latency':
				latencyMs = Number(JSON.parse(bodyText || '{}').latencyMs ?? 0);
				return reply({ latencyMs });
			default:
				return sendJson(res, 404, JSON.stringify({ error: `no control endpoint ${route}` }));
		}
	}

	function stats() {
		return {
			connections,
			gatewayCalls,
			sent: messages.length,
			rejected: calls.filter((c) => c.ret !== undefined && c.ret !== 0).length,
			droppedConnections,
		};
	}

	function reset() {
		messages.length = 0;
		calls.length = 0;
		faults = [];
		gatewayCalls = 0;
		connections = sockets.size;
		acceptedConnections = 0;
		droppedConnections = 0;
		gatewaySocket.reset();
		extras.reset();
		openai.reset();
	}

	const handler = (req, res) => {
		if (options.keepAlive === false) res.setHeader('connection', 'close');
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://simulator');
			const bodyBytes = Buffer.concat(chunks);
			const bodyText = bodyBytes.toString('utf8');
			Promise.resolve()
				.then(() => {
					if (url.pathname.startsWith('/__simulator/'))
						return handleControl(req, res, url, bodyText);
					if (openai.handle(req, res, url, bodyText, bodyBytes) !== false) return;
					const route = GATEWAY_PATH.exec(url.pathname.replace(/\/+$/, ''))?.[1];
					if (route) return handleGateway(req, res, url, bodyText, route);
					if (req.method === 'GET' && /^\/(cdn\/emoji|media)\//.test(url.pathname))
						return extras.handleFiles(
							req,
							res,
							url,
							url.pathname.startsWith('/media/') ? 'media' : 'sticker',
						);
					res
						.writeHead(404, { 'content-type': 'text/html' })
						.end('<html><body>404 page not found</body></html>');
				})
				.catch((error) => {
					if (!res.headersSent)
						sendJson(res, 500, JSON.stringify({ error: String(error && error.message) }));
				});
		});
	};
	const server = options.tls
		? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
		: http.createServer(handler);
	server.keepAliveTimeout = 60_000;
	server.on('connection', (socket) => {
		const fault = takeConnectionFault(++acceptedConnections);
		if (fault) {
			droppedConnections++;
			socket.destroy();
			return;
		}
		connections++;
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('upgrade', (req, socket, head) => {
		const path = new URL(req.url ?? '/', 'http://simulator').pathname.replace(/\/+$/, '');
		if (path.endsWith('/ws')) gatewaySocket.handleUpgrade(req, socket, head);
		else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const url = `${options.tls ? 'https' : 'http'}://${address.address}:${address.port}`;
	extras.setBaseUrl(url);

	return {
		url,
		port: address.port,
		messages,
		calls,
		stats,
		reset,
		addFault,
		/** The WebSocket side: inject, burst, drop, stall, refuse, hostile, stats (see socket.js). */
		ws: gatewaySocket,
		clearFaults() {
			faults = [];
		},
		setLatency(ms) {
			latencyMs = ms;
		},
		/** Switches the text answer shape, the text limit or a command's answer; see configureCommands. */
		configureCommands,
		/** How many times each (recipient, XML) pair was accepted: above 1 is a duplicate. */
		deliveries() {
			const counts = new Map();
			for (const m of messages) {
				const payload = m.appMsgXml ?? m.content ?? m.request;
				const key = `${m.cgiCmd ?? CGI_SEND_APP_MSG}\u0000${m.toUserName}\u0000${payload}`;
				counts.set(key, (counts.get(key) ?? 0) + 1);
			}
			return counts;
		},
		/**
		 * The messages, once none has arrived for `quietMs`: a workflow (or several) sending in
		 * reaction to what was pushed has finished, and whatever it sent twice would be here.
		 */
		async settledMessages(quietMs = 1500) {
			let count = -1;
			let quietSince = Date.now();
			for (;;) {
				if (messages.length !== count) {
					count = messages.length;
					quietSince = Date.now();
				} else if (Date.now() - quietSince >= quietMs) return messages.slice();
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		},
		...extras.api,
		/** The OpenAI-compatible model endpoint under /v1/ (openai.js): `script(rules)`, `requests`. */
		openai: openai.api,
		/** Where the media folder is served: the Media Download URL. */
		mediaUrl: `${url}/media`,
		async close() {
			extras.close();
			for (const timer of timers) clearInterval(timer);
			timers.clear();
			gatewaySocket.close();
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(() => resolve(undefined)));
		},
	};
}

module.exports = {
	startGatewaySimulator,
	checkAppMsgXml,
	checkTextRequest,
	rawMemberText,
	FIRST_MSG_ID,
	DEFAULT_MAX_TEXT_CHARS,
};
