import {
	AppMsgInputError,
	appMsgType,
	readText,
	type AppMsg,
	type XmlElement,
	type XmlValue,
} from './model';
import { WECHAT_ID_PATTERN } from '../wechat';
import { wellFormedXmlReader } from './readXml';

/** Received app messages are a few kilobytes; anything this large is not one. */
export const MAX_MESSAGE_XML_CHARS = 1024 * 1024;

const readXml = wellFormedXmlReader({
	attributeNamePrefix: '@_',
	textNodeName: '#text',
	cdataPropName: '#cdata',
	trimValues: false,
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
	const document = readXml(xml, field);
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

/** `wxid_speaker:` and a line break before a group message's XML. */
const SENDER_PREFIX = new RegExp(`^${WECHAT_ID_PATTERN}:\\s*\\n`);

function stripSenderPrefix(xml: string): string {
	const match = SENDER_PREFIX.exec(xml);
	return match ? xml.slice(match[0].length).trimStart() : xml;
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
