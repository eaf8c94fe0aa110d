/**
 * What WeChat and its gateway define, in one place for both nodes: the cgi calls this package
 * makes, message and app-message type numbers, the Ret codes WeChat's cgi layer answers with,
 * the shape of a WeChat ID and how lists of them are written.
 */

/** WeChat's own cgi ids, as the gateway's `CgiCmd` takes them. */
export const CGI = {
	/** sendappmsg: link cards, files, mini programs, Channels videos. */
	sendAppMsg: 222,
	/** newsendmsg: a text, with mentions in `AtUsers`. */
	sendText: 522,
	/** getcontact: contacts and groups (members included) by id, `{ Wxid: [...] }`. */
	getContact: 182,
	/** delchatroommember: `{ Wxid: [...], ChatroomID }`. */
	removeGroupMembers: 179,
	/** revokemsg: `{ OpCode: 0, MsgId, NewMsgId, ToUserName }`. */
	revokeMessage: 594,
	/** sendpat: `{ ChatUserName, PattedUsername, Scene: 0 }`. */
	pat: 849,
	/** uploadmsgimg: a picture, as `ImageBase64`, `ImageUrl` or `ImageXml`. */
	sendImage: 110,
	/** uploadvoice: a SILK voice message, as `VoiceBase64` or `VoiceUrl`, with `VoiceTime`. */
	sendVoice: 127,
	/** sendemoji: a sticker WeChat already has, by `EmojiMd5` and `EmojiLen`. */
	sendEmoji: 175,
} as const;

/** `MsgType` of an app message (cgi 222). */
export const MSG_TYPE_APP = 49;
/** `MsgType` of a text (cgi 522). */
export const MSG_TYPE_TEXT = 1;
/** `MsgType` of a picture, a voice message and a sticker, as received and as sent. */
export const MSG_TYPE_IMAGE = 3;
export const MSG_TYPE_VOICE = 34;
export const MSG_TYPE_EMOJI = 47;
/** `MsgType` of a received video (43) and of a short "sight" video (62). */
export const MSG_TYPE_VIDEOS: readonly number[] = [43, 62];
/** `FileType` of `/v2/cdndownload` that writes a received voice message to a file. */
export const CDN_FILE_TYPE_VOICE = 128;

/** `CgiCmd` of the gateway's cdn paths (`/v2/cdnupload`, `/v2/cdndownload`): the path says what. */
export const CDN_CGI_CMD = 0;
/** `FileType` of a cdn call: what is uploaded or downloaded. */
export const CDN_FILE_TYPE = { image: 2, file: 5, voice: 128 } as const;

/** `<type>` inside `<appmsg>`: what kind of app message it is. */
export const APPMSG_TYPE = {
	link: 5,
	file: 6,
	miniProgram: 33,
	miniProgramPage: 36,
	channelsVideo: 51,
	/** A reply quoting a message. */
	quote: 57,
} as const;

/** Names of the app-message types seen in the wild, as outputs report them. */
export const APPMSG_TYPE_NAMES: Record<number, string> = {
	1: 'text',
	2: 'image',
	3: 'music',
	4: 'video',
	[APPMSG_TYPE.link]: 'link',
	[APPMSG_TYPE.file]: 'file',
	8: 'sticker',
	19: 'chatHistory',
	[APPMSG_TYPE.miniProgram]: 'miniProgram',
	[APPMSG_TYPE.miniProgramPage]: 'miniProgram',
	[APPMSG_TYPE.channelsVideo]: 'channelsVideo',
	[APPMSG_TYPE.quote]: 'quote',
	2000: 'transfer',
	2001: 'redEnvelope',
};

/** The wxid that mentions everyone in a group (`AtUsers`, `<atuserlist>`); owner and admins only. */
export const MENTION_ALL = 'notify@all';

/** The Ret codes that public clients of WeChat's cgi layer have seen; others may come. */
export const RET = {
	ok: 0,
	systemError: -1,
	badArgument: -2,
	sessionExpired: -13,
	spam: -24,
	tooFrequent: -34,
	loggedInElsewhere: -100,
	banned: -200,
} as const;

/** Plain words for each known Ret code, and what to do about it. */
export const RET_HINTS: Record<number, string> = {
	[RET.systemError]: 'WeChat reported a system error; try again later',
	[RET.badArgument]:
		'WeChat rejected an argument: check the message fields (a mini program cover above about 50 KB, an expired file attachment or a wrong recipient ID all cause this)',
	[RET.sessionExpired]:
		"the account's session has expired: log the account in to the gateway again",
	[RET.spam]: 'WeChat treated the message as spam',
	[RET.tooFrequent]:
		'the account is sending too often: raise "Message Interval" in the node\'s options',
	[RET.loggedInElsewhere]:
		'the account was logged in elsewhere and is now logged out of the gateway: log in again',
	[RET.banned]: 'the account is banned or restricted by WeChat',
};

/** Ret codes by which a gateway that works says that the account itself cannot send. */
export const ACCOUNT_RETS: ReadonlySet<number> = new Set([
	RET.sessionExpired,
	RET.loggedInElsewhere,
	RET.banned,
]);

/** wxid_…, custom WeChat IDs, …@chatroom, …@openim, gh_…: never spaces or markup. */
export const WECHAT_ID_PATTERN = '[A-Za-z0-9_@.-]{1,128}';

const WHOLE_WECHAT_ID = new RegExp(`^${WECHAT_ID_PATTERN}$`);

export function isWeChatId(text: string): boolean {
	return WHOLE_WECHAT_ID.test(text);
}

/** Ends a line of a typed list (also the Chinese semicolon). */
export const LINE_SEPARATOR = /[\n\r;；]/;
/** Separates entries on one line: the comma, also the Chinese commas. */
export const COMMA_SEPARATOR = /[,，、]/;
/** Any separator of a typed list of WeChat IDs: comma or line separator. */
export const LIST_SEPARATOR = new RegExp(`${COMMA_SEPARATOR.source}|${LINE_SEPARATOR.source}`);

/** What every group's id ends with; a person's id never does. */
export const GROUP_ID_SUFFIX = '@chatroom';

export function isGroupId(text: string): boolean {
	return isWeChatId(text) && text.endsWith(GROUP_ID_SUFFIX) && text.length > GROUP_ID_SUFFIX.length;
}
