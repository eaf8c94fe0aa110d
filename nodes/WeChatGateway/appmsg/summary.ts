import { KIND_FIELD_TABLES, type KindField } from './kindFields';
import { APPMSG_TYPE_NAMES, appMsgType, readText } from './model';
import type { ParsedAppMsg } from './parse';

export interface AppMsgSummary {
	type: number;
	typeName: string;
	[key: string]: unknown;
}

function asNumber(text: string | undefined): number | undefined {
	if (text === undefined || !/^\d{1,15}$/.test(text.trim())) return undefined;
	return Number(text.trim());
}

/** A field's value in a received message: ids stay strings, sizes and dimensions are numbers. */
function valueOf(parsed: ParsedAppMsg, field: KindField): string | number | undefined {
	const text = readText(parsed.appMsg, field.path);
	return field.type === 'number' ? asNumber(text) : text;
}

/**
 * What Parse App Message XML and the trigger output: `type`, `typeName`, `fromUsername`, and each
 * message kind's fields under the names of its operation's fields (kindFields.ts), so
 * `{{ $json.miniProgram.cdnThumbUrl }}` maps onto Forward Mini Program's Cover CDN URL.
 */
export function summarizeAppMsg(parsed: ParsedAppMsg): AppMsgSummary {
	const { appMsg, envelope } = parsed;
	const type = appMsgType(appMsg) as number;
	const summary: AppMsgSummary = { type, typeName: APPMSG_TYPE_NAMES[type] ?? 'unknown' };
	for (const kind of KIND_FIELD_TABLES) {
		const where = kind.parsedAs;
		const entries = Object.entries(kind.fields).map(
			([name, field]) => [name, valueOf(parsed, field)] as const,
		);
		if (where === 'topLevel') {
			for (const [name, value] of entries) if (value !== undefined) summary[name] = value;
			continue;
		}
		if (!kind.types.includes(type) && readText(appMsg, where.marker) === undefined) continue;
		const present = entries.filter(([, value]) => value !== undefined && value !== '');
		if (present.length) summary[where.key] = Object.fromEntries(present);
	}
	if (envelope.fromUsername !== undefined) summary.fromUsername = envelope.fromUsername;
	return summary;
}
