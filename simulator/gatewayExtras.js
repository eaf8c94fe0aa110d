// @ts-check
'use strict';
/**
 * The gateway's calls beyond app messages and texts, wired into gateway.js: the modelled cgi
 * commands (contacts.js, media.js), the CDN upload and download routes (cdn.js), the account calls
 * (account.js), the sticker CDN and media folder, the pushes of media frames and events
 * (mediaFrames.js), and their control endpoints under /__simulator/.
 */
const { rawMemberText, WXID } = require('./wire');
const { answerFault } = require('./faults');
const { createContacts } = require('./contacts');
const { createCdn } = require('./cdn');
const { createMedia } = require('./media');
const { createMediaFrames } = require('./mediaFrames');
const { createAccount } = require('./account');

/**
 * @param {{ options: { accounts?: string[], mediaFolder?: string },
 *   socket: ReturnType<typeof import('./socket').createGatewaySocket>,
 *   sent: (args: any) => boolean, sendJson: (res: any, status: number, text: string) => void,
 *   log: (entry: object) => void }} deps
 */
function createGatewayExtras({ options, socket, sent, sendJson, log }) {
	/** @type {{ allocateId: () => string, messageRecord: (...args: any[]) => Record<string, unknown>, faults: () => any[] }} */
	let gateway;
	const allocateId = () => gateway.allocateId();
	/** The first rule for this file route that is not used up. */
	function takeFileFault(route) {
		const fault = gateway
			.faults()
			.find((rule) => rule.route === route && rule.used < (rule.times ?? Infinity));
		if (fault) fault.used++;
		return fault;
	}
	const contacts = createContacts();
	const cdn = createCdn({ mediaFolder: options.mediaFolder });
	const account = createAccount({ accounts: options.accounts });
	const models = { ...contacts.models, ...createMedia(cdn).models };
	let baseUrl = '';
	const mediaFrames = createMediaFrames({
		socket,
		cdn,
		contacts,
		account,
		baseUrl: () => baseUrl,
	});

	/** A command the simulator models (see contacts.js, media.js): checked, answered as the gateway does. */
	async function handleModelledCommand({
		req,
		res,
		call,
		query,
		body,
		bodyText,
		fault,
		reject,
		model,
	}) {
		const request = body.CgiRequest;
		const requestText = rawMemberText(bodyText, 'CgiRequest') ?? JSON.stringify(request);
		const now = Math.floor(Date.now() / 1000);
		const ctx = {
			requestText,
			newMsgId: allocateId(),
			msgId: 1_000_000 + call.callNumber,
			wxid: query.wxid,
			toUserName: request.ToUserName,
			now,
			callNumber: call.callNumber,
			baseUrl,
		};
		const outcome = await model(request, ctx);
		if (!outcome.ok) return reject(200, outcome.ret, outcome.errMsg);
		if (fault?.action === 'ret')
			return reject(200, fault.ret, fault.errMsg ?? `simulated Ret ${fault.ret}`);
		outcome.commit?.(fault);
		// Like a real gateway, a sent media message comes back over the socket as the account's own.
		if (outcome.echo) {
			const message = {
				msgId: ctx.msgId,
				fromUserName: query.wxid,
				toUserName: request.ToUserName,
			};
			const echo = {
				account: query.wxid,
				newMsgId: outcome.newMsgId,
				message: { ...message, ...outcome.echo },
			};
			setImmediate(() => socket.inject(echo));
		}
		const message = {
			...gateway.messageRecord(call, query, body.CgiCmd, request.ToUserName, outcome.newMsgId),
			request: requestText,
			...outcome.fields,
		};
		if (sent({ req, res, call, fault, message, echo: false })) return;
		sendJson(
			res,
			200,
			`{"CgiBaseResponse":{"ErrMsg":"","Ret":0},"ResponseData":${outcome.responseData}}`,
		);
	}

	/** `/v2/cdnupload` and `/v2/cdndownload` (see cdn.js); recorded in uploads / downloads. */
	async function handleCdnCall({ req, res, call, route, request, bodyText, fault, reject }) {
		if (
			route === 'cdnupload' &&
			(typeof request.ToUserName !== 'string' || !WXID.test(request.ToUserName))
		)
			return reject(200, -2, 'CgiRequest.ToUserName must be a WeChat ID');
		const requestText = rawMemberText(bodyText, 'CgiRequest') ?? '{}';
		const ctx = { callNumber: call.callNumber, rawMsgId: rawMemberText(requestText, 'MsgId') };
		const outcome = await (route === 'cdnupload' ? cdn.upload : cdn.download)(request, ctx);
		if (!outcome.ok) return reject(200, outcome.ret, outcome.errMsg);
		if (fault?.action === 'ret')
			return reject(200, fault.ret, fault.errMsg ?? `simulated Ret ${fault.ret}`);
		outcome.commit?.(fault);
		call.ret = 0;
		log({ kind: route, ...outcome.fields });
		if (fault?.action === 'drop') return void req.socket.destroy();
		sendJson(
			res,
			200,
			`{"CgiBaseResponse":{"ErrMsg":"","Ret":0},"ResponseData":${outcome.responseData}}`,
		);
	}

	/** The account calls (see account.js): plain GETs, no body. */
	function handleAccountCall({ req, res, call, route, query, fault, reject }) {
		if (req.method !== 'GET') return reject(405, -2, 'method must be GET');
		if (fault?.action === 'ret')
			return reject(200, fault.ret, fault.errMsg ?? `simulated Ret ${fault.ret}`);
		const answer = account.answer(route, query, fault);
		call.ret = answer.ret;
		if (fault?.action === 'drop') return void req.socket.destroy();
		res.writeHead(answer.status, {
			'content-type': answer.contentType,
			'content-length': Buffer.byteLength(answer.body),
		});
		res.end(answer.body);
	}

	/** The sticker CDN and the media folder: plain GETs that only faults with their `route` touch. */
	async function handleFiles(req, res, url, route) {
		const fault = takeFileFault(route);
		if (await answerFault(req, res, fault, 0)) return;
		cdn.serve(req, res, url);
	}

	/** The control endpoints of these parts; false when `route` is none of them. */
	function handleControl(route, bodyText, res) {
		const reply = (value) => sendJson(res, 200, JSON.stringify(value));
		switch (route) {
			case 'GET /__simulator/uploads':
				return void reply(cdn.uploads);
			case 'GET /__simulator/downloads':
				return void reply(cdn.downloads);
			case 'GET /__simulator/media':
				return void reply({ mediaFolder: cdn.mediaFolder, mediaUrl: `${baseUrl}/media` });
			case 'GET /__simulator/contacts':
				return void reply(contacts.list());
			case 'POST /__simulator/contacts':
				return void reply(contacts.seed(JSON.parse(bodyText || '[]')));
			case 'GET /__simulator/account':
				return void reply({ users: account.users(), requests: account.requests });
			case 'POST /__simulator/account':
				return void reply(account.set(JSON.parse(bodyText || '{}')));
			case 'POST /__simulator/push': {
				const { kind, ...spec } = JSON.parse(bodyText || '{}');
				const pushed = mediaFrames.push(kind, spec);
				return void sendJson(
					res,
					200,
					JSON.stringify(pushed, (key, value) =>
						key === 'bytes' || key === 'thumbnail' ? undefined : value,
					),
				);
			}
			default:
				return false;
		}
	}

	return {
		models,
		handleModelledCommand,
		handleCdnCall,
		handleAccountCall,
		handleFiles,
		handleControl,
		isOffline: account.isOffline,
		/** The gateway's id counter, clock and fault rules. */
		connect(parts) {
			gateway = parts;
		},
		setBaseUrl(url) {
			baseUrl = url;
		},
		reset() {
			contacts.reset();
			cdn.reset();
			account.reset();
		},
		close: cdn.close,
		/** What the simulator object offers tests for these parts. */
		api: {
			/** Contacts and groups cgi 182 / 179 / 849 know: `seed` adds or replaces, `list` reads. */
			contacts: { seed: contacts.seed, list: contacts.list },
			/** The accounts /v2/wechatinfo lists: `set({ wxid, nickName?, online? })`; login pushes and QR codes asked for. */
			account: { set: account.set, users: account.users, requests: account.requests },
			/** What /v2/cdnupload and /v2/cdndownload did, in order. */
			uploads: cdn.uploads,
			downloads: cdn.downloads,
			/** The folder /v2/cdndownload writes into (served at `${url}/media`, the Media Download URL). */
			mediaFolder: cdn.mediaFolder,
			/** Pushes a media frame or an event over /ws (see mediaFrames.js); `frameKinds` lists them. */
			push: mediaFrames.push,
			frameKinds: mediaFrames.kinds,
		},
	};
}

module.exports = { createGatewayExtras };
