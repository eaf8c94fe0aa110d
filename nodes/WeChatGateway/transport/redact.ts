/**
 * Removes secrets from text that comes back from a gateway, a proxy or a socket before it can
 * reach an error, an output item or a log, whatever spelling the echo uses: verbatim,
 * percent-encoded (any case, `+` for space), HTML entities, JSON escapes (`\"`, `\/`, `\u0041`),
 * upper or lower case, base64 (standard or URL-safe), or cut short: any stretch of text that
 * matches a long enough window of the secret is the secret.
 */

/** Text this many characters long that equals a piece of the secret is taken for the secret. */
const WINDOW = 10;
/** Encodings are undone this many times, so a JSON-escaped percent-encoding is read too. */
const DECODE_ROUNDS = 3;
/** Base64 shorter than this cannot carry a window of a secret. */
const MIN_BASE64_RUN = 16;
export const REDACTED = '[redacted]';

/** A text and, for each of its characters, the span of the original text it was decoded from. */
interface Spelling {
	text: string;
	from: number[];
	to: number[];
}

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos|nbsp));/y;
const NAMED: Record<string, string> = {
	lt: '<',
	gt: '>',
	amp: '&',
	quot: '"',
	apos: "'",
	nbsp: '\u00a0',
};
const JSON_ESCAPE = /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/y;
const SIMPLE_ESCAPES: Record<string, string> = {
	'"': '"',
	'\\': '\\',
	'/': '/',
	b: '\b',
	f: '\f',
	n: '\n',
	r: '\r',
	t: '\t',
};
const HEX2 = /%([0-9a-fA-F]{2})/y;

function hexAt(text: string, at: number): number | undefined {
	HEX2.lastIndex = at;
	const match = HEX2.exec(text);
	return match ? Number.parseInt(match[1], 16) : undefined;
}

/** One character decoded at `at`: what it is and how many characters it took, or undefined. */
function decodeAt(text: string, at: number): { char: string; length: number } | undefined {
	const c = text[at];
	if (c === '+') return { char: ' ', length: 1 };
	if (c === '%') {
		const first = hexAt(text, at);
		if (first === undefined) return undefined;
		// Two-byte UTF-8, which is how percent-encoding spells the Latin-1 letters a header holds.
		const second = first >= 0xc2 && first <= 0xdf ? hexAt(text, at + 3) : undefined;
		if (second !== undefined && second >= 0x80 && second <= 0xbf)
			return { char: String.fromCharCode(((first & 0x1f) << 6) | (second & 0x3f)), length: 6 };
		return { char: String.fromCharCode(first), length: 3 };
	}
	if (c === '&') {
		ENTITY.lastIndex = at;
		const match = ENTITY.exec(text);
		if (!match) return undefined;
		const [whole, dec, hex, name] = match;
		if (name) return { char: NAMED[name], length: whole.length };
		const code = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
		return code <= 0x10ffff
			? { char: String.fromCodePoint(code), length: whole.length }
			: undefined;
	}
	if (c === '\\') {
		JSON_ESCAPE.lastIndex = at;
		const match = JSON_ESCAPE.exec(text);
		if (!match) return undefined;
		const char = match[1]
			? String.fromCharCode(Number.parseInt(match[1], 16))
			: SIMPLE_ESCAPES[match[2]];
		return { char, length: match[0].length };
	}
	return undefined;
}

/** Undoes one layer of every encoding at once; undefined when there was nothing to undo. */
function decodeOnce(spelling: Spelling): Spelling | undefined {
	const { text, from, to } = spelling;
	const chars: string[] = [];
	const newFrom: number[] = [];
	const newTo: number[] = [];
	let changed = false;
	for (let at = 0; at < text.length; ) {
		const decoded = decodeAt(text, at);
		const length = decoded?.length ?? 1;
		chars.push(decoded?.char ?? text[at]);
		newFrom.push(from[at]);
		newTo.push(to[at + length - 1]);
		if (decoded) changed = true;
		at += length;
	}
	return changed ? { text: chars.join(''), from: newFrom, to: newTo } : undefined;
}

/** Lower case, character by character, so positions stay where they were. */
function lowerCase(text: string): string {
	const lower = text.toLowerCase();
	if (lower.length === text.length) return lower;
	return Array.from(text, (c) => (c.toLowerCase().length === c.length ? c.toLowerCase() : c)).join(
		'',
	);
}

function windowsOf(secret: string): { size: number; windows: Set<string> } {
	const lower = lowerCase(secret);
	const size = Math.min(WINDOW, lower.length);
	const windows = new Set<string>();
	for (let at = 0; at + size <= lower.length; at++) windows.add(lower.slice(at, at + size));
	return { size, windows };
}

function containsWindow(text: string, size: number, windows: Set<string>): number {
	for (let at = 0; at + size <= text.length; at++)
		if (windows.has(text.slice(at, at + size))) return at;
	return -1;
}

/**
 * A function that replaces every spelling of the given secrets in a text by `[redacted]`.
 * Empty or missing secrets are ignored; with none, text passes unchanged. Give it the text
 * before cutting it for a message, so no piece of a secret survives at the cut.
 */
export function secretRedactor(...secrets: Array<string | undefined>): (text: string) => string {
	const pieces = secrets
		.map((secret) => secret?.trim() ?? '')
		.filter((secret) => secret !== '')
		.map(windowsOf);
	if (pieces.length === 0) return (text) => text;
	return (text: string): string => {
		if (typeof text !== 'string' || text === '') return text;
		const spans: Array<[number, number]> = [];
		const identity = Array.from({ length: text.length }, (_, i) => i);
		let spelling: Spelling | undefined = { text, from: identity, to: identity };
		for (let round = 0; spelling && round <= DECODE_ROUNDS; round++) {
			findSpans(spelling, pieces, spans);
			spelling = decodeOnce(spelling);
		}
		return replaceSpans(text, spans);
	};
}

function findSpans(
	spelling: Spelling,
	pieces: Array<{ size: number; windows: Set<string> }>,
	spans: Array<[number, number]>,
): void {
	const { text, from, to } = spelling;
	const lower = lowerCase(text);
	for (const { size, windows } of pieces) {
		for (let at = 0; at + size <= lower.length; at++) {
			if (windows.has(lower.slice(at, at + size))) spans.push([from[at], to[at + size - 1]]);
		}
		// Base64 runs: decoded at each of the four alignments, then searched like any text.
		const run = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
		for (let match = run.exec(text); match; match = run.exec(text)) {
			if (match[0].length < MIN_BASE64_RUN) continue;
			for (let shift = 0; shift < 4; shift++) {
				const usable = match[0].slice(shift).replace(/=+$/, '');
				const decoded = Buffer.from(usable.slice(0, usable.length - (usable.length % 4)), 'base64');
				if (containsWindow(lowerCase(decoded.toString('latin1')), size, windows) >= 0) {
					spans.push([from[match.index], to[match.index + match[0].length - 1]]);
					break;
				}
			}
		}
	}
}

/** Replaces the (possibly overlapping) inclusive spans by one marker each. */
function replaceSpans(text: string, spans: Array<[number, number]>): string {
	if (spans.length === 0) return text;
	spans.sort((a, b) => a[0] - b[0]);
	let out = '';
	let kept = 0;
	let current: [number, number] | undefined;
	for (const span of spans) {
		if (current && span[0] <= current[1] + 1) {
			current[1] = Math.max(current[1], span[1]);
			continue;
		}
		if (current) {
			out += text.slice(kept, current[0]) + REDACTED;
			kept = current[1] + 1;
		}
		current = [span[0], span[1]];
	}
	if (current) {
		out += text.slice(kept, current[0]) + REDACTED;
		kept = current[1] + 1;
	}
	return out + text.slice(kept);
}
