import { XMLParser } from 'fast-xml-parser';

import { assertXmlText } from '../appmsg/build';
import { AppMsgInputError, type XmlElement, type XmlValue } from '../appmsg/model';
import { assertWellFormed, MAX_NESTING, quoteInput } from '../appmsg/wellFormed';
import { WECHAT_ID_PATTERN } from '../wechat';

/**
 * Received XML that is not an app message (a picture's, a voice message's, a friend request's),
 * read under the same rules as app messages: one linear well-formedness pass that refuses
 * DOCTYPE, entity declarations and runaway nesting before the parser sees anything, values kept
 * as text, and only the predefined entities and character references decoded.
 */

const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
	if (!value.includes('&')) return value;
	return value.replace(ENTITY, (whole, dec: string, hex: string, name: string) => {
		if (name) return NAMED[name];
		const codePoint = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
		return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
	});
}

const parser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '',
	attributesGroupName: '@',
	textNodeName: '#text',
	parseTagValue: false,
	parseAttributeValue: false,
	trimValues: true,
	processEntities: false,
	htmlEntities: false,
	maxNestedTags: MAX_NESTING,
	tagValueProcessor: (_name, value) => decodeEntities(value),
	attributeValueProcessor: (_name, value) => decodeEntities(value),
});

/** Received XML other than app messages (media, requests, notices) is a few kilobytes at most. */
export const MAX_RECEIVED_XML_CHARS = 64 * 1024;

/** `wxid_speaker:` and a line break before a group message's content. */
const SENDER_PREFIX = new RegExp(`^${WECHAT_ID_PATTERN}:\\s*\\n`);

/** Content without the `speaker:` line a group message's content may start with. */
export function withoutSpeaker(content: string): string {
	const trimmed = content.trim();
	const prefix = SENDER_PREFIX.exec(trimmed);
	return prefix ? trimmed.slice(prefix[0].length).trimStart() : trimmed;
}

/**
 * The document's root elements by name, each element's attributes under `@`, its text under
 * `#text`, repeated elements as arrays. `maxChars` bounds the input before any pass over it.
 */
export function parseReceivedXml(
	input: unknown,
	field: string,
	maxChars = MAX_RECEIVED_XML_CHARS,
): XmlElement {
	if (typeof input !== 'string' || input.trim() === '')
		throw new AppMsgInputError(`"${field}" is empty: there is no XML to read`, field);
	if (input.length > maxChars)
		throw new AppMsgInputError(
			`"${field}" is ${input.length} characters long; this kind of message's XML is at most ${maxChars}`,
			field,
		);
	const xml = withoutSpeaker(input);
	assertXmlText(xml, field);
	assertWellFormed(xml, field);
	const document = parseOrError(xml);
	if (document instanceof Error)
		throw new AppMsgInputError(
			`"${field}" could not be read as XML: ${quoteInput(document.message, 200).slice(1, -1)}`,
			field,
		);
	return document;
}

/** The parser's own refusals become a value, so that they reach the user as a field's error. */
function parseOrError(xml: string): XmlElement | Error {
	try {
		return parser.parse(xml) as XmlElement;
	} catch (error) {
		return error instanceof Error ? error : new Error(String(error));
	}
}

/** The first element called `name` under `parent` (a repeated element is read at its first). */
export function childElement(parent: XmlValue | undefined, name: string): XmlElement | undefined {
	const first = Array.isArray(parent) ? parent[0] : parent;
	if (first === undefined || typeof first !== 'object' || Array.isArray(first)) return undefined;
	const child = (first as XmlElement)[name];
	const element = Array.isArray(child) ? child[0] : child;
	if (element === undefined) return undefined;
	// An element with neither attributes nor children parses as its text: it is still present.
	return typeof element === 'object' && !Array.isArray(element) ? element : {};
}

/** Every element called `name` under `parent`, in document order. */
export function childElements(parent: XmlElement | undefined, name: string): XmlElement[] {
	const child = parent?.[name];
	if (child === undefined) return [];
	return (Array.isArray(child) ? child : [child]).map((element) =>
		typeof element === 'object' && !Array.isArray(element) ? element : {},
	);
}

/** An attribute's value, or undefined when it is absent. */
export function attribute(element: XmlElement | undefined, name: string): string | undefined {
	const attributes = element?.['@'];
	if (attributes === undefined || typeof attributes !== 'object' || Array.isArray(attributes))
		return undefined;
	const value = (attributes as XmlElement)[name];
	return typeof value === 'string' ? value : undefined;
}

/** A child element's text, or undefined when it is absent. */
export function childText(parent: XmlElement | undefined, name: string): string | undefined {
	const child = parent?.[name];
	const first = Array.isArray(child) ? child[0] : child;
	if (typeof first === 'string') return first;
	if (first !== undefined && typeof first === 'object' && !Array.isArray(first)) {
		const text = (first as XmlElement)['#text'];
		return typeof text === 'string' ? text : undefined;
	}
	return undefined;
}

/**
 * A number where JavaScript holds it exactly; an integer beyond that stays its exact digits; text
 * that is no number is not a number (undefined).
 */
export function numeric(text: string | undefined): number | string | undefined {
	const value = text?.trim();
	if (!value) return undefined;
	if (/^-?\d+$/.test(value)) {
		const number = Number(value);
		return Number.isSafeInteger(number) ? number : value.replace(/^(-?)0+(?=\d)/, '$1');
	}
	if (/^-?\d+\.\d+$/.test(value)) return Number(value);
	return undefined;
}
