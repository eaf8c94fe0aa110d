/**
 * Cuts a long text into parts WeChat takes, never inside a character a reader sees as one
 * (emoji with modifiers, flags, combining marks: grapheme clusters) and, where possible, not
 * inside a word: the cut goes after the last paragraph break, else line break, else sentence end,
 * else space, else word boundary (CJK has no spaces) in the second half of the part. Parts joined
 * give the text back exactly: nothing is trimmed, dropped or added.
 */
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * Intl.Segmenter takes time quadratic in the length of the string it walks, so it is given
 * short chunks that each start at a boundary already known; a chunk's last segment may be cut short by the chunk's end, so the next chunk
 * starts at it again.
 */
const CHUNK = 256;

/** Segment starts in (from, to], plus `to` itself when it is the text's end. */
function boundaries(segmenter: Intl.Segmenter, text: string, from: number, to: number): number[] {
	const found: number[] = [];
	let position = from;
	let size = CHUNK;
	while (position < to) {
		const chunkEnd = Math.min(text.length, position + size);
		const starts: number[] = [];
		for (const { index } of segmenter.segment(text.slice(position, chunkEnd)))
			starts.push(position + index);
		if (chunkEnd === text.length) {
			found.push(...starts.slice(1), text.length);
			break;
		}
		if (starts.length < 2) {
			size *= 4; // one segment fills the chunk: look further
			continue;
		}
		// The last segment may run past the chunk: its start is sure, its end is not.
		const sure = starts.slice(1);
		found.push(...sure);
		position = sure[sure.length - 1];
		size = CHUNK;
	}
	return found.filter((offset) => offset <= to);
}

/** Boundary kinds, best first; each tests the few characters just before a candidate cut. */
const PREFERRED_ENDINGS: RegExp[] = [
	/\n[ \t]*\n[ \t]*$/, // a paragraph ends
	/\n$/, // a line ends
	/[.!?。！？…][)"'”’）」』]?\s+$|[。！？][)"'”’）」』]?$/, // a sentence ends
	/\s$/, // a word ends at a space
];

/**
 * Splits `text` into parts of at most `maxLength` UTF-16 code units (JavaScript string length;
 * an emoji counts 2, so the limit is never underestimated). A grapheme cluster longer than
 * `maxLength` (only with absurdly small limits) becomes a part of its own.
 */
export function splitText(text: string, maxLength: number): string[] {
	if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError('maxLength must be ≥ 1');
	const parts: string[] = [];
	let start = 0;
	while (text.length - start > maxLength) {
		const end = nextCut(text, start, maxLength);
		parts.push(text.slice(start, end));
		start = end;
	}
	if (start < text.length || parts.length === 0) parts.push(text.slice(start));
	return parts;
}

function nextCut(text: string, start: number, maxLength: number): number {
	const limit = start + maxLength;
	let cuts = boundaries(graphemeSegmenter, text, start, limit);
	if (cuts.length === 0) {
		// The first cluster alone is longer than the limit: it goes whole, as a part of its own.
		const [firstEnd] = boundaries(graphemeSegmenter, text, start, text.length);
		return firstEnd;
	}
	// Searching back only over the second half keeps parts from becoming small.
	const earliest = start + Math.floor((cuts[cuts.length - 1] - start) / 2);
	cuts = cuts.filter((cut) => cut >= earliest).reverse();
	for (const ending of PREFERRED_ENDINGS) {
		for (const cut of cuts) {
			if (ending.test(text.slice(Math.max(start, cut - 8), cut))) return cut;
		}
	}
	const wordStarts = new Set(boundaries(wordSegmenter, text, earliest, limit));
	for (const cut of cuts) if (wordStarts.has(cut)) return cut;
	return cuts[0];
}
