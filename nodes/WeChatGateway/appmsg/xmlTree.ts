import type { XmlElement, XmlValue } from './model';
import { isReservedName, quoteInput, type XmlSink } from './wellFormed';

/**
 * How a read document looks as data (fast-xml-parser's object shape, which the package's trees
 * have always had): attributes under `prefix + name` or grouped in one object, text under
 * `#text`, CDATA as a child of its own or as text, and whether text is trimmed.
 */
export interface XmlShape {
	attributeNamePrefix: string;
	/** All of an element's attributes in one object under this name, instead of prefixed keys. */
	attributesGroupName?: string;
	textNodeName: '#text';
	/** CDATA as a child element of this name (raw text); without it, CDATA joins the text. */
	cdataPropName?: string;
	trimValues: boolean;
}

const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** One pass over the five predefined entities and character references; nothing else expands. */
export function decodeEntities(value: string): string {
	if (!value.includes('&')) return value;
	return value.replace(ENTITY, (whole, dec: string, hex: string, name: string) => {
		if (name) return NAMED[name];
		const codePoint = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
		return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
	});
}

/** Line ends as an XML processor hands them over: CR LF and a lone CR both become LF. */
function newlines(text: string): string {
	return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** The declaration's pseudo-attributes are read loosely: `name="value"` pairs, anything else skipped. */
const PSEUDO_ATTRIBUTE = /([^\s=]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'))?/g;

interface Open {
	name: string;
	children: XmlElement;
	attributes: XmlElement | undefined;
	text: string;
	/** Text since the last markup that ends a run (comments do not). */
	run: string;
}

/**
 * Builds the tree while the well-formedness scan walks the document, so the document is read
 * once: elements by name in the order they first appear, a repeated element as an array, an
 * element with only text as that string, an empty one as "", text decoded after trimming, the
 * text of an element with children after them, attributes last.
 */
export class XmlTreeBuilder implements XmlSink {
	private readonly document: XmlElement = {};
	/**
	 * Why the document cannot become a tree, kept until the scan ends so that a well-formedness
	 * error later in the text is still the one reported, as when the scan ran before parsing.
	 */
	refusal: string | undefined;
	private readonly stack: Open[] = [];

	constructor(
		private readonly xml: string,
		private readonly shape: XmlShape,
	) {}

	result(): XmlElement {
		return this.document;
	}

	text(from: number, to: number): void {
		const top = this.stack[this.stack.length - 1];
		top.run += this.xml.slice(from, to);
	}

	cdata(from: number, to: number): void {
		const top = this.stack[this.stack.length - 1];
		this.endRun(top);
		const content = newlines(this.xml.slice(from, to));
		if (this.shape.cdataPropName !== undefined)
			addChild(top.children, this.shape.cdataPropName, content);
		else if (content !== '') top.text += decodeEntities(content);
	}

	declaration(from: number, to: number): void {
		const content = this.xml.slice(from, to);
		if (!quotesPair(content)) {
			this.refusal ??= 'a quoted value in the XML declaration is never closed';
			return;
		}
		const space = content.search(/\s/);
		const name = `?${space === -1 ? content : content.slice(0, space)}`;
		const attributes: XmlElement = {};
		if (space !== -1) {
			for (const match of content.slice(space + 1).matchAll(PSEUDO_ATTRIBUTE)) {
				const value = match[2] ?? match[3];
				if (value === undefined) continue;
				// Element attributes were checked by the scan; a declaration's are read only here.
				if (isReservedName(this.keyOf(match[1]))) {
					this.refusal ??= `the XML declaration has a pseudo-attribute named ${quoteInput(match[1])}, a reserved name; refused`;
					return;
				}
				this.setAttribute(attributes, match[1], value);
			}
		}
		const any = Object.keys(attributes).length > 0;
		addChild(this.document, name, any ? this.withAttributes({}, attributes) : '');
	}

	open(name: string): void {
		const parent = this.stack[this.stack.length - 1];
		if (parent !== undefined) this.endRun(parent);
		this.stack.push({ name, children: {}, attributes: undefined, text: '', run: '' });
	}

	attribute(name: string, from: number, to: number): void {
		const top = this.stack[this.stack.length - 1];
		top.attributes ??= {};
		this.setAttribute(top.attributes, name, this.xml.slice(from, to));
	}

	close(): void {
		const element = this.stack.pop() as Open;
		this.endRun(element);
		const parent = this.stack[this.stack.length - 1];
		addChild(
			parent === undefined ? this.document : parent.children,
			element.name,
			this.valueOf(element),
		);
	}

	private endRun(element: Open): void {
		if (element.run === '') return;
		const run = this.shape.trimValues ? element.run.trim() : element.run;
		element.run = '';
		if (run !== '') element.text += decodeEntities(newlines(run));
	}

	private keyOf(attribute: string): string {
		return this.shape.attributesGroupName === undefined
			? this.shape.attributeNamePrefix + attribute
			: attribute;
	}

	private setAttribute(attributes: XmlElement, name: string, raw: string): void {
		const value = newlines(this.shape.trimValues ? raw.trim() : raw);
		attributes[this.keyOf(name)] = decodeEntities(value);
	}

	private withAttributes(element: XmlElement, attributes: XmlElement): XmlElement {
		if (this.shape.attributesGroupName !== undefined)
			element[this.shape.attributesGroupName] = attributes;
		else Object.assign(element, attributes);
		return element;
	}

	private valueOf(element: Open): XmlValue {
		const value = element.children;
		if (element.text !== '') value[this.shape.textNodeName] = element.text;
		if (element.attributes !== undefined) return this.withAttributes(value, element.attributes);
		const names = Object.keys(value);
		if (names.length === 0) return '';
		if (names.length === 1 && element.text !== '') return element.text;
		return value;
	}
}

function quotesPair(text: string): boolean {
	for (let at = 0; at < text.length; at++) {
		const code = text.charCodeAt(at);
		if (code === 34 || code === 39) {
			at = text.indexOf(text[at], at + 1);
			if (at === -1) return false;
		}
	}
	return true;
}

function addChild(parent: XmlElement, name: string, value: XmlValue): void {
	if (!Object.prototype.hasOwnProperty.call(parent, name)) parent[name] = value;
	else {
		const existing = parent[name] as XmlValue;
		if (Array.isArray(existing)) existing.push(value);
		else parent[name] = [existing, value];
	}
}
