/**
 * JSON.parse, except that integers too large for a double (WeChat's 64-bit message ids) come
 * back as their exact digits in a string. It quotes such numbers in the text before parsing,
 * walking strings so that digits inside them are never touched.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
	return JSON.parse(quoteUnsafeIntegers(text));
}

function quoteUnsafeIntegers(text: string): string {
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
				output += `${text.slice(copiedUpTo, start)}"${token}"`;
				copiedUpTo = i;
			}
		} else {
			i++;
		}
	}
	return copiedUpTo === 0 ? text : output + text.slice(copiedUpTo);
}
