/** Generators of hostile text: what a workflow may map into a message field. */
import fc from 'fast-check';

/** Pieces that break naive XML and JSON handling, and text in every direction and script. */
const PIECES = [
	// XML and markup metacharacters, and text that looks like markup or entities
	'<',
	'>',
	'&',
	'"',
	"'",
	']]>',
	'<![CDATA[',
	']]',
	'&amp;',
	'&lt;',
	'&#13;',
	'&#x1F600;',
	'&nbsp;',
	'<appmsg>',
	'</title>',
	'<!--',
	'-->',
	'<?xml?>',
	'<!DOCTYPE x>',
	// JSON and expression look-alikes
	'\\',
	'\\u0000',
	'{{ $json.x }}',
	'={{1}}',
	'"}',
	'\u2028',
	'\u2029',
	// whitespace of every kind
	' ',
	'\t',
	'\n',
	'\r',
	'\r\n',
	'\u00a0',
	'\u3000',
	'\ufeff',
	'\u200b',
	// emoji: surrogate pairs, ZWJ sequences, flags, variation selectors, modifiers
	'😀',
	'👨‍👩‍👧‍👦',
	'🏳️‍🌈',
	'🇨🇳',
	'👍🏽',
	'❤️',
	'𝕏',
	'🀄',
	// CJK and friends
	'微信',
	'视频号',
	'視頻號',
	'日本語',
	'한국어',
	'𠜎𠜱',
	'，。、',
	// right-to-left and bidi controls
	'مرحبا',
	'שלום',
	'\u202e',
	'\u202d',
	'\u200f',
	'\u200e',
	'\u2066',
	'\u2069',
	// combining marks and odd but legal characters
	'e\u0301',
	'\u0308',
	'ﷺ',
	'\u0085',
	'\ufffd',
	'\ud7ff',
	'\ue000',
];

/** Any single code point XML 1.0 can hold. */
const xmlCodePoint = fc
	.integer({ min: 0x09, max: 0x10ffff })
	.filter(
		(cp) =>
			cp === 0x09 ||
			cp === 0x0a ||
			cp === 0x0d ||
			(cp >= 0x20 && cp <= 0xd7ff) ||
			(cp >= 0xe000 && cp <= 0xfffd) ||
			cp >= 0x10000,
	)
	.map((cp) => String.fromCodePoint(cp));

const unit = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom(...PIECES) },
	{ weight: 3, arbitrary: xmlCodePoint },
	{ weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }) },
);

/** Text XML 1.0 can carry: usually short, one in 30 a thousand to tens of thousands of characters. */
export const hostileText = fc.oneof(
	{ weight: 29, arbitrary: fc.array(unit, { maxLength: 30 }).map((parts) => parts.join('')) },
	{
		weight: 1,
		arbitrary: fc
			.tuple(fc.array(unit, { minLength: 1, maxLength: 4 }), fc.integer({ min: 200, max: 1500 }))
			.map(([parts, times]) => parts.join('').repeat(times)),
	},
);

/** Hostile text that is not blank (a required field must have something in it). */
export const hostileNonBlank = hostileText.map((text) => (text.trim() === '' ? `${text}x` : text));

/** Characters that XML 1.0 cannot hold in any spelling. */
export const nonXmlChar = fc.oneof(
	fc.integer({ min: 0x00, max: 0x08 }).map((cp) => String.fromCharCode(cp)),
	fc.constantFrom('\u000b', '\u000c', '\ufffe', '\uffff'),
	fc.integer({ min: 0x0e, max: 0x1f }).map((cp) => String.fromCharCode(cp)),
	fc.integer({ min: 0xd800, max: 0xdbff }).map((cp) => String.fromCharCode(cp)), // lone high surrogate
	fc.integer({ min: 0xdc00, max: 0xdfff }).map((cp) => String.fromCharCode(cp)), // lone low surrogate
);

/** Valid text with one character XML cannot hold somewhere in it. */
export const textWithNonXmlChar = fc
	.tuple(hostileText, nonXmlChar, fc.nat())
	.map(([text, bad, at]) => {
		// Insert between whole code points, so no pair is split and the bad one stays alone.
		const points = [...text];
		const position = points.length === 0 ? 0 : at % (points.length + 1);
		const before = points.slice(0, position).join('');
		// A lone high surrogate followed by a low one would form a pair: keep it apart.
		const after = points.slice(position).join('');
		const glue = /[\ud800-\udbff]$/.test(bad) && /^[\udc00-\udfff]/.test(after) ? 'x' : '';
		let full = before + bad + glue + after;
		// JavaScript counts U+000B and U+000C as whitespace: keep the value from being blank, so it
		// is read as text (a blank value is "not given", which is a different case).
		if (full.trim() === '') full += 'x';
		return { text: full, bad, index: before.length };
	});
