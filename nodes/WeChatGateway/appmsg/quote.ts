import { APPMSG_TYPE, isWeChatId } from '../wechat';
import { AppMsgInputError, type AppMsg, type XmlElement } from './model';

/** WeChat's "reply quoting a message" is an app message of this type, sent with cgi 222. */
export const APPMSG_TYPE_QUOTE = APPMSG_TYPE.quote;

/** What a quote reply says about the message it answers (from a received message's fields). */
export interface QuotedMessage {
	/** Its NewMsgId, exact 64-bit digits. */
	newMsgId: string;
	/** Who wrote it (in a group: the member). */
	senderWxid: string;
	/** Name shown above the quote; left out when empty. */
	senderName?: string;
	/** Its MsgType: 1 text, 3 image, 49 app message, … */
	msgType: number;
	/** Its text, or for an app message its XML (escaped like any text when written). */
	content?: string;
	/** Unix seconds it was sent; optional. */
	createTime?: number;
}

/** Digits of a 64-bit id from a field: a string of digits, or a number small enough to be exact. */
export function messageIdDigits(value: unknown, field: string): string {
	if (typeof value === 'number') {
		if (Number.isSafeInteger(value) && value > 0) return String(value);
		throw new AppMsgInputError(
			`"${field}" is the number ${value}, which JavaScript has already rounded (64-bit ids above 2^53 must stay text: map the id field as it came, a string of digits)`,
			field,
		);
	}
	if (typeof value === 'bigint' && value > 0n) return value.toString();
	const text = typeof value === 'string' ? value.trim() : '';
	if (!/^\d{1,20}$/.test(text) || /^0+$/.test(text) || BigInt(text) > 0xffffffffffffffffn) {
		throw new AppMsgInputError(
			`"${field}" must be the quoted message's NewMsgId, a 64-bit number as digits, got "${String(value).slice(0, 40)}"`,
			field,
		);
	}
	return text;
}

/**
 * The `<appmsg>` tree of a quote reply to `chat`: the reply in `<title>`, the quoted message in
 * `<refermsg>`. Values are plain text here; the XML builder escapes them (so a quoted app
 * message's XML travels as escaped text inside `<content>`, as WeChat writes it).
 */
export function quoteReplyAppMsg(text: string, chat: string, quoted: QuotedMessage): AppMsg {
	if (!isWeChatId(quoted.senderWxid)) {
		throw new AppMsgInputError(
			`"Quoted Sender Wxid" must be the wxid of who wrote the quoted message, got "${quoted.senderWxid.slice(0, 60)}"`,
			'Quoted Sender Wxid',
		);
	}
	if (!Number.isInteger(quoted.msgType) || quoted.msgType <= 0) {
		throw new AppMsgInputError(
			`"Quoted Message Type" must be the quoted message's MsgType (1 text, 3 image, 49 app message, …), got "${String(quoted.msgType)}"`,
			'Quoted Message Type',
		);
	}
	const refer: XmlElement = {
		type: quoted.msgType,
		svrid: quoted.newMsgId,
		fromusr: chat,
		chatusr: quoted.senderWxid,
	};
	if (quoted.senderName) refer.displayname = quoted.senderName;
	if (quoted.content) refer.content = quoted.content;
	if (quoted.createTime) refer.createtime = quoted.createTime;
	return {
		'@_appid': '',
		'@_sdkver': '0',
		title: text,
		des: '',
		action: 'view',
		type: APPMSG_TYPE_QUOTE,
		refermsg: refer,
	};
}
