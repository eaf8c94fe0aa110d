import { XMLParser, type X2jOptions } from 'fast-xml-parser';

import { assertXmlText } from './build';
import { AppMsgInputError, type XmlElement } from './model';
import { assertWellFormed, MAX_NESTING, quoteInput } from './wellFormed';

const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** One pass over the five predefined entities and character references; nothing else expands. */
function decodeEntities(value: string): string {
	if (!value.includes('&')) return value;
	return value.replace(ENTITY, (whole, dec: string, hex: string, name: string) => {
		if (name) return NAMED[name];
		const codePoint = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
		return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
	});
}

/** How the parsed tree looks: where attributes, text and CDATA go, and whether text is trimmed. */
export type XmlShape = Pick<
	X2jOptions,
	'attributeNamePrefix' | 'attributesGroupName' | 'textNodeName' | 'cdataPropName' | 'trimValues'
>;

/**
 * A reader of untrusted XML in the given shape: one linear well-formedness pass that refuses
 * DOCTYPE, entity declarations and runaway nesting before the parser sees anything, values kept
 * as text (64-bit ids and leading zeros survive exactly), and only the predefined entities and
 * character references decoded, so a DOCTYPE can never define one. Every refusal is an
 * AppMsgInputError naming `field`.
 */
export function wellFormedXmlReader(shape: XmlShape): (xml: string, field: string) => XmlElement {
	const parser = new XMLParser({
		...shape,
		ignoreAttributes: false,
		parseTagValue: false,
		parseAttributeValue: false,
		processEntities: false,
		htmlEntities: false,
		maxNestedTags: MAX_NESTING,
		tagValueProcessor: (_name, value) => decodeEntities(value),
		attributeValueProcessor: (_name, value) => decodeEntities(value),
	});
	return (xml, field) => {
		assertXmlText(xml, field);
		assertWellFormed(xml, field);
		const document = parseOrError(parser, xml);
		if (document instanceof Error)
			throw new AppMsgInputError(
				`"${field}" could not be read as XML: ${quoteInput(document.message, 200).slice(1, -1)}`,
				field,
			);
		return document;
	};
}

/** The parser's own refusals (e.g. reserved names like __proto__) become a value, then the field's error. */
function parseOrError(parser: XMLParser, xml: string): XmlElement | Error {
	try {
		return parser.parse(xml) as XmlElement;
	} catch (error) {
		return error instanceof Error ? error : new Error(String(error));
	}
}
