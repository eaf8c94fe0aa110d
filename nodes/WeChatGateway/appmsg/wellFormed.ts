import { AppMsgInputError } from './model';

/** How deep elements may nest; a received app message is about six levels deep. */
export const MAX_NESTING = 64;
/** Attributes on one element; WeChat's elements carry at most a handful. */
export const MAX_ATTRIBUTES = 64;
/**
 * Elements (and, separately, attributes) in one message; a received one has about a hundred.
 * Reading costs time per element, so this keeps a crafted megabyte from costing seconds.
 */
export const MAX_ELEMENTS = 10_000;
/** How much of the input an error message may quote. */
const QUOTE_CHARS = 60;

/**
 * Members of every JavaScript object: as keys of the read tree they would change the object
 * (`__proto__`) or be mistaken for its members, and the builder that writes the `<appmsg>` again
 * renames or refuses them. A message carrying one is refused here, so nothing is ever changed
 * silently on its way through.
 */
const RESERVED_NAMES = new Set([
	'__proto__',
	'constructor',
	'prototype',
	'hasOwnProperty',
	'toString',
	'valueOf',
	'__defineGetter__',
	'__defineSetter__',
	'__lookupGetter__',
	'__lookupSetter__',
	'isPrototypeOf',
	'propertyIsEnumerable',
	'toLocaleString',
]);

/** Whether the parsed tree could not hold `name` unchanged as a key. */
export function isReservedName(name: string): boolean {
	return RESERVED_NAMES.has(name);
}

/**
 * What the scan reports as it goes, in document order, so a tree can be built in the same pass.
 * Positions are into the scanned string; text is reported only inside the root element, and a
 * comment splits no text (the text on both sides of it is one run).
 */
export interface XmlSink {
	text(from: number, to: number): void;
	cdata(from: number, to: number): void;
	/** The XML declaration's content, between `<?` and `?>`. */
	declaration(from: number, to: number): void;
	open(name: string): void;
	/** An attribute of the element just opened; its value without the quotes. */
	attribute(name: string, from: number, to: number): void;
	close(): void;
}

/** Input text as an error may show it: cut short, so an error is never as large as the input. */
export function quoteInput(text: string, max = QUOTE_CHARS): string {
	const cut = text.length > max ? `${text.slice(0, max)}…` : text;
	return JSON.stringify(cut);
}

function isNameStart(code: number): boolean {
	return (
		(code >= 65 && code <= 90) || // A-Z
		(code >= 97 && code <= 122) || // a-z
		code === 95 || // _
		code === 58 || // :
		code >= 0x80
	);
}

function isNameChar(code: number): boolean {
	return isNameStart(code) || (code >= 48 && code <= 57) || code === 45 || code === 46; // 0-9 - .
}

function isSpace(code: number): boolean {
	return code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * Checks that `xml` is one well-formed element with the markup an app message can have, in one
 * pass: every character is looked at a bounded number of times, so a megabyte of crafted input
 * costs milliseconds. Refuses, naming the line and column: DOCTYPE and ENTITY declarations,
 * processing instructions other than the leading XML declaration (the parser would drop their
 * text), unclosed comments, CDATA sections, tags and attribute values, mismatched end tags,
 * nesting beyond MAX_NESTING, more than MAX_ELEMENTS elements or attributes, more than
 * MAX_ATTRIBUTES attributes or a repeated one on an element, reserved names (RESERVED_NAMES), and `&` that starts no reference.
 * Everything it accepts is reported to `sink`.
 */
export function scanWellFormed(xml: string, field: string, sink: XmlSink): void {
	const notWellFormed = (at: number, reason: string): AppMsgInputError => {
		let line = 1;
		let lineStart = 0;
		for (let i = xml.indexOf('\n'); i !== -1 && i < at; i = xml.indexOf('\n', i + 1)) {
			line++;
			lineStart = i + 1;
		}
		return new AppMsgInputError(
			`"${field}" is not well-formed XML (line ${line}, column ${at - lineStart + 1}): ${reason}`,
			field,
		);
	};
	const readName = (from: number): number => {
		let end = from;
		if (end < xml.length && isNameStart(xml.charCodeAt(end))) {
			end++;
			while (end < xml.length && isNameChar(xml.charCodeAt(end))) end++;
		}
		return end;
	};
	const checkName = (name: string, what: string): void => {
		if (RESERVED_NAMES.has(name))
			throw new AppMsgInputError(
				`"${field}" has an ${what} named "${name}", a reserved name that would not survive parsing unchanged; refused`,
				field,
			);
	};
	const skipSpace = (from: number): number => {
		let at = from;
		while (at < xml.length && isSpace(xml.charCodeAt(at))) at++;
		return at;
	};
	const checkText = (from: number, to: number, outsideRoot: boolean): void => {
		for (let at = from; at < to; at++) {
			const code = xml.charCodeAt(at);
			if (outsideRoot && !isSpace(code)) throw notWellFormed(at, 'text outside the root element');
			if (code === 38) checkReference(at, to);
		}
	};
	const checkReference = (at: number, to: number): void => {
		// A reference is at most `&#x10FFFF;` or a short name: looking 40 characters ahead is enough.
		const window = xml.slice(at, Math.min(to, at + 40));
		if (!/^&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z_:][\w.:-]*);/.test(window))
			throw notWellFormed(
				at,
				`"&" starts no character or entity reference (write &amp; for a literal &)`,
			);
	};

	const open: string[] = [];
	let rootSeen = false;
	let elements = 0;
	let attributesInAll = 0;
	let at = 0;
	while (at < xml.length) {
		const lt = xml.indexOf('<', at);
		const textEnd = lt === -1 ? xml.length : lt;
		checkText(at, textEnd, open.length === 0);
		if (open.length > 0 && textEnd > at) sink.text(at, textEnd);
		if (lt === -1) break;
		if (xml.startsWith('<!--', lt)) {
			const end = xml.indexOf('-->', lt + 4);
			if (end === -1) throw notWellFormed(lt, 'a comment (<!--) is never closed');
			at = end + 3;
		} else if (xml.startsWith('<![CDATA[', lt)) {
			if (open.length === 0) throw notWellFormed(lt, 'CDATA outside the root element');
			const end = xml.indexOf(']]>', lt + 9);
			if (end === -1) throw notWellFormed(lt, 'a CDATA section (<![CDATA[) is never closed');
			sink.cdata(lt + 9, end);
			at = end + 3;
		} else if (xml.startsWith('<!', lt)) {
			if (/^<!(?:DOCTYPE|ENTITY)/i.test(xml.slice(lt, lt + 9)))
				throw new AppMsgInputError(
					`"${field}" contains a DOCTYPE or ENTITY declaration, which app messages never have; refused for safety`,
					field,
				);
			throw notWellFormed(lt, `unexpected markup ${quoteInput(xml.slice(lt, lt + 20))}`);
		} else if (xml.startsWith('<?', lt)) {
			const end = xml.indexOf('?>', lt + 2);
			if (end === -1) throw notWellFormed(lt, 'a processing instruction (<?) is never closed');
			const target = xml.slice(lt + 2, readName(lt + 2));
			if (target.toLowerCase() === 'xml') {
				if (lt !== 0) throw notWellFormed(lt, 'the XML declaration (<?xml … ?>) must come first');
				sink.declaration(lt + 2, end);
			} else {
				throw new AppMsgInputError(
					`"${field}" contains a processing instruction (<?${quoteInput(target).slice(1, -1)} …?>), which app messages never have and which would be dropped on the way; refused`,
					field,
				);
			}
			at = end + 2;
		} else if (xml.startsWith('</', lt)) {
			const nameEnd = readName(lt + 2);
			const name = xml.slice(lt + 2, nameEnd);
			const close = skipSpace(nameEnd);
			if (name === '' || xml[close] !== '>') throw notWellFormed(lt, 'a malformed end tag');
			const expected = open.pop();
			if (expected === undefined)
				throw notWellFormed(lt, `end tag </${quoteInput(name).slice(1, -1)}> closes nothing`);
			if (name !== expected)
				throw notWellFormed(
					lt,
					`end tag </${quoteInput(name).slice(1, -1)}> does not match <${quoteInput(expected).slice(1, -1)}>`,
				);
			sink.close();
			at = close + 1;
		} else {
			const nameEnd = readName(lt + 1);
			const name = xml.slice(lt + 1, nameEnd);
			if (name === '') throw notWellFormed(lt, '"<" starts no tag (write &lt; for a literal <)');
			if (open.length === 0 && rootSeen) throw notWellFormed(lt, 'a second root element');
			checkName(name, 'element');
			if (++elements > MAX_ELEMENTS)
				throw new AppMsgInputError(
					`"${field}" has more than ${MAX_ELEMENTS} elements; an app message has about a hundred`,
					field,
				);
			sink.open(name);
			const attributes = new Set<string>();
			let cursor = nameEnd;
			let selfClosing = false;
			for (;;) {
				const afterSpace = skipSpace(cursor);
				if (afterSpace >= xml.length)
					throw notWellFormed(lt, `the tag <${quoteInput(name).slice(1, -1)}> is never closed`);
				if (xml[afterSpace] === '>') {
					cursor = afterSpace + 1;
					break;
				}
				if (xml.startsWith('/>', afterSpace)) {
					selfClosing = true;
					cursor = afterSpace + 2;
					break;
				}
				if (afterSpace === cursor)
					throw notWellFormed(
						afterSpace,
						`unexpected ${quoteInput(xml.slice(afterSpace, afterSpace + 20))} in a tag`,
					);
				const attributeEnd = readName(afterSpace);
				const attribute = xml.slice(afterSpace, attributeEnd);
				if (attribute === '')
					throw notWellFormed(
						afterSpace,
						`unexpected ${quoteInput(xml.slice(afterSpace, afterSpace + 20))} in a tag`,
					);
				checkName(attribute, 'attribute');
				if (attributes.has(attribute))
					throw notWellFormed(afterSpace, `attribute ${quoteInput(attribute)} is repeated`);
				attributes.add(attribute);
				if (++attributesInAll > MAX_ELEMENTS)
					throw new AppMsgInputError(
						`"${field}" has more than ${MAX_ELEMENTS} attributes; an app message has a few dozen`,
						field,
					);
				if (attributes.size > MAX_ATTRIBUTES)
					throw notWellFormed(
						afterSpace,
						`more than ${MAX_ATTRIBUTES} attributes on one element, which no app message has`,
					);
				const equals = skipSpace(attributeEnd);
				if (xml[equals] !== '=')
					throw notWellFormed(
						equals,
						`attribute ${quoteInput(attribute)} has no value (expected ="…")`,
					);
				const quoteAt = skipSpace(equals + 1);
				const quote = xml[quoteAt];
				if (quote !== '"' && quote !== "'")
					throw notWellFormed(
						quoteAt,
						`the value of attribute ${quoteInput(attribute)} is not quoted`,
					);
				const valueEnd = xml.indexOf(quote, quoteAt + 1);
				if (valueEnd === -1)
					throw notWellFormed(
						quoteAt,
						`the value of attribute ${quoteInput(attribute)} is never closed`,
					);
				if (xml.slice(quoteAt + 1, valueEnd).includes('<'))
					throw notWellFormed(
						quoteAt,
						`"<" inside the value of attribute ${quoteInput(attribute)}`,
					);
				sink.attribute(attribute, quoteAt + 1, valueEnd);
				cursor = valueEnd + 1;
			}
			rootSeen = true;
			if (selfClosing) sink.close();
			else {
				open.push(name);
				if (open.length > MAX_NESTING)
					throw new AppMsgInputError(
						`"${field}" nests elements more than ${MAX_NESTING} deep; an app message never does`,
						field,
					);
			}
			at = cursor;
		}
	}
	if (open.length > 0)
		throw notWellFormed(
			xml.length,
			`<${quoteInput(open[open.length - 1]).slice(1, -1)}> is never closed`,
		);
}
