import { parseAppMsgXml } from '../appmsg/parse';
import { AppMsgInputError, appMsgType } from '../appmsg/model';
import { summarizeAppMsg, type AppMsgSummary } from '../appmsg/summary';
import {
	APPMSG_TYPE,
	APPMSG_TYPE_NAMES,
	MENTION_ALL,
	MSG_TYPE_APP,
	WECHAT_ID_PATTERN,
	isWeChatId,
} from '../wechat';
import { exactId, type AddMsg } from './frame';

/**
 * App messages the trigger reports as a kind of their own, by the name of their type
 * (APPMSG_TYPE_NAMES; a mini program page is a mini program); every other one is `otherApp`.
 */
const APP_KINDS = [
	'link',
	'file',
	'miniProgram',
	'channelsVideo',
	'quote',
] as const satisfies ReadonlyArray<keyof typeof APPMSG_TYPE>;

export const MESSAGE_KINDS = [
	'text',
	'image',
	'voice',
	'video',
	'emoji',
	'location',
	'contactCard',
	...APP_KINDS,
	'otherApp',
	'system',
] as const;

export type MessageKind = (typeof MESSAGE_KINDS)[number] | 'unknown';

const KIND_BY_MSG_TYPE: Record<number, MessageKind> = {
	1: 'text',
	3: 'image',
	34: 'voice',
	42: 'contactCard',
	43: 'video',
	47: 'emoji',
	48: 'location',
	62: 'video',
	10000: 'system',
	10002: 'system',
};

function kindOfAppMsgType(type: number | undefined): MessageKind {
	const name = type === undefined ? undefined : APPMSG_TYPE_NAMES[type];
	return APP_KINDS.find((kind) => kind === name) ?? 'otherApp';
}

/** What is known of a message before its XML is read: enough for every filter but the kind. */
export interface MessageBasics {
	msgId?: string;
	msgType?: number;
	chatId: string;
	isGroup: boolean;
	senderWxid: string;
	senderName: string;
	fromSelf: boolean;
	content: string;
	mentionedMe: boolean;
	mentionsAll: boolean;
	mentions: string[];
	createTime?: string;
	createTimeUnix?: number;
	pushContent: string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** Some builds prefix a group message's content with the speaker: `wxid_speaker:\n…`. */
const SPEAKER_PREFIX = new RegExp(`^(${WECHAT_ID_PATTERN}):\\r?\\n`);

/** `<atuserlist>` lists a few dozen wxids at most; a longer one is not read. */
const MAX_ATUSERLIST_CHARS = 16 * 1024;

/** The wxids in MsgSource's `<atuserlist>` (comma separated, maybe in CDATA), read without an XML parser. */
export function mentionsIn(msgSource: string): string[] {
	const open = msgSource.indexOf('<atuserlist>');
	if (open < 0) return [];
	const start = open + '<atuserlist>'.length;
	const end = msgSource.indexOf('</atuserlist>', start);
	if (end < 0 || end - start > MAX_ATUSERLIST_CHARS) return [];
	let list = msgSource.slice(start, end).trim();
	if (list.startsWith('<![CDATA[') && list.endsWith(']]>')) list = list.slice(9, -3);
	const wxids = list
		.split(',')
		.map((wxid) => wxid.trim())
		.filter(isWeChatId);
	return [...new Set(wxids)];
}

/**
 * Who said what where. `FromUserName` is the account itself for what the account sent (then the
 * chat is `ToUserName`); in a group the speaker is `ActionUserName`, or the content's prefix.
 */
export function messageBasics(addMsg: AddMsg, accountWxid: string): MessageBasics {
	const from = text(addMsg.FromUserName);
	const to = text(addMsg.ToUserName);
	const sentByAccount = from === accountWxid;
	const chatId = sentByAccount ? to : from;
	const isGroup = chatId.endsWith('@chatroom');
	let content = text(addMsg.Content);
	let senderWxid = sentByAccount ? accountWxid : isGroup ? text(addMsg.ActionUserName) : from;
	const prefix = isGroup ? SPEAKER_PREFIX.exec(content) : null;
	if (prefix) {
		content = content.slice(prefix[0].length);
		if (senderWxid === '') senderWxid = prefix[1];
	}
	const mentions = isGroup ? mentionsIn(text(addMsg.MsgSource)) : [];
	const seconds = typeof addMsg.CreateTime === 'number' ? addMsg.CreateTime : Number.NaN;
	const validTime = Number.isSafeInteger(seconds) && seconds > 0 && seconds < 1e11;
	const msgType =
		typeof addMsg.MsgType === 'number' && Number.isSafeInteger(addMsg.MsgType)
			? addMsg.MsgType
			: undefined;
	return {
		msgId: exactId(addMsg.MsgId),
		msgType,
		chatId,
		isGroup,
		senderWxid,
		senderName: text(addMsg.ActionNickName),
		fromSelf: senderWxid === accountWxid,
		content,
		mentionedMe: mentions.includes(accountWxid),
		mentionsAll: mentions.includes(MENTION_ALL),
		mentions: mentions.filter((wxid) => wxid !== MENTION_ALL),
		createTime: validTime ? new Date(seconds * 1000).toISOString() : undefined,
		createTimeUnix: validTime ? seconds : undefined,
		pushContent: text(addMsg.PushContent),
	};
}

export interface AppMessage {
	kind: MessageKind;
	messageXml: string;
	appMsg: AppMsgSummary;
}

/**
 * An app message's XML through the package's one hardened parser (size, DOCTYPE, depth and
 * well-formedness checked before parsing). Throws AppMsgInputError for XML it refuses.
 */
export function readAppMessage(content: string): AppMessage {
	const parsed = parseAppMsgXml(content, 'Content');
	return {
		kind: kindOfAppMsgType(appMsgType(parsed.appMsg)),
		messageXml: content,
		appMsg: summarizeAppMsg(parsed),
	};
}

export function isAppMessage(basics: MessageBasics): boolean {
	return basics.msgType === MSG_TYPE_APP;
}

export function kindOfMsgType(msgType: number | undefined): MessageKind {
	return (msgType !== undefined && KIND_BY_MSG_TYPE[msgType]) || 'unknown';
}

export { AppMsgInputError };
