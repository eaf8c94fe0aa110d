import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { assertXmlText } from './build';
import {
	AppMsgInputError,
	appMsgType,
	readText,
	type AppMsg,
	type XmlElement,
	type XmlValue,
} from './model';
import { WECHAT_ID_PATTERN } from '../wechat';

/** Received app messages are a few kilobytes; anything this large is not one. */
export const MAX_MESSAGE_XML_CHARS = 1024 * 1024;
const MAX_NESTING = 64;

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

const parser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	textNodeName: '#text',
	cdataPropName: '#cdata',
	// Values stay text: 64-bit ids and leading zeros must survive exactly.
	parseTagValue: false,
	parseAttributeValue: false,
	trimValues: false,
	// Entities are decoded by decodeEntities alone, so a DOCTYPE can never define one.
	processEntities: false,
	htmlEntities: false,
	maxNestedTags: MAX_NESTING,
	tagValueProcessor: (_name, value) => decodeEntities(value),
	attributeValueProcessor: (_name, value) => decodeEntities(value),
});

export interface ParsedAppMsg {
	appMsg: AppMsg;
	/** Fields of the enclosing `<msg>` of a received message, when there was one. */
	envelope: { fromUsername?: string };
}

/**
 * Accepts what a received message carries: a whole `<msg>…</msg>`, the `<appmsg>` alone, with or
 * without an XML declaration, and with the `sender:\n` prefix group messages have.
 */
export function parseAppMsgXml(input: unknown, field = 'messageXml'): ParsedAppMsg {
	if (typeof input !== 'string' || input.trim() === '') {
		throw new AppMsgInputError(
			`"${field}" is empty: give the XML of an app message (<msg>…</msg> or <appmsg>…</appmsg>)`,
			field,
		);
	}
	if (input.length > MAX_MESSAGE_XML_CHARS) {
		throw new AppMsgInputError(
			`"${field}" is ${input.length} characters long; an app message is at most ${MAX_MESSAGE_XML_CHARS}`,
			field,
		);
	}
	const xml = stripSenderPrefix(input.trim());
	// Declarations and nesting are judged on the markup alone: text in CDATA or comments is content.
	const markup = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, '');
	if (/<!DOCTYPE|<!ENTITY/i.test(markup)) {
		throw new AppMsgInputError(
			`"${field}" contains a DOCTYPE or ENTITY declaration, which app messages never have; refused for safety`,
			field,
		);
	}
	assertXmlText(xml, field);
	assertNestingDepth(markup, field);
	const validation = XMLValidator.validate(xml, { allowBooleanAttributes: false });
	if (validation !== true) {
		const { msg, line, col } = validation.err;
		throw new AppMsgInputError(
			`"${field}" is not well-formed XML (line ${line}, column ${col}): ${msg}`,
			field,
		);
	}
	const document = parseOrError(xml);
	if (document instanceof Error) {
		throw new AppMsgInputError(`"${field}" could not be read as XML: ${document.message}`, field);
	}
	const root = document.msg ?? document;
	const msg = (Array.isArray(root) ? root[0] : root) as XmlElement;
	const rawAppMsg = msg.appmsg ?? (document.appmsg as XmlValue | undefined);
	if (rawAppMsg === undefined || typeof rawAppMsg !== 'object' || Array.isArray(rawAppMsg)) {
		throw new AppMsgInputError(
			`"${field}" has no <appmsg> element (expected <msg><appmsg>…</appmsg></msg> or <appmsg>…</appmsg>)`,
			field,
		);
	}
	const appMsg = normalize(rawAppMsg) as AppMsg;
	if (typeof appMsg !== 'object') {
		throw new AppMsgInputError(`"${field}": <appmsg> is empty`, field);
	}
	if (appMsgType(appMsg) === undefined) {
		throw new AppMsgInputError(`"${field}": <appmsg> has no numeric <type>`, field);
	}
	return {
		appMsg,
		envelope: { fromUsername: readText(msg, ['fromusername']) },
	};
}

/** The parser's own refusals (e.g. reserved names like __proto__) become a value, not a throw. */
function parseOrError(xml: string): XmlElement | Error {
	try {
		return parser.parse(xml) as XmlElement;
	} catch (error) {
		return error instanceof Error ? error : new Error(String(error));
	}
}

/** `wxid_speaker:` and a line break before a group message's XML. */
const SENDER_PREFIX = new RegExp(`^${WECHAT_ID_PATTERN}:\\s*\\n`);

function stripSenderPrefix(xml: string): string {
	const match = SENDER_PREFIX.exec(xml);
	return match ? xml.slice(match[0].length).trimStart() : xml;
}

/** Bounds nesting before the parser's recursion sees it, so a deep document fails fast. */
function assertNestingDepth(xml: string, field: string): void {
	let depth = 0;
	const tag = /<(\/?)[A-Za-z_][^>]*?(\/?)>/g;
	for (let match = tag.exec(xml); match; match = tag.exec(xml)) {
		if (match[1]) depth--;
		else if (!match[2]) depth++;
		if (depth > MAX_NESTING) {
			throw new AppMsgInputError(
				`"${field}" nests elements more than ${MAX_NESTING} deep; an app message never does`,
				field,
			);
		}
	}
}

/** CDATA becomes ordinary text, and an element holding only text becomes that string. */
function normalize(value: XmlValue): XmlValue {
	if (Array.isArray(value)) return value.map(normalize);
	if (typeof value !== 'object') return value;
	const element: XmlElement = {};
	let text: string | undefined;
	for (const [name, child] of Object.entries(value)) {
		if (child === undefined) continue;
		if (name === '#text' || name === '#cdata') {
			const parts = Array.isArray(child) ? child.map(String) : [String(child)];
			text = (text ?? '') + parts.join('');
		} else {
			element[name] = normalize(child);
		}
	}
	const names = Object.keys(element);
	if (names.length === 0) return text ?? '';
	if (text !== undefined && text.trim() !== '') element['#text'] = text;
	return element;
}
