// @ts-check
'use strict';
/**
 * The account calls of the gateway: `GET /v2/wechatinfo` (the logged-in accounts, each wxid
 * masked: its last four characters are `****`), `GET /v2/login/push?wxid=` (asks the phone to
 * confirm a new login) and `GET /v2/login/getqrcode?isIPad=2&wxid=` (an HTML page holding the
 * login QR code as a `data:` image).
 */
const { QR_PNG } = require('./mediaBytes');
const { WXID } = require('./wire');

const mask = (wxid) => `${wxid.slice(0, -4)}****`;

/** @param {{ accounts?: string[] }} options */
function createAccount(options) {
	const initial = () =>
		(options.accounts?.length ? options.accounts : ['wxid_simulated_bot']).map((wxid, i) => ({
			wxid,
			nickName: i === 0 ? 'Simulated Bot' : `Simulated Bot ${i + 1}`,
			online: true,
		}));
	let users = initial();
	/** Every login push and QR code asked for, in order. */
	const requests = [];

	/**
	 * Adds an account or changes one: `{ wxid, nickName?, online? }`. `online: false` takes it out
	 * of /v2/wechatinfo (as when it was logged out) and makes its cgi calls fail with Ret -13.
	 */
	function set({ wxid, nickName, online }) {
		if (typeof wxid !== 'string' || !WXID.test(wxid)) throw new Error('an account needs a wxid');
		let user = users.find((u) => u.wxid === wxid);
		if (!user) users.push((user = { wxid, nickName: nickName ?? wxid, online: true }));
		if (nickName !== undefined) user.nickName = nickName;
		if (online !== undefined) user.online = Boolean(online);
		return users.map((u) => ({ ...u }));
	}

	const isOffline = (wxid) => users.some((u) => u.wxid === wxid && !u.online);

	const envelope = (ret, errMsg, data) =>
		JSON.stringify({ CgiBaseResponse: { Ret: ret, ErrMsg: errMsg }, ResponseData: data });

	/**
	 * Answers an account call: `{ status, contentType, body }`. A `noImage` fault makes the QR page
	 * come without its image (the gateway's page when it has no code to show).
	 * @param {string} route @param {Record<string, string>} query @param {{ action: string } | undefined} fault
	 */
	function answer(route, query, fault) {
		const json = (body) => ({
			status: 200,
			contentType: 'application/json; charset=utf-8',
			body,
			ret: JSON.parse(body).CgiBaseResponse.Ret,
		});
		if (route === 'wechatinfo') {
			const online = users
				.filter((u) => u.online)
				.map((u) => ({ Wxid: mask(u.wxid), NickName: u.nickName }));
			return json(envelope(0, '', { WeChatUsers: online }));
		}
		if (!query.wxid || !WXID.test(query.wxid))
			return json(envelope(-2, 'query wxid is required', {}));
		requests.push({ route, wxid: query.wxid, query, at: new Date().toISOString() });
		if (route === 'login/push') return json(envelope(0, '', {}));
		const image =
			fault?.action === 'noImage'
				? '<p>二维码已过期，请刷新</p>'
				: `<img src="data:image/png;base64,${QR_PNG.toString('base64')}" alt="login QR code" width="168" height="168">`;
		return {
			status: 200,
			ret: 0,
			contentType: 'text/html; charset=utf-8',
			body:
				'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>扫码登录</title></head>\n' +
				`<body><div class="qrcode">${image}</div><p>请使用微信扫码登录 ${query.wxid}</p></body></html>\n`,
		};
	}

	return {
		answer,
		set,
		isOffline,
		requests,
		users: () => users.map((u) => ({ ...u })),
		reset() {
			users = initial();
			requests.length = 0;
		},
	};
}

module.exports = { createAccount, mask };
