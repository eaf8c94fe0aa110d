import * as fs from 'fs';
import * as path from 'path';
import { XMLParser } from 'fast-xml-parser';

import { AppMsgInputError, type XmlElement } from '../../nodes/WeChatGateway/appmsg/model';
import { wellFormedXmlReader } from '../../nodes/WeChatGateway/appmsg/readXml';
import { assertXmlText } from '../../nodes/WeChatGateway/appmsg/build';
import {
	MAX_NESTING,
	quoteInput,
	scanWellFormed,
	type XmlSink,
} from '../../nodes/WeChatGateway/appmsg/wellFormed';
import { decodeEntities, type XmlShape } from '../../nodes/WeChatGateway/appmsg/xmlTree';
import { withoutSpeaker } from '../../nodes/WeChatGateway/received/xml';

/** The two shapes the package reads XML in: app messages (parse.ts) and other received XML. */
const SHAPES: Record<string, XmlShape> = {
	appMsg: {
		attributeNamePrefix: '@_',
		textNodeName: '#text',
		cdataPropName: '#cdata',
		trimValues: false,
	},
	received: {
		attributeNamePrefix: '',
		attributesGroupName: '@',
		textNodeName: '#text',
		trimValues: true,
	},
};

const IGNORE: XmlSink = {
	text() {},
	cdata() {},
	declaration() {},
	open() {},
	attribute() {},
	close() {},
};

/**
 * The reader the tree builder replaced: the same scan, then fast-xml-parser configured as the
 * package configured it. Every tree below must come out of the new reader exactly as out of this
 * one, key order included (the rebuilt `<appmsg>` follows it).
 */
function fastXmlParserReader(shape: XmlShape): (xml: string, field: string) => XmlElement {
	const parser = new XMLParser({
		...shape,
		ignoreAttributes: false,
		parseTagValue: false,
		parseAttributeValue: false,
		processEntities: false,
		htmlEntities: false,
		maxNestedTags: MAX_NESTING,
		tagValueProcessor: (_name, value) => decodeEntities(value),
		attributeValueProcessor: (_name, value) => decodeEntities(value),
	});
	return (xml, field) => {
		assertXmlText(xml, field);
		scanWellFormed(xml, field, IGNORE);
		try {
			return parser.parse(xml) as XmlElement;
		} catch (error) {
			throw new AppMsgInputError(
				`"${field}" could not be read as XML: ${quoteInput((error as Error).message, 200).slice(1, -1)}`,
				field,
			);
		}
	};
}

type Outcome = { tree: string } | { error: string };

function outcome(read: (xml: string, field: string) => XmlElement, xml: string): Outcome {
	try {
		return { tree: JSON.stringify(read(xml, 'messageXml')) };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

/**
 * A refusal after the scan accepted the text: fast-xml-parser worded these itself, so only the
 * refusal is compared, not its words.
 */
const UNREADABLE = /^"messageXml" could not be read as XML: /;

/** Compared as JSON so that key order counts; a difference names the document and both readings. */
function expectSame(got: Outcome, expected: Outcome, what: string, xml: string): void {
	if (JSON.stringify(got) === JSON.stringify(expected)) return;
	if (
		'error' in got &&
		'error' in expected &&
		[got, expected].every(({ error }) => UNREADABLE.test(error))
	)
		return;
	throw new Error(
		`${what} reads differently: ${JSON.stringify(xml)}\n  now:    ${JSON.stringify(got)}\n  before: ${JSON.stringify(expected)}`,
	);
}

/** A small seeded generator, so a failing document can be found again from its number. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const NAMES = ['a', 'b', 'title', 'des', 'type', 'url', 'x:y', 'n-1', '_u', '名', 'c.d'];
const TEXTS = [
	'',
	' ',
	'\n\t ',
	'hello',
	' spaced ',
	'7234567890123505789',
	'007',
	'a &amp; b',
	'&lt;tag&gt;',
	'&#13;&#10;',
	'&#x4e2d;&#20013;',
	'&nbsp;',
	'&quot;q&apos;',
	'line\r\nnext\rlast',
	'中文 文本',
	'\u00a0nbsp\u3000',
	'a > b',
	'&#32;edge&#32;',
];

function generate(seed: number): string {
	const next = random(seed);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
	const text = (): string =>
		next() < 0.15 ? `${pick(TEXTS)}<!-- note -->${pick(TEXTS)}` : pick(TEXTS);
	const attributes = (): string => {
		let out = '';
		const used = new Set<string>();
		const count = next() < 0.5 ? 0 : Math.floor(next() * 4);
		for (let i = 0; i < count; i++) {
			const name = pick(NAMES);
			if (used.has(name)) continue;
			used.add(name);
			const value = pick([...TEXTS, 'x>y', "it's", 'tab\there', 'a/']).replace(/"/g, '');
			const space = pick([' ', '\n', '\t', '  ']);
			out +=
				next() < 0.2
					? `${space}${name} = '${value.replace(/'/g, '')}'`
					: `${space}${name}="${value}"`;
		}
		return out;
	};
	const element = (depth: number): string => {
		const name = pick(NAMES);
		const attrs = attributes();
		if (next() < 0.15) return `<${name}${attrs}${pick(['/>', ' />'])}`;
		let body = '';
		const parts = depth > 4 ? 1 : Math.floor(next() * 5);
		for (let i = 0; i < parts; i++) {
			const roll = next();
			if (roll < 0.45 && depth < 7) body += element(depth + 1);
			else if (roll < 0.6)
				body += `<![CDATA[${pick(['', 'raw & <b>', ' x ', 'a\r\nb', '&amp;'])}]]>`;
			else body += text();
		}
		return `<${name}${attrs}>${body}</${name}${pick(['', ' ', '\n'])}>`;
	};
	const declaration = pick([
		'',
		'',
		'<?xml version="1.0"?>',
		'<?xml version="1.0" encoding="UTF-8" standalone=\'yes\' ?>',
		'<?xml?>',
		'<?xml loose version="1"?>',
	]);
	return `${declaration}${pick(['', '\n', '<!-- c -->'])}${element(0)}${pick(['', '\n', '<!-- end -->'])}`;
}

/** A document made malformed in one of the ways the scan refuses. */
function damage(xml: string, seed: number): string {
	const next = random(seed * 7 + 1);
	const at = Math.floor(next() * xml.length);
	const insert = [
		'<',
		'&',
		'</zz>',
		'<!DOCTYPE x>',
		'<?pi x?>',
		']]>',
		'"',
		'<![CDATA[',
		'\u0001',
		'<a b>',
	];
	return xml.slice(0, at) + insert[Math.floor(next() * insert.length)] + xml.slice(at);
}

describe.each(Object.entries(SHAPES))('the %s reader', (_shape, shape) => {
	const read = wellFormedXmlReader(shape);
	const reference = fastXmlParserReader(shape);

	it('reads every received fixture exactly as fast-xml-parser did', () => {
		const dir = path.join(__dirname, '..', 'fixtures');
		const files = fs.readdirSync(dir).filter((name) => name.endsWith('.xml'));
		expect(files.length).toBeGreaterThanOrEqual(4);
		for (const file of files) {
			const xml = withoutSpeaker(fs.readFileSync(path.join(dir, file), 'utf8'));
			expect(outcome(read, xml)).toEqual(outcome(reference, xml));
			expect(outcome(read, xml)).toHaveProperty('tree');
		}
	});

	it('reads 3,000 generated documents exactly as fast-xml-parser did, key order included', () => {
		let trees = 0;
		for (let seed = 1; seed <= 3000; seed++) {
			const xml = generate(seed);
			const got = outcome(read, xml);
			expectSame(got, outcome(reference, xml), `document ${seed}`, xml);
			if ('tree' in got) trees++;
		}
		expect(trees).toBe(3000);
	});

	it('refuses 3,000 damaged documents with the same error the scan gave before', () => {
		let refused = 0;
		for (let seed = 1; seed <= 3000; seed++) {
			const xml = damage(generate(seed), seed);
			const got = outcome(read, xml);
			expectSame(got, outcome(reference, xml), `damaged document ${seed}`, xml);
			if ('error' in got) refused++;
		}
		expect(refused).toBeGreaterThan(2000);
	});
});

describe('the XML declaration', () => {
	it('keeps a pseudo-attribute whose key is prefixed, whatever its name, as fast-xml-parser did', () => {
		const xml = '<?xml constructor="1" __proto__="2"?><msg><appmsg><type>5</type></appmsg></msg>';
		const read = wellFormedXmlReader(SHAPES.appMsg);
		expect(outcome(read, xml)).toEqual(outcome(fastXmlParserReader(SHAPES.appMsg), xml));
		expect(read(xml, 'messageXml')['?xml']).toEqual({ '@_constructor': '1', '@___proto__': '2' });
	});

	it('refuses a pseudo-attribute whose key would be a reserved name, naming the field', () => {
		const read = wellFormedXmlReader(SHAPES.received);
		expect(() => read('<?xml __proto__="1"?><a/>', 'content')).toThrow(
			/^"content" could not be read as XML: .*__proto__.*reserved/,
		);
	});
});
