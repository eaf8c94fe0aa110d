import { AppMsgInputError } from '../appmsg/model';
import { isWeChatId } from '../wechat';

/**
 * One recipient or several: separated by commas (also the Chinese ，、), semicolons or new
 * lines, or a list from an expression. Repeats are sent once, in the order first given.
 */
export function parseRecipients(value: unknown, field = 'To'): string[] {
	const parts = Array.isArray(value)
		? value.flatMap((entry) => splitRecipients(entry, field))
		: splitRecipients(value, field);
	const recipients = [...new Set(parts)];
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
	return value
		.split(/[,;\n\r，、；]/)
		.map((part) => part.trim())
		.filter((part) => part !== '');
}
