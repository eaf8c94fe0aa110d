import { XMLBuilder } from 'fast-xml-parser';

import { AppMsgInputError, type AppMsg, type XmlElement, type XmlValue } from './model';

/**
 * XML 1.0 can carry tab, newline, carriage return and the Unicode ranges below; anything else
 * (other C0 controls, lone surrogates, U+FFFE/U+FFFF) has no spelling at all, not even as a
 * character reference, so it is refused instead of being silently changed.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function findNonXmlChar(text: string): { index: number; codePoint: number } | undefined {
	const match = NOT_XML_CHAR.exec(text);
	if (!match) return undefined;
	return { index: match.index, codePoint: match[0].codePointAt(0) ?? 0 };
}

export function assertXmlText(text: string, field: string): void {
	const bad = findNonXmlChar(text);
	if (bad) {
		const code = `U+${bad.codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
		throw new AppMsgInputError(
			`"${field}" contains the character ${code} at position ${bad.index + 1}, which XML cannot carry; remove it`,
			field,
		);
	}
}

// Carriage returns are written as references because parsers fold a literal CR LF into LF;
// in attributes, tabs and newlines likewise, because parsers turn them into spaces.
const TEXT_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'\r': '&#13;',
};
const ATTRIBUTE_ESCAPES: Record<string, string> = {
	...TEXT_ESCAPES,
	'"': '&quot;',
	'\t': '&#9;',
	'\n': '&#10;',
};

function escapeText(value: unknown): string {
	return String(value).replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]);
}

function escapeAttribute(value: unknown): string {
	return String(value).replace(/[&<>"\r\n\t]/g, (c) => ATTRIBUTE_ESCAPES[c]);
}

const builder = new XMLBuilder({
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	textNodeName: '#text',
	suppressEmptyNode: true,
	suppressBooleanAttributes: false,
	processEntities: false,
	tagValueProcessor: (_name, value) => escapeText(value),
	attributeValueProcessor: (_name, value) => escapeAttribute(value),
});

/** Every value checked before any is written, so an error names the element it came from. */
function assertTree(value: XmlValue | undefined, path: string): void {
	if (value === undefined || value === null) return;
	if (typeof value === 'string') {
		assertXmlText(value, path);
	} else if (typeof value === 'number') {
		if (!Number.isFinite(value))
			throw new AppMsgInputError(`"${path}" is not a finite number`, path);
	} else if (Array.isArray(value)) {
		for (const entry of value) assertTree(entry, path);
	} else {
		for (const [name, child] of Object.entries(value as XmlElement)) {
			const childPath =
				name === '#text'
					? path
					: name.startsWith('@_')
						? `${path}@${name.slice(2)}`
						: `${path}.${name}`;
			assertTree(child, childPath);
		}
	}
}

/**
 * The `<appmsg appid="…" sdkver="0">` element the gateway wants in `AppMsgXml`. The shell's
 * two attributes always come first, as in the gateway's own example.
 */
export function buildAppMsgXml(appMsg: AppMsg): string {
	const { '@_appid': appid, '@_sdkver': sdkver, ...rest } = appMsg;
	const root: XmlElement = { '@_appid': appid ?? '', '@_sdkver': sdkver ?? '0', ...rest };
	assertTree(root, 'appmsg');
	return builder.build({ appmsg: root }) as string;
}
