/**
 * JSON.parse, except that integers too large for a double (WeChat's 64-bit message ids) come
 * back as their exact digits in a string. It quotes such numbers in the text before parsing,
 * walking strings so that digits inside them are never touched.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
	return JSON.parse(quoteUnsafeIntegers(text));
}

function quoteUnsafeIntegers(text: string, mark = ''): string {
	let output = '';
	let copiedUpTo = 0;
	let i = 0;
	while (i < text.length) {
		const c = text.charCodeAt(i);
		if (c === 0x22 /* " */) {
			i++;
			while (i < text.length && text.charCodeAt(i) !== 0x22)
				i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
			i++;
		} else if (c === 0x2d /* - */ || isDigit(c)) {
			const start = i;
			i++;
			let integer = true;
			for (; i < text.length; i++) {
				const d = text.charCodeAt(i);
				if (isDigit(d)) continue;
				if (!isNumberPart(d)) break;
				integer = false;
			}
			// Only an integer of 16 digits or more can be beyond a double's exact range.
			const digits = i - start - (c === 0x2d ? 1 : 0);
			if (integer && digits >= 16) {
				const token = text.slice(start, i);
				if (!Number.isSafeInteger(Number(token))) {
					output += `${text.slice(copiedUpTo, start)}"${mark}${token}${mark}"`;
					copiedUpTo = i;
				}
			}
		} else {
			i++;
		}
	}
	return copiedUpTo === 0 ? text : output + text.slice(copiedUpTo);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** What else a JSON number may hold after its first character: `.`, `e`, `E`, `+`, `-`. */
const isNumberPart = (c: number) =>
	c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

/**
 * An integer a double cannot hold, kept as its digits so it can be written back as a bare JSON
 * number (a gateway reading a 64-bit field refuses a string there).
 */
export class JsonInteger {
	constructor(readonly digits: string) {}
	toJSON(): string {
		return `${INTEGER_MARK}${this.digits}${INTEGER_MARK}`;
	}
}

/** Brackets a JsonInteger's digits in stringify's output; the nonce keeps user text from matching. */
const INTEGER_MARK = `\uE000${Math.random().toString(36).slice(2, 10)}\uE000`;
const MARKED_INTEGER = new RegExp(`"${INTEGER_MARK}(-?\\d+)${INTEGER_MARK}"`, 'g');

/**
 * JSON.parse in which integers too large for a double become JsonInteger, not rounded numbers
 * and not strings: a request a user wrote keeps the difference between `123…` and `"123…"`.
 */
export function parseJsonExact(text: string): unknown {
	const marked = quoteUnsafeIntegers(text, INTEGER_MARK);
	return JSON.parse(marked, (_key, value: unknown) =>
		typeof value === 'string' &&
		value.startsWith(INTEGER_MARK) &&
		value.endsWith(INTEGER_MARK) &&
		value.length > INTEGER_MARK.length * 2
			? new JsonInteger(value.slice(INTEGER_MARK.length, -INTEGER_MARK.length))
			: value,
	);
}

/** JSON.stringify that writes each JsonInteger as the bare number it stands for. */
export function stringifyJsonExact(value: unknown): string {
	return JSON.stringify(value).replace(MARKED_INTEGER, '$1');
}

/**
 * Strings longer than this many UTF-16 units are written in slices of about this size, so that
 * a picture's base64 is never copied whole into a JSON text, a hash's input or a socket buffer.
 */
export const JSON_SLICE_CHARS = 64 * 1024;

/**
 * Stands for one long string in the skeleton; the nonce keeps user text from matching, and user
 * text that holds it anyway is noticed (exported so that a test can write such text).
 */
export const LONG_MARK = `\uE001${Math.random().toString(36).slice(2, 10)}\uE001`;
const LONG_TOKEN = `"${LONG_MARK}"`;

/** A value's JSON with each long string cut out: `parts[i]`, long string i, `parts[i + 1]`, … */
interface JsonSkeleton {
	parts: string[];
	long: string[];
	sliceChars: number;
}

function skeletonOf(value: unknown, exactIntegers: boolean, sliceChars: number): JsonSkeleton {
	const exact = (text: string) => (exactIntegers ? text.replace(MARKED_INTEGER, '$1') : text);
	// Most calls hold no long string: they are written whole, without the per-value replacer.
	if (!holdsLongString(value, sliceChars)) {
		const whole = JSON.stringify(value) as string | undefined;
		if (whole === undefined) throw new TypeError('The value has no JSON text');
		return { parts: [exact(whole)], long: [], sliceChars };
	}
	const long: string[] = [];
	let markInUserText = false;
	const skeleton = JSON.stringify(value, (key: string, item: unknown) => {
		if (key.includes(LONG_MARK)) markInUserText = true;
		if (typeof item !== 'string') return item;
		// A JsonInteger's digits stay in the skeleton, where they are written bare.
		if (item.length > sliceChars && !item.startsWith(INTEGER_MARK)) {
			long.push(item);
			return LONG_MARK;
		}
		if (item.includes(LONG_MARK)) markInUserText = true;
		return item;
	}) as string | undefined;
	// Text that holds the mark itself cannot be told from a placeholder: that value is written whole.
	if (markInUserText)
		return { parts: [exact(JSON.stringify(value) as string)], long: [], sliceChars };
	if (skeleton === undefined) throw new TypeError('The value has no JSON text');
	if (long.length === 0) return { parts: [exact(skeleton)], long, sliceChars };
	return { parts: skeleton.split(LONG_TOKEN).map(exact), long, sliceChars };
}

/** Whether any string in a plain JSON value (arrays and objects, keys too) is longer than `chars`. */
function holdsLongString(value: unknown, chars: number): boolean {
	if (typeof value === 'string') return value.length > chars;
	if (value === null || typeof value !== 'object') return false;
	if (Array.isArray(value)) return value.some((item) => holdsLongString(item, chars));
	for (const key in value)
		if (key.length > chars || holdsLongString((value as Record<string, unknown>)[key], chars))
			return true;
	return false;
}

/** The skeleton's parts with each long string's JSON, slice by slice, in between. */
function* piecesOf({ parts, long, sliceChars }: JsonSkeleton): Generator<string> {
	for (let i = 0; i < long.length; i++) {
		yield `${parts[i]}"`;
		yield* escapedSlices(long[i], sliceChars);
		yield '"';
	}
	yield parts[long.length];
}

/**
 * A value's JSON text as pieces whose concatenation is exactly `JSON.stringify(value)` (with
 * `exactIntegers`, exactly `stringifyJsonExact(value)`), none of them holding more than one
 * slice of a long string. JSON.stringify itself writes everything but the long strings (a
 * placeholder stands for each), so numbers, escapes, key order and toJSON are its own. Pieces
 * never split a surrogate pair, so each piece's UTF-8 is that part of the whole text's UTF-8.
 */
export function jsonPieces(
	value: unknown,
	options: { exactIntegers?: boolean; sliceChars?: number } = {},
): Iterable<string> {
	return piecesOf(
		skeletonOf(value, options.exactIntegers ?? false, options.sliceChars ?? JSON_SLICE_CHARS),
	);
}

/** A string's JSON without its quotes, a slice at a time (escaping is per character). */
function* escapedSlices(text: string, sliceChars: number): Generator<string> {
	for (let start = 0; start < text.length; ) {
		let end = Math.min(start + sliceChars, text.length);
		// Split between its halves, a surrogate pair would be written as two escaped halves.
		if (isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end))) end++;
		yield JSON.stringify(text.slice(start, end)).slice(1, -1);
		start = end;
	}
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * A JSON request body: one string when it is short; otherwise its pieces as UTF-8, made again
 * for each reading, with the byte length a `content-length` header needs (so the gateway gets a
 * plain body, never a chunked one).
 */
export type JsonBody = string | JsonBodyPieces;

export interface JsonBodyPieces extends Iterable<Buffer> {
	readonly byteLength: number;
}

/** `stringifyJsonExact(value)` as a request body. */
export function exactJsonBody(value: unknown, sliceChars: number = JSON_SLICE_CHARS): JsonBody {
	const skeleton = skeletonOf(value, true, sliceChars);
	if (skeleton.long.length === 0) return skeleton.parts[0];
	let byteLength = 0;
	for (const piece of piecesOf(skeleton)) byteLength += Buffer.byteLength(piece);
	return {
		byteLength,
		*[Symbol.iterator]() {
			for (const piece of piecesOf(skeleton)) yield Buffer.from(piece);
		},
	};
}
