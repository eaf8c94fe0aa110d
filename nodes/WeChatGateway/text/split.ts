/**
 * Cuts a long text into parts WeChat takes, never inside a character a reader sees as one
 * (emoji with modifiers, flags, combining marks: grapheme clusters) and, where possible, not
 * inside a word: the cut goes after the last paragraph break, else line break, else sentence end,
 * else space, else word boundary (CJK has no spaces) that fits. Parts joined give the text back
 * exactly: nothing is trimmed, dropped or added.
 */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/** Boundary kinds, best first. Each tests the text just before a candidate cut. */
const PREFERRED_ENDINGS: RegExp[] = [
	/\n[ \t]*\n[ \t]*$/, // a paragraph ends
	/\n$/, // a line ends
	/[.!?。！？…][)"'”’）」』]?\s+$|[。！？][)"'”’）」』]?$/, // a sentence ends
	/\s$/, // a word ends at a space
];

/** Offsets (UTF-16) where a grapheme cluster starts, plus the text's length. */
function graphemeBoundaries(text: string): number[] {
	const boundaries: number[] = [];
	for (const { index } of graphemes.segment(text)) boundaries.push(index);
	boundaries.push(text.length);
	return boundaries;
}

function wordBoundaries(text: string): Set<number> {
	const boundaries = new Set<number>();
	for (const { index } of words.segment(text)) boundaries.add(index);
	return boundaries;
}

/**
 * Splits `text` into parts of at most `maxLength` UTF-16 code units (JavaScript string length;
 * an emoji counts 2, so the limit is never underestimated). One grapheme longer than `maxLength`
 * (only possible for absurdly small limits or a pathological cluster) is a part of its own.
 */
export function splitText(text: string, maxLength: number): string[] {
	if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError('maxLength must be ≥ 1');
	if (text.length <= maxLength) return [text];
	const clusterStarts = graphemeBoundaries(text);
	const wordStarts = wordBoundaries(text);
	const parts: string[] = [];
	let start = 0;
	let cursor = 0; // index into clusterStarts of `start`
	while (start < text.length) {
		if (text.length - start <= maxLength) {
			parts.push(text.slice(start));
			break;
		}
		// Cuts that fit: cluster boundaries in (start, start + maxLength].
		let last = cursor;
		while (last + 1 < clusterStarts.length && clusterStarts[last + 1] - start <= maxLength) last++;
		if (last === cursor) last = cursor + 1; // one cluster longer than the limit: a part of its own
		const end = chooseCut(text, start, clusterStarts.slice(cursor + 1, last + 1), wordStarts);
		parts.push(text.slice(start, end));
		start = end;
		cursor = clusterStarts.indexOf(end, cursor);
	}
	return parts;
}

function chooseCut(text: string, start: number, cuts: number[], wordStarts: Set<number>): number {
	// Searching back only over the last half of the part keeps parts from becoming tiny.
	const earliest = start + Math.floor((cuts[cuts.length - 1] - start) / 2);
	const candidates = cuts.filter((cut) => cut >= earliest).reverse();
	for (const ending of PREFERRED_ENDINGS) {
		for (const cut of candidates) {
			if (ending.test(text.slice(Math.max(start, cut - 8), cut))) return cut;
		}
	}
	for (const cut of candidates) if (wordStarts.has(cut)) return cut;
	return cuts[cuts.length - 1];
}
