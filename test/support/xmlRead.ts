/**
 * An independent reading of the XML that reached the gateway: sax in strict mode, no trimming,
 * no normalisation. Neither the node's builder (fast-xml-parser) nor its reader
 * (appmsg/xmlTree) is used.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sax = require('sax') as {
	parser(strict: boolean, options: Record<string, unknown>): SaxParser;
};

interface SaxParser {
	onopentag: (node: { name: string; attributes: Record<string, string> }) => void;
	onclosetag: () => void;
	ontext: (text: string) => void;
	oncdata: (text: string) => void;
	onerror: (error: Error) => void;
	write(text: string): SaxParser;
	close(): void;
}

export interface Element {
	name: string;
	attributes: Record<string, string>;
	children: Element[];
	text: string;
}

/** XML 1.0's Char production; anything else must never be in a document. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function readXmlStrict(xml: string): Element {
	if (NOT_XML_CHAR.test(xml))
		throw new Error('the document holds a character XML 1.0 does not allow');
	const root: Element = { name: '#document', attributes: {}, children: [], text: '' };
	const stack: Element[] = [root];
	let failure: Error | undefined;
	const parser = sax.parser(true, { trim: false, normalize: false, xmlns: false });
	parser.onopentag = (node) => {
		const element: Element = {
			name: node.name,
			attributes: { ...node.attributes },
			children: [],
			text: '',
		};
		stack[stack.length - 1].children.push(element);
		stack.push(element);
	};
	parser.onclosetag = () => {
		stack.pop();
	};
	parser.ontext = (text) => {
		stack[stack.length - 1].text += text;
	};
	parser.oncdata = (text) => {
		stack[stack.length - 1].text += text;
	};
	parser.onerror = (error) => {
		failure ??= error;
	};
	parser.write(xml).close();
	if (failure) throw failure;
	if (root.children.length !== 1)
		throw new Error(`expected one root element, found ${root.children.length}`);
	return root.children[0];
}

/** Text of the element at `path` below `root` (first match at each step), or an attribute with `@name` last. */
export function valueAt(root: Element, path: readonly string[]): string | undefined {
	let node: Element | undefined = root;
	for (const [i, step] of path.entries()) {
		if (step.startsWith('@'))
			return i === path.length - 1 ? node.attributes[step.slice(1)] : undefined;
		node = node.children.find((c) => c.name === step);
		if (!node) return undefined;
	}
	return node.text;
}
