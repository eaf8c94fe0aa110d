import type { IExecuteFunctions } from 'n8n-workflow';

import { AppMsgInputError } from '../appmsg/model';
import type { ParameterReader } from './operation';

/** `={{ $json.name }}` or `={{ $json["name"] }}`: nothing but a field of the item itself. */
const ITEM_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]+)\2\s*\])\s*\}\}$/;

/**
 * Parameter readers for one execution. A parameter that is just `{{ $json.x }}` is read from
 * the item's field `x` directly, which gives the value n8n would (a test holds that for text,
 * numbers, lists and a missing field); anything else goes through n8n as usual.
 *
 * Why: n8n 2.x evaluates every expression in an isolated VM, which costs more per item than
 * sending the message (docs/PERFORMANCE.md, "Reading {{ $json.x }} parameters directly").
 */
export function parameterReaders(
	context: IExecuteFunctions,
	accountWxid?: string,
): (itemIndex: number) => ParameterReader {
	const raw = context.getNode().parameters;
	const items = context.getInputData();
	const fields = new Map<string, string | undefined>();
	const itemFieldOf = (name: string): string | undefined => {
		if (!fields.has(name)) {
			const value = raw[name];
			const match = typeof value === 'string' ? ITEM_FIELD.exec(value) : null;
			fields.set(name, match ? (match[1] ?? match[3]) : undefined);
		}
		return fields.get(name);
	};
	return (itemIndex) => ({
		itemIndex,
		accountWxid,
		get: (name, fallback) => {
			const field = itemFieldOf(name);
			return field === undefined
				? context.getNodeParameter(name, itemIndex, fallback)
				: items[itemIndex].json[field];
		},
		binary: async (property) => {
			const present = Object.keys(items[itemIndex].binary ?? {});
			if (!present.includes(property))
				throw new AppMsgInputError(
					`The item has no binary property "${property}" (${present.length ? `it has ${present.map((name) => `"${name}"`).join(', ')}` : 'it has no binary data'}); set "Input Binary Field" to the property that holds the file`,
					property,
				);
			context.helpers.assertBinaryData(itemIndex, property);
			return await context.helpers.getBinaryDataBuffer(itemIndex, property);
		},
	});
}
