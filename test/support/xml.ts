import { XMLParser } from 'fast-xml-parser';

/**
 * An independent reading of XML the node produced: fast-xml-parser with entity and character
 * reference decoding on, as the receiving side parses it. Not the node's own parser.
 */
const parser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	parseTagValue: false,
	parseAttributeValue: false,
	processEntities: true,
	htmlEntities: true,
	trimValues: false,
});

export type Tree = Record<string, unknown>;

export function readXml(xml: string): Tree {
	return parser.parse(xml) as Tree;
}

/** The `<appmsg>` element of XML the node sent; fails unless it is the one root. */
export function readAppMsg(xml: string): Tree {
	const document = readXml(xml);
	expect(Object.keys(document)).toEqual(['appmsg']);
	return document.appmsg as Tree;
}

/** Text at a path of element names (first of repeated elements), `@_x` for attributes. */
export function at(tree: Tree, ...path: string[]): string | undefined {
	let node: unknown = tree;
	for (const name of path) {
		if (Array.isArray(node)) node = node[0];
		if (node === null || typeof node !== 'object') return undefined;
		node = (node as Tree)[name];
	}
	if (Array.isArray(node)) node = node[0];
	if (node !== null && typeof node === 'object') node = (node as Tree)['#text'] ?? '';
	return node === undefined ? undefined : String(node);
}
