import { AppMsgInputError } from '../appmsg/model';
import { LIST_SEPARATOR, isWeChatId } from '../wechat';

/**
 * Recipients of one item. At the default pace (12 new chats a minute) a thousand take about an
 * hour and a half; beyond that one execution would stay alive for days, and the parsed list
 * alone would hold much memory (docs/PERFORMANCE.md, "Recipients per item").
 */
export const MAX_RECIPIENTS_PER_ITEM = 1000;
/** Entries read (repeats included) before giving up, so a huge list is never held whole. */
const MAX_ENTRIES_READ = MAX_RECIPIENTS_PER_ITEM * 10;

function tooMany(field: string, count: string): AppMsgInputError {
	return new AppMsgInputError(
		`"${field}" has ${count} recipients; one item sends to at most ${MAX_RECIPIENTS_PER_ITEM}: split them over several items (each recipient waits its turn of the Message Interval)`,
		field,
	);
}

/**
 * One recipient or several: separated by commas (also the Chinese ，、), semicolons or new
 * lines, or a list from an expression. Repeats are sent once, in the order first given.
 */
export function parseRecipients(value: unknown, field = 'To'): string[] {
	if (Array.isArray(value) && value.length > MAX_ENTRIES_READ)
		throw tooMany(field, `${value.length}`);
	const parts: string[] = [];
	for (const entry of Array.isArray(value) ? value : [value]) {
		parts.push(...splitRecipients(entry, field));
		if (parts.length > MAX_ENTRIES_READ) throw tooMany(field, `more than ${MAX_ENTRIES_READ}`);
	}
	const recipients = [...new Set(parts)];
	if (recipients.length > MAX_RECIPIENTS_PER_ITEM) throw tooMany(field, `${recipients.length}`);
	if (recipients.length === 0)
		throw new AppMsgInputError(`"${field}" is empty: give a wxid or a …@chatroom group ID`, field);
	for (const recipient of recipients) {
		if (!isWeChatId(recipient)) {
			throw new AppMsgInputError(
				`"${field}" has "${recipient.slice(0, 60)}", which is not a WeChat ID: use a wxid (wxid_…), a custom WeChat ID or a group ID (…@chatroom), not a nickname`,
				field,
			);
		}
	}
	return recipients;
}

function splitRecipients(value: unknown, field: string): string[] {
	if (value === undefined || value === null) return [];
	if (typeof value === 'number' || typeof value === 'bigint') return [String(value)];
	if (typeof value !== 'string') {
		throw new AppMsgInputError(
			`"${field}" must be text or a list of texts, got ${typeof value}`,
			field,
		);
	}
	// Split with a limit: a text of a million recipients is never cut up whole.
	const pieces = value.split(LIST_SEPARATOR, MAX_ENTRIES_READ + 1);
	if (pieces.length > MAX_ENTRIES_READ) throw tooMany(field, `more than ${MAX_ENTRIES_READ}`);
	return pieces.map((part) => part.trim()).filter((part) => part !== '');
}
