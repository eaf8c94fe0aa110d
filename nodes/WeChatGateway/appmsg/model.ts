/**
 * The app message as plain data, independent of n8n and HTTP.
 *
 * An AppMsg is the element tree under `<appmsg>` in fast-xml-parser's object shape: child
 * elements by name, attributes under `@_name`, repeated elements as arrays. Values read from
 * XML are always strings (ids are 64-bit and must never become numbers); values set from the
 * editor may be numbers and are written as their decimal text.
 */
export type XmlValue = string | number | XmlElement | XmlValue[];
export interface XmlElement {
	[name: string]: XmlValue | undefined;
}
export type AppMsg = XmlElement;

export { APPMSG_TYPE, APPMSG_TYPE_NAMES } from '../wechat';
export { AppMsgInputError } from '../inputError';

export type FieldPath = readonly string[];

export function readPath(appMsg: XmlElement, path: FieldPath): XmlValue | undefined {
	let node: XmlValue | undefined = appMsg;
	for (const name of path) {
		node = firstOf(node);
		if (node === undefined || typeof node !== 'object') return undefined;
		node = (node as XmlElement)[name];
	}
	return firstOf(node);
}

export function readText(appMsg: XmlElement, path: FieldPath): string | undefined {
	const value = readPath(appMsg, path);
	if (value === undefined) return undefined;
	if (typeof value === 'object') return textOf(value as XmlElement);
	return String(value);
}

/** Text content of an element that also carries attributes (`#text`). */
function textOf(element: XmlElement): string | undefined {
	const text = element['#text'];
	return text === undefined ? undefined : String(text);
}

/**
 * Sets a value at a path, creating the elements on the way. Where an element repeats, the first
 * one is the one a field speaks of. An element that also has attributes keeps them.
 */
export function writePath(appMsg: XmlElement, path: FieldPath, value: string | number): void {
	let node: XmlElement = appMsg;
	for (const name of path.slice(0, -1)) {
		const existing = firstOf(node[name]);
		if (existing !== undefined && typeof existing === 'object') {
			node = existing as XmlElement;
		} else {
			const created: XmlElement = {};
			node[name] = created;
			node = created;
		}
	}
	const leaf = path[path.length - 1];
	const existing = firstOf(node[leaf]);
	if (existing !== undefined && typeof existing === 'object') {
		(existing as XmlElement)['#text'] = value;
	} else if (Array.isArray(node[leaf])) {
		(node[leaf] as XmlValue[])[0] = value;
	} else {
		node[leaf] = value;
	}
}

function firstOf(value: XmlValue | undefined): XmlValue | undefined {
	return Array.isArray(value) ? value[0] : value;
}

export function appMsgType(appMsg: XmlElement): number | undefined {
	const raw = readText(appMsg, ['type']);
	if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
	return Number(raw.trim());
}
