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
		} else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
			const start = i;
			i++;
			while (i < text.length && /[0-9.eE+-]/.test(text[i])) i++;
			const token = text.slice(start, i);
			if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
				output += `${text.slice(copiedUpTo, start)}"${mark}${token}${mark}"`;
				copiedUpTo = i;
			}
		} else {
			i++;
		}
	}
	return copiedUpTo === 0 ? text : output + text.slice(copiedUpTo);
}

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
