import { AppMsgInputError, type XmlElement, type XmlValue } from '../appmsg/model';
import { wellFormedXmlReader } from '../appmsg/readXml';
import { WECHAT_ID_PATTERN } from '../wechat';

/**
 * Received XML that is not an app message (a picture's, a voice message's, a friend request's),
 * read under the same rules as app messages (appmsg/readXml.ts).
 */

const readXml = wellFormedXmlReader({
	attributeNamePrefix: '',
	attributesGroupName: '@',
	textNodeName: '#text',
	trimValues: true,
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
	return readXml(xml, field);
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
