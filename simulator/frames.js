// @ts-check
'use strict';
/**
 * Frames in the shape the gateway pushes over its WebSocket (see the receiving section of the
 * protocol): `{CurrentPacket:{WebConnId,Data:{EventName,AddMsg}},CurrentWxid}`, with NewMsgId
 * written as a bare 64-bit JSON number, exactly as a real gateway writes it.
 */
const fs = require('node:fs');
const path = require('node:path');

const SAMPLE_XML = Object.fromEntries(
	['channels', 'file', 'link', 'miniprogram', 'quote'].map((name) => [
		name,
		fs.readFileSync(path.join(__dirname, 'samples', `${name}.xml`), 'utf8'),
	]),
);

/** Ids handed to injected messages: above 2^53, so a client that reads them as numbers rounds them. */
const FIRST_PUSHED_ID = 9007199254740993n + 1_000_000_000n;
const GROUP = '6949093048@chatroom';
const FRIEND = 'wxid_friend42';
const MEMBER = 'wxid_member7';

/**
 * @typedef {{ fromUserName?: string, toUserName?: string, msgType?: number, content?: string,
 *   msgSource?: string, pushContent?: string, actionUserName?: string, actionNickName?: string,
 *   createTime?: number, msgId?: number, imgBuf?: string }} MessageSpec
 *  `imgBuf`: an image message's thumbnail as base64 (AddMsg.ImgBuf).
 * @typedef {{ account: string, newMsgId: bigint | string, withExt?: boolean,
 *   eventName?: string, message?: MessageSpec, currentWxid?: string | null, data?: object }} FrameSpec
 */

/** One frame as the JSON text the gateway sends. */
function frameText(/** @type {FrameSpec} */ spec) {
	const id = String(spec.newMsgId);
	const message = spec.message;
	/** @type {Record<string, unknown>} */
	const data = { EventName: spec.eventName ?? 'ON_EVENT_MSG_NEW', ...(spec.data ?? {}) };
	if (message) {
		data.AddMsg = {
			MsgId: message.msgId ?? Number(BigInt(id) % 2147483647n),
			NewMsgId: '__NEW_MSG_ID__',
			...(spec.withExt === false ? {} : { NewMsgIdExt: id }),
			FromUserName: message.fromUserName ?? FRIEND,
			ToUserName: message.toUserName ?? spec.account,
			MsgType: message.msgType ?? 1,
			Content: message.content ?? '',
			MsgSource: message.msgSource ?? '<msgsource><signature>v1_simulated</signature></msgsource>',
			PushContent: message.pushContent ?? '',
			CreateTime: message.createTime ?? Math.floor(Date.now() / 1000),
			Status: 3,
			ImgStatus: 1,
			ImgBuf: message.imgBuf ?? null,
			ActionUserName: message.actionUserName ?? '',
			ActionNickName: message.actionNickName ?? '',
		};
	}
	const frame = { CurrentPacket: { WebConnId: '', Data: data } };
	if (spec.currentWxid !== null) frame.CurrentWxid = spec.currentWxid ?? spec.account;
	return JSON.stringify(frame).replace('"__NEW_MSG_ID__"', id);
}

const atList = (...wxids) =>
	`<msgsource><atuserlist><![CDATA[,${wxids.join(',')}]]></atuserlist><silence>0</silence><membercount>12</membercount></msgsource>`;

/**
 * Real-format messages by name, for `account`. Group app messages carry the speaker's
 * `wxid:\n` prefix like the builds that put it in the content.
 * @returns {Record<string, { message: MessageSpec, withExt?: boolean }>}
 */
function samples(account) {
	const groupApp = (xml) => ({
		fromUserName: GROUP,
		msgType: 49,
		content: `${MEMBER}:\n${xml}`,
		actionUserName: MEMBER,
		actionNickName: 'Mei',
	});
	return {
		text: {
			message: {
				content: 'hello from a friend',
				pushContent: 'Friend : hello from a friend',
				actionNickName: 'Friend',
			},
		},
		groupText: {
			message: {
				fromUserName: GROUP,
				content: `@Bot\u2005@Lin\u2005please look at this`,
				msgSource: atList(account, 'wxid_lin99'),
				pushContent: 'Mei : @Bot please look at this',
				actionUserName: MEMBER,
				actionNickName: 'Mei',
			},
		},
		groupTextPrefixed: {
			message: {
				fromUserName: GROUP,
				content: `${MEMBER}:\nmorning all`,
				msgSource: atList('notify@all'),
			},
		},
		link: { message: { msgType: 49, content: SAMPLE_XML.link } },
		miniProgram: { message: { msgType: 49, content: SAMPLE_XML.miniprogram } },
		file: { message: groupApp(SAMPLE_XML.file) },
		// Captured in a group: the content starts with the speaker's prefix.
		channels: {
			message: {
				fromUserName: GROUP,
				msgType: 49,
				content: SAMPLE_XML.channels,
				actionUserName: 'wxid_member77',
			},
		},
		quote: { message: groupApp(SAMPLE_XML.quote) },
		image: {
			message: {
				msgType: 3,
				content: '<?xml version="1.0"?><msg><img aeskey="0f1e" length="12345" md5="abc" /></msg>',
			},
		},
		system: {
			message: {
				fromUserName: GROUP,
				msgType: 10000,
				content: '"Mei" invited "Lin" to the group chat',
			},
		},
		bigIdWithoutExt: { message: { content: 'a 64-bit id and no NewMsgIdExt' }, withExt: false },
		bigIdWithExt: { message: { content: 'a 64-bit id and NewMsgIdExt' }, withExt: true },
	};
}

/** Frames no receiver should emit, each with what it is. 5 MB, a DOCTYPE bomb, deep nesting… */
function hostileFrames(account, nextId) {
	const bomb =
		'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
		'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><msg><appmsg><title>&lol2;</title><type>5</type></appmsg></msg>';
	const deep = `<msg><appmsg><type>5</type>${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}</appmsg></msg>`;
	const appFrame = (content) =>
		frameText({ account, newMsgId: nextId(), message: { msgType: 49, content } });
	return [
		{ what: 'not JSON', text: '{"CurrentPacket": {"Data": ' },
		{ what: 'plain text', text: 'hello, not a frame' },
		{
			what: 'a command answer',
			text: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ReqId":7,"ResponseData":{}}',
		},
		{ what: 'JSON array', text: '[1,2,3]' },
		{ what: 'no Data', text: '{"CurrentPacket":{"WebConnId":""},"CurrentWxid":"' + account + '"}' },
		{
			what: '5 MB frame',
			text: appFrame(
				`<msg><appmsg><type>5</type><title>${'x'.repeat(5 * 1024 * 1024)}</title></appmsg></msg>`,
			),
		},
		{ what: 'entity bomb', text: appFrame(bomb) },
		{ what: 'deep nesting', text: appFrame(deep) },
		{ what: 'malformed XML', text: appFrame('<msg><appmsg><type>5</title></msg>') },
	];
}

module.exports = { frameText, samples, hostileFrames, FIRST_PUSHED_ID, GROUP, FRIEND, MEMBER };
