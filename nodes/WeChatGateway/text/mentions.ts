import { AppMsgInputError } from '../inputError';
import {
	COMMA_SEPARATOR,
	LINE_SEPARATOR,
	MENTION_ALL,
	WECHAT_ID_PATTERN,
	isWeChatId,
} from '../wechat';

export { MENTION_ALL };
/** What WeChat shows for a mention of everyone. */
export const MENTION_ALL_NAME = '所有人';
/**
 * WeChat renders a mention only where the text holds `@DisplayName` followed by this character
 * (U+2005, four-per-em space); `AtUsers` alone notifies nobody visibly.
 */
export const MENTION_END = '\u2005';

/** Names are shown in the chat; a line break or the mention terminator would break the @-token. */
const BAD_NAME_CHAR = /[\r\n\u2005]/;

export interface Mention {
	wxid: string;
	/** Display name to write as `@name` + U+2005 into the text; absent: the text is left alone. */
	name?: string;
}

/** One entry as the user wrote it, kept for the error that names it. */
type Entry = Mention & { written?: string };

/**
 * Reads the Mentions field, a mapped list of texts or `{ wxid, name }` objects, or a text:
 * entries separated by new lines or semicolons, and on one line by commas (also ，、). An entry
 * is a wxid, optionally followed by `:Display Name` (a wxid never holds a colon). A display name
 * may hold commas: it runs to the end of its line, or to the next comma followed by another
 * `wxid:`, a `wxid_…` or notify@all. Repeats keep their first name.
 */
export function parseMentions(value: unknown, field = 'Mentions'): Mention[] {
	const raw = collect(value, field);
	const seen = new Map<string, Mention>();
	for (const { written, ...mention } of raw) {
		if (!isWeChatId(mention.wxid)) {
			const entry =
				written === undefined || written === mention.wxid
					? ''
					: ` (in the entry "${written.slice(0, 80)}")`;
			throw new AppMsgInputError(
				`"${field}" has "${mention.wxid.slice(0, 60)}"${entry}, which is not a WeChat ID: mention people by wxid (wxid_…), optionally followed by ":Display Name", or use ${MENTION_ALL}`,
				field,
			);
		}
		if (mention.wxid.endsWith('@chatroom')) {
			throw new AppMsgInputError(
				`"${field}" has the group "${mention.wxid}": mention its members, or everyone with ${MENTION_ALL}`,
				field,
			);
		}
		if (mention.name !== undefined && BAD_NAME_CHAR.test(mention.name)) {
			throw new AppMsgInputError(
				`"${field}": the display name of ${mention.wxid} holds a line break or U+2005, which would end the mention early`,
				field,
			);
		}
		const earlier = seen.get(mention.wxid);
		if (!earlier) seen.set(mention.wxid, mention);
		else if (earlier.name === undefined && mention.name !== undefined) earlier.name = mention.name;
	}
	const mentions = [...seen.values()];
	const all = seen.get(MENTION_ALL);
	if (all && all.name === undefined) all.name = MENTION_ALL_NAME;
	return mentions;
}

function collect(value: unknown, field: string): Entry[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value.flatMap((entry) => collect(entry, field));
	if (typeof value === 'object') {
		const object = value as Record<string, unknown>;
		const wxid = object.wxid ?? object.senderWxid ?? object.id;
		const name = object.name ?? object.displayName ?? object.senderName;
		if (
			typeof wxid !== 'string' ||
			(name !== undefined && name !== null && typeof name !== 'string')
		)
			throw new AppMsgInputError(
				`"${field}": a mapped mention must be a wxid text or an object { wxid, name }`,
				field,
			);
		return [{ wxid: wxid.trim(), ...(name ? { name: name.trim() } : {}) }];
	}
	if (typeof value !== 'string') {
		throw new AppMsgInputError(`"${field}" must be text or a list, got ${typeof value}`, field);
	}
	return value
		.split(LINE_SEPARATOR)
		.flatMap(entriesOfLine)
		.map((written) => {
			const colon = written.indexOf(':');
			if (colon < 0) return { wxid: written, written };
			const name = written.slice(colon + 1).trim();
			return { wxid: written.slice(0, colon).trim(), ...(name ? { name } : {}), written };
		});
}

/** What starts a new entry after a comma that follows a display name. */
const ENTRY_START = new RegExp(`^\\s*(?:${WECHAT_ID_PATTERN}\\s*:|wxid_|${MENTION_ALL}\\s*$)`);

/** The entries of one line: a comma inside a display name stays part of the name. */
function entriesOfLine(line: string): string[] {
	const pieces = line.split(new RegExp(`(${COMMA_SEPARATOR.source})`));
	const entries: string[] = [];
	let inName = false;
	for (let i = 0; i < pieces.length; i += 2) {
		const piece = pieces[i];
		if (inName && !ENTRY_START.test(piece)) {
			entries[entries.length - 1] += pieces[i - 1] + piece;
			continue;
		}
		entries.push(piece);
		inName = piece.includes(':');
	}
	return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** `AtUsers` as the gateway takes it: wxids joined by commas. */
export function atUsersOf(mentions: readonly Mention[]): string {
	return mentions.map((mention) => mention.wxid).join(',');
}

/**
 * The text with each named mention's `@Name` + U+2005 in front, unless the text already holds
 * exactly that token (the user placed it). Mentions without a name leave the text as it is.
 */
export function withMentionTokens(text: string, mentions: readonly Mention[]): string {
	const tokens = mentions
		.filter((mention) => mention.name !== undefined)
		.map((mention) => `@${mention.name}${MENTION_END}`)
		.filter((token) => !text.includes(token));
	return tokens.join('') + text;
}
