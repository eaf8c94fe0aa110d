// @ts-check
'use strict';
/**
 * Real-format `/ws` frames for media messages (image 3, voice 34, video 43, sticker 47, location
 * 48, contact card 42), a group join notice (10000), and the other events: a pat, a contact
 * change (pushed several times, as the gateway does), a group invite, a friend request and the
 * account going offline. A pushed voice can then be downloaded (`/v2/cdndownload`) and a pushed
 * sticker fetched from the sticker CDN: the frames and those answers share the same bytes.
 */
const { bigJson } = require('./bigJson');
const { GROUP, FRIEND, MEMBER } = require('./frames');
const xml = require('./mediaXml');
const { THUMBNAIL_PNG, STICKER_GIF, silk, silkFrames, md5, hexId } = require('./mediaBytes');

/** 32-bit MsgIds of pushed media messages; the 64-bit NewMsgIds come from the socket. */
const FIRST_MEDIA_MSG_ID = 1_800_000_001;

/**
 * @param {{ socket: ReturnType<typeof import('./socket').createGatewaySocket>,
 *   cdn: ReturnType<typeof import('./cdn').createCdn>,
 *   contacts: ReturnType<typeof import('./contacts').createContacts>,
 *   account: ReturnType<typeof import('./account').createAccount>, baseUrl: () => string }} parts
 */
function createMediaFrames({ socket, cdn, contacts, account: accounts, baseUrl }) {
	let nextMsgId = FIRST_MEDIA_MSG_ID;

	/** A sender in a group writes as `ActionUserName`; in a private chat the chat is the sender. */
	function addMsg(spec, msgType, content, extra = {}) {
		const msgId = nextMsgId++;
		const inGroup = spec.group !== undefined;
		const from = spec.from ?? (inGroup ? MEMBER : FRIEND);
		const message = {
			msgId,
			msgType,
			content,
			fromUserName: inGroup ? spec.group : from,
			actionUserName: inGroup ? from : '',
			actionNickName: spec.fromName ?? '',
			...extra,
		};
		const { newMsgId, reached } = socket.inject({ account: spec.account, message });
		return { msgId, newMsgId, reached, content };
	}

	const kinds = {
		/** `thumbnail: false` sends ImgBuf null, as gateways do for large images. */
		image(spec) {
			const seed = spec.seed ?? nextMsgId;
			const extra = spec.thumbnail === false ? {} : { imgBuf: THUMBNAIL_PNG.toString('base64') };
			return {
				...addMsg(spec, 3, xml.imageXml(THUMBNAIL_PNG, seed), extra),
				thumbnail: THUMBNAIL_PNG,
			};
		},
		/**
		 * `frames` 20 ms SILK frames of filler (default 135: 2.7 s), or `silk`: a real SILK file to
		 * use instead (encoded audio, for decoding tests); the bytes are what /v2/cdndownload writes.
		 */
		voice(spec) {
			const seed = nextMsgId;
			const bytes = spec.silk ?? silk({ frames: spec.frames ?? 135, seed });
			const from = spec.from ?? (spec.group ? MEMBER : FRIEND);
			const durationMs = (silkFrames(bytes) ?? 0) * 20;
			const pushed = addMsg(
				spec,
				34,
				xml.voiceXml({ seed, length: bytes.length, durationMs, from }),
			);
			const voice = {
				bytes,
				aesKey: xml.voiceKey(seed),
				msgId: pushed.msgId,
				newMsgId: pushed.newMsgId,
			};
			cdn.voices.set(String(pushed.msgId), voice);
			cdn.voices.set(String(pushed.newMsgId), voice);
			return { ...pushed, bytes };
		},
		video(spec) {
			const seed = nextMsgId;
			const cdn = `${xml.CDN_PREFIX}${hexId(`video${seed}`, 96)}`;
			const content = xml.msgXml(
				`<videomsg ${xml.attributes({
					aeskey: hexId(`vkey${seed}`),
					cdnvideourl: cdn,
					cdnthumbaeskey: hexId(`vtkey${seed}`),
					cdnthumburl: cdn,
					length: 1048576,
					playlength: spec.seconds ?? 12,
					cdnthumblength: 6380,
					cdnthumbwidth: 224,
					cdnthumbheight: 398,
					fromusername: spec.from ?? FRIEND,
					md5: hexId(`vmd5${seed}`),
					newmd5: hexId(`vnmd5${seed}`),
					isplaceholder: 0,
					rawmd5: '',
					rawlength: 0,
				})} />`,
			);
			return addMsg(spec, 43, content);
		},
		/** Its `cdnurl` points at this simulator's sticker CDN, which serves the GIF. */
		emoji(spec) {
			const bytes = spec.bytes ? Buffer.from(spec.bytes) : STICKER_GIF;
			const hash = md5(bytes);
			cdn.stickers.set(hash, bytes);
			const content = xml.emojiXml({
				md5: hash,
				length: bytes.length,
				baseUrl: baseUrl(),
				from: spec.from ?? FRIEND,
				to: spec.account,
			});
			return {
				...addMsg(spec, 47, content),
				md5: hash,
				bytes,
				cdnUrl: xml.stickerUrl(baseUrl(), hash),
			};
		},
		location(spec) {
			const content = xml.msgXml(
				`<location ${xml.attributes({
					x: spec.latitude ?? '22.540503',
					y: spec.longitude ?? '113.934528',
					scale: 15,
					label: spec.label ?? '广东省深圳市南山区深南大道10000号',
					maptype: 'roadmap',
					poiname: spec.poiName ?? '腾讯大厦',
					poiid: 'qqmap_2845723458462193743',
					fromusername: spec.from ?? FRIEND,
				})} />`,
			);
			return addMsg(spec, 48, content);
		},
		contactCard(spec) {
			const card = spec.card ?? 'wxid_lin99';
			const content = `<?xml version="1.0"?>\n<msg ${xml.attributes({
				bigheadimgurl: `http://wx.qlogo.cn/mmhead/ver_1/${card}/0`,
				smallheadimgurl: `http://wx.qlogo.cn/mmhead/ver_1/${card}/132`,
				username: card,
				nickname: spec.nickname ?? 'Lin',
				fullpy: 'lin',
				shortpy: '',
				alias: spec.alias ?? 'lin_99',
				imagestatus: 3,
				scene: 17,
				province: 'Guangdong',
				city: 'Shenzhen',
				sign: '',
				sex: 1,
				certflag: 0,
				certinfo: '',
				brandIconUrl: '',
				brandHomeUrl: '',
				brandSubscriptConfigUrl: '',
				brandFlags: 0,
				regionCode: 'CN_Guangdong_Shenzhen',
				antispamticket: `v2_${hexId(`card${card}`, 64)}@stranger`,
			})} />\n`;
			return addMsg(spec, 42, content);
		},
		/** `form`: `invite` ("A"邀请"B"加入了群聊) or `qr` ("B"通过扫描"A"分享的二维码加入群聊). */
		groupJoin(spec) {
			const inviter = spec.inviterName ?? 'Mei';
			const joined = spec.joinedName ?? 'Lin';
			const content =
				spec.form === 'qr'
					? `"${joined}"通过扫描"${inviter}"分享的二维码加入群聊`
					: `"${inviter}"邀请"${joined}"加入了群聊`;
			return addMsg(
				{ ...spec, group: spec.group ?? GROUP, from: spec.group ?? GROUP },
				10000,
				content,
				{
					actionUserName: '',
				},
			);
		},
	};

	const event = (account, eventName, data, currentWxid = account) =>
		socket.push(
			bigJson({
				CurrentPacket: { WebConnId: '', Data: { EventName: eventName, ...data } },
				CurrentWxid: currentWxid,
			}),
		);

	const events = {
		/** Who pats whom: `from` pats `patted` (default: the account) in `chat` (default: the group). */
		pat(spec, account) {
			const patter = spec.from ?? MEMBER;
			const patted = spec.patted ?? account;
			const template =
				patted === account ? `"\${${patter}}" 拍了拍我` : `"\${${patter}}" 拍了拍 "\${${patted}}"`;
			const data = {
				ChatUserName: spec.chat ?? GROUP,
				FromUserName: patter,
				PattedUserName: patted,
				Template: template,
			};
			return { reached: event(account, 'ON_EVENT_PAT_MSG', data), ...data };
		},
		/** The contact as cgi 182 gives it (with `changes`), pushed `times` times (default 3). */
		contactChange(spec, account) {
			const wxid = spec.wxid ?? FRIEND;
			if (spec.changes) contacts.update(wxid, spec.changes);
			const contact = contacts.get(wxid);
			let reached = 0;
			for (let i = 0; i < (spec.times ?? 3); i++)
				reached = event(account, 'ON_EVENT_CONTACT_CHANGE', { Contact: contact });
			return { reached, times: spec.times ?? 3, wxid };
		},
		groupInvite(spec, account) {
			const data = {
				FromUserName: spec.group ?? GROUP,
				InviteUserName: spec.inviter ?? MEMBER,
				InviteNickName: spec.inviterName ?? 'Mei',
				InvitedUserName: spec.invited ?? 'wxid_newbie5',
				InvitedNickName: spec.invitedName ?? 'Newbie',
			};
			return { reached: event(account, 'ON_EVENT_CHATROOM_INVITE_OTHER', data), ...data };
		},
		/** WeChat's own friend request (MsgType 37 from `fmessage`), its XML in Content. */
		friendRequest(spec, account) {
			const from = spec.from ?? 'wxid_stranger8';
			const ticket = `v2_${hexId(`ticket${from}`, 64)}@stranger`;
			const content = `<msg ${xml.attributes({
				fromusername: from,
				encryptusername: `v3_${hexId(`enc${from}`, 64)}@stranger`,
				fromnickname: spec.fromName ?? 'Stranger',
				content: spec.text ?? '我是群聊"Simulated group"的Stranger',
				fullpy: 'stranger',
				shortpy: 'S',
				imagestatus: 3,
				scene: spec.scene ?? 14,
				country: 'CN',
				province: 'Guangdong',
				city: 'Shenzhen',
				sign: '',
				percard: 1,
				sex: 1,
				alias: '',
				snsflag: 1,
				snsbgobjectid: '14261413917411696918',
				bigheadimgurl: `http://wx.qlogo.cn/mmhead/ver_1/${from}/0`,
				smallheadimgurl: `http://wx.qlogo.cn/mmhead/ver_1/${from}/132`,
				ticket,
				opcode: 2,
				chatroomusername: spec.scene === 14 || spec.scene === undefined ? GROUP : '',
			})}><brandlist count="0" ver="0"></brandlist></msg>`;
			const { newMsgId, reached } = socket.inject({
				account,
				eventName: 'ON_EVENT_FRIEND_REQ',
				message: { msgId: nextMsgId++, msgType: 37, fromUserName: 'fmessage', content },
			});
			return { reached, newMsgId, content, ticket, from };
		},
		/** Only `CurrentWxid` tells which account went offline. */
		/** The account is then offline (out of /v2/wechatinfo, its calls Ret -13) unless `markOffline: false`. */
		accountOffline(spec, account) {
			if (spec.markOffline !== false) accounts.set({ wxid: account, online: false });
			return { reached: event(account, 'ON_EVENT_ACCOUNT_OFFLINE', {}) };
		},
	};

	/**
	 * Pushes one frame (or, for a contact change, several) of `kind` to `spec.account`.
	 * @param {string} kind @param {Record<string, any>} [spec]
	 */
	function push(kind, spec = {}) {
		const account = spec.account ?? socket.defaultAccount();
		if (kinds[kind]) return kinds[kind]({ ...spec, account });
		if (events[kind]) return events[kind](spec, account);
		throw new Error(
			`no frame kind "${kind}"; try one of ${[...Object.keys(kinds), ...Object.keys(events)].join(', ')}`,
		);
	}

	return { push, kinds: [...Object.keys(kinds), ...Object.keys(events)] };
}

module.exports = { createMediaFrames, FIRST_MEDIA_MSG_ID };
