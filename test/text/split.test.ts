import fc from 'fast-check';

import { splitText } from '../../nodes/WeChatGateway/text/split';

const graphemes = (text: string) =>
	[...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map(
		(s) => s.segment,
	);

/** Every part boundary falls between two grapheme clusters of the whole text. */
function cutsAreOnGraphemeBoundaries(text: string, parts: string[]): boolean {
	const boundaries = new Set<number>([0]);
	let at = 0;
	for (const g of graphemes(text)) boundaries.add((at += g.length));
	let offset = 0;
	for (const part of parts) {
		offset += part.length;
		if (!boundaries.has(offset)) return false;
	}
	return true;
}

describe('splitText', () => {
	test('a text within the limit is one part, unchanged', () => {
		expect(splitText('hello', 5)).toEqual(['hello']);
		expect(splitText('', 5)).toEqual(['']);
	});

	test('cuts after a paragraph, then a line, then a sentence, then a space', () => {
		expect(splitText('first para.\n\nsecond para here', 20)).toEqual([
			'first para.\n\n',
			'second para here',
		]);
		expect(splitText('line one is\nline two long', 20)).toEqual(['line one is\n', 'line two long']);
		expect(splitText('One thing. Another thing here', 20)).toEqual([
			'One thing. ',
			'Another thing here',
		]);
		expect(splitText('alpha beta gamma delta', 12)).toEqual(['alpha beta ', 'gamma delta']);
		expect(splitText('第一句话。第二句话很长很长', 8)).toEqual(['第一句话。', '第二句话很长很长']);
	});

	test('emoji with modifiers, ZWJ families and flags are never cut', () => {
		const family = '👨‍👩‍👧‍👦'; // 11 UTF-16 units, one grapheme
		const text = `${family}${family}${family}`;
		const parts = splitText(text, 12);
		expect(parts).toEqual([family, family, family]);
		const flags = '🇨🇳🇩🇪🇫🇷';
		expect(splitText(flags, 5)).toEqual(['🇨🇳', '🇩🇪', '🇫🇷']);
		expect(splitText('e\u0301e\u0301e\u0301', 3)).toEqual(['e\u0301', 'e\u0301', 'e\u0301']);
	});

	test('property: parts join to the text, each fits (or is one grapheme), cuts fall between graphemes', () => {
		const pieces = fc.constantFrom(
			'word',
			' ',
			'\n',
			'\n\n',
			'. ',
			'。',
			'你好',
			'👍🏽',
			'👨‍👩‍👧',
			'🇯🇵',
			'e\u0301',
			'שלום',
			'<&>"\'',
			'\u2005',
			'\t',
		);
		fc.assert(
			fc.property(
				fc.array(pieces, { maxLength: 120 }),
				fc.integer({ min: 1, max: 40 }),
				(list, max) => {
					const text = list.join('');
					const parts = splitText(text, max);
					expect(parts.join('')).toBe(text);
					for (const part of parts) {
						expect(part.length > 0 || text === '').toBe(true);
						if (part.length > max) expect(graphemes(part)).toHaveLength(1);
					}
					expect(cutsAreOnGraphemeBoundaries(text, parts)).toBe(true);
				},
			),
			{ numRuns: 1000 },
		);
	});

	test('property, long texts (segmented in chunks): the same guarantees across chunk edges', () => {
		const pieces = fc.constantFrom(
			'word ',
			'你好',
			'👨‍👩‍👧',
			'🇯🇵',
			'e\u0301\u0302',
			'\n',
			'x'.repeat(30),
		);
		fc.assert(
			fc.property(
				fc.array(pieces, { minLength: 100, maxLength: 700 }),
				fc.integer({ min: 40, max: 900 }),
				(list, max) => {
					const text = list.join('');
					const parts = splitText(text, max);
					expect(parts.join('')).toBe(text);
					for (const part of parts) expect(part.length).toBeLessThanOrEqual(max);
					expect(cutsAreOnGraphemeBoundaries(text, parts)).toBe(true);
				},
			),
			{ numRuns: 60 },
		);
	});

	test('words stay whole when a space is near enough', () => {
		const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
		const parts = splitText(words, 2000);
		expect(parts.length).toBe(2);
		for (const part of parts.slice(0, -1)) expect(part.endsWith(' ')).toBe(true);
		expect(parts.join('')).toBe(words);
	});

	test('a 100,000-character text splits in well under a second', () => {
		const text = 'The quick brown fox 🦊 jumps. '.repeat(3500);
		const started = performance.now();
		const parts = splitText(text, 2000);
		expect(performance.now() - started).toBeLessThan(1000);
		expect(parts.join('')).toBe(text);
		expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(2000);
	});

	test('a limit below 1 is a programming error', () => {
		expect(() => splitText('abc', 0)).toThrow(RangeError);
	});
});
