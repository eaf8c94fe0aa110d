import { APPMSG_TYPE_NAMES, appMsgType, readText } from '../appmsg/model';
import type { ParsedAppMsg } from '../appmsg/parse';
import { appMsgKinds } from './message/appMsgKinds';
import type { AppMsgField } from './message/defineAppMsgKind';

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
function valueOf(parsed: ParsedAppMsg, field: AppMsgField): string | number | undefined {
	const text = readText(parsed.appMsg, field.path);
	return field.type === 'number' ? asNumber(text) : text;
}

/**
 * What Parse App Message XML outputs: `type`, `typeName`, `fromUsername`, and each message
 * kind's fields under the names of its operation's fields (declared once, in the kind's file),
 * so `{{ $json.miniProgram.cdnThumbUrl }}` maps onto Forward Mini Program's Cover CDN URL.
 */
export function summarizeAppMsg(parsed: ParsedAppMsg): AppMsgSummary {
	const { appMsg, envelope } = parsed;
	const type = appMsgType(appMsg) as number;
	const summary: AppMsgSummary = { type, typeName: APPMSG_TYPE_NAMES[type] ?? 'unknown' };
	for (const { kind } of appMsgKinds) {
		const where = kind.parsedAs;
		if (where === undefined) continue;
		const entries = kind.fields.map((field) => [field.name, valueOf(parsed, field)] as const);
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
