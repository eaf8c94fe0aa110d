import {
	exactJsonBody,
	JSON_SLICE_CHARS,
	jsonPieces,
	JsonInteger,
	LONG_MARK,
	parseJsonExact,
	parseJsonKeepingBigIntegers,
	stringifyJsonExact,
} from '../../nodes/WeChatGateway/transport/exactJson';

/** The plain reading of "quote the unsafe integers": a token at a time, by regular expressions. */
function quotedByRegex(text: string): string {
	return text.replace(/"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*/g, (token) =>
		/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token)) ? `"${token}"` : token,
	);
}

describe('parseJsonKeepingBigIntegers', () => {
	test('64-bit ids come back as their exact digits', () => {
		const parsed = parseJsonKeepingBigIntegers(
			'{"ResponseData":{"NewMsgId":7234567890123457789,"n":-9223372036854775808}}',
		) as {
			ResponseData: Record<string, unknown>;
		};
		expect(parsed.ResponseData.NewMsgId).toBe('7234567890123457789');
		expect(parsed.ResponseData.n).toBe('-9223372036854775808');
	});

	test('ordinary numbers stay numbers and digits inside strings are untouched', () => {
		const text =
			'{"Ret":0,"a":1.5e3,"s":"NewMsgId\\":7234567890123457789","safe":9007199254740991,"f":12345678901234567.5}';
		expect(parseJsonKeepingBigIntegers(text)).toEqual({
			Ret: 0,
			a: 1500,
			s: 'NewMsgId":7234567890123457789',
			safe: 9007199254740991,
			f: 12345678901234567.5,
		});
	});

	test('invalid JSON still fails', () => {
		expect(() => parseJsonKeepingBigIntegers('{"a":')).toThrow();
	});

	test('reads 5,000 generated answers as JSON.parse does, but for the unsafe integers', () => {
		let seed = 7;
		const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
		const digits = (n: number) =>
			Array.from({ length: n }, (_, i) => String(i === 0 ? 1 + random(9) : random(10))).join('');
		const numbers = [
			() => digits(1 + random(20)),
			() => `-${digits(1 + random(20))}`,
			() => `${digits(1 + random(18))}.${digits(1 + random(3))}`,
			() => `${digits(1 + random(17))}e${random(2) ? '+' : '-'}${random(20)}`,
			() => `-${digits(16 + random(4))}E${random(3)}`,
			() => `"${digits(19)}\\\\"`,
			() => `"\\"${digits(17)}"`,
			// 16 digits either side of the largest safe integer, 2^53 - 1
			() => `${random(2) ? '-' : ''}${9007199254740985 + random(15)}`,
			() => String(random(2) === 0),
		];
		for (let i = 0; i < 5000; i++) {
			const fields = Array.from(
				{ length: 1 + random(6) },
				(_, k) => `"k${k}":${numbers[random(numbers.length)]()}`,
			);
			const text = `{${fields.join(',')},"list":[${numbers[0]()},${numbers[1]()}]}`;
			// What each number must come back as: a string of its digits when a double cannot hold it.
			const expected = JSON.parse(quotedByRegex(text)) as unknown;
			expect([text, parseJsonKeepingBigIntegers(text)]).toEqual([text, expected]);
		}
	});
});

describe('parseJsonExact / stringifyJsonExact', () => {
	test('a bare 64-bit number goes back out bare and exact; a string of digits stays a string', () => {
		const text =
			'{"NewMsgId":7400409546359626802,"Id":"7400409546359626802","n":[-9223372036854775808,1.5,12]}';
		const value = parseJsonExact(text) as Record<string, unknown>;
		expect(value.NewMsgId).toBeInstanceOf(JsonInteger);
		expect((value.NewMsgId as JsonInteger).digits).toBe('7400409546359626802');
		expect(value.Id).toBe('7400409546359626802');
		expect(stringifyJsonExact(value)).toBe(text);
		expect(stringifyJsonExact({ CgiCmd: 594, CgiRequest: value })).toBe(
			`{"CgiCmd":594,"CgiRequest":${text}}`,
		);
	});

	test('text that merely looks like a marker is left alone', () => {
		const value = { s: '\uE000x\uE0001\uE000x\uE000', t: '"7400409546359626802"' };
		expect(JSON.parse(stringifyJsonExact(value))).toEqual(value);
	});
});

describe('jsonPieces / exactJsonBody: long strings a slice at a time, the text unchanged', () => {
	const EMOJI = '\u{1F600}'; // one code point, two UTF-16 units
	const unusual = [
		'中文 and ASCII',
		'"quoted" back\\slash\n\r\t\b\f\u0000\u001f\u007f\u2028\u2029/',
		`${EMOJI}${EMOJI}x${EMOJI}`,
		'lone \uD800 high, lone \uDC00 low, reversed \uDC00\uD800, high at the end \uD83D',
	].join('|');
	const values: Array<[string, unknown]> = [
		[
			'a picture call',
			{ CgiCmd: 110, CgiRequest: { ToUserName: 'wxid_a', ImageBase64: 'iVBORw0KGgo'.repeat(40) } },
		],
		['text that needs escaping', { s: unusual.repeat(5), t: unusual }],
		[
			'a 64-bit integer beside a long string',
			parseJsonExact(
				`{"MsgId":7400409546359626802,"Xml":${JSON.stringify(unusual.repeat(4))},"Id":"7400409546359626802"}`,
			),
		],
		[
			'what JSON.stringify drops or rewrites',
			{
				u: undefined,
				f: () => 1,
				n: [NaN, -0, Infinity, undefined, 1e21],
				d: new Date(0),
				nested: [{ s: `${EMOJI}`.repeat(60) }],
				2: 'integer keys first',
				1: 'x',
			},
		],
		['a long string alone', `${EMOJI}a`.repeat(50)],
		['no long string', { CgiCmd: 522, CgiRequest: { Content: 'hi' } }],
	];

	test.each(values)(
		'%s: the pieces, slice size 1 to 9, join to JSON.stringify and to stringifyJsonExact',
		(_name, value) => {
			for (let sliceChars = 1; sliceChars <= 9; sliceChars++) {
				const plain = [...jsonPieces(value, { sliceChars })];
				const exact = [...jsonPieces(value, { sliceChars, exactIntegers: true })];
				expect(plain.join('')).toBe(JSON.stringify(value));
				expect(exact.join('')).toBe(stringifyJsonExact(value));
				// Each piece's UTF-8 is its part of the whole text's: no surrogate pair is split.
				const utf8 = Buffer.concat(exact.map((piece) => Buffer.from(piece)));
				expect(utf8.equals(Buffer.from(stringifyJsonExact(value)))).toBe(true);
			}
		},
	);

	test('an emoji straddling every slice edge is written whole, never as two escaped halves', () => {
		for (let offset = 0; offset < 8; offset++) {
			const text = `${'a'.repeat(offset)}${EMOJI.repeat(20)}`;
			const pieces = [...jsonPieces({ text }, { sliceChars: 8 })];
			expect(pieces.join('')).toBe(JSON.stringify({ text }));
			expect(pieces.join('')).not.toMatch(/\\ud8/i);
		}
	});

	test('no piece holds more than one slice of a long string', () => {
		const call = {
			CgiCmd: 110,
			CgiRequest: { ToUserName: 'wxid_a', ImageBase64: 'A'.repeat(10 * JSON_SLICE_CHARS + 7) },
		};
		const pieces = [...jsonPieces(call)];
		expect(pieces.length).toBeGreaterThan(10);
		expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(
			JSON_SLICE_CHARS + 40,
		);
		expect(pieces.join('')).toBe(JSON.stringify(call));
	});

	test('user text that holds the placeholder mark is written exactly, in a value or a key', () => {
		const long = 'b'.repeat(30);
		for (const value of [
			{ long, short: LONG_MARK },
			{ long, short: `"${LONG_MARK}"` },
			{ long, [LONG_MARK]: 1 },
			{ long: `${long}${LONG_MARK}${long}`, s: 'x' },
		]) {
			expect([...jsonPieces(value, { sliceChars: 8 })].join('')).toBe(JSON.stringify(value));
		}
	});

	test('a body with a long string is its exact UTF-8 in pieces, with that byte length; a short one is one string', () => {
		const value = parseJsonExact(
			`{"Id":-9223372036854775808,"Xml":${JSON.stringify(unusual.repeat(3))}}`,
		);
		const whole = Buffer.from(stringifyJsonExact(value));
		const body = exactJsonBody(value, 16);
		if (typeof body === 'string') throw new Error('a long string must give a body in pieces');
		expect(body.byteLength).toBe(whole.length);
		// Read twice (as a retried request would be): the same bytes each time.
		expect(Buffer.concat([...body]).equals(whole)).toBe(true);
		expect(Buffer.concat([...body]).equals(whole)).toBe(true);
		expect(exactJsonBody({ CgiCmd: 522, CgiRequest: { Content: unusual } })).toBe(
			stringifyJsonExact({ CgiCmd: 522, CgiRequest: { Content: unusual } }),
		);
	});
});
