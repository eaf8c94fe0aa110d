import {
	JsonInteger,
	parseJsonExact,
	parseJsonKeepingBigIntegers,
	stringifyJsonExact,
} from '../../nodes/WeChatGateway/transport/exactJson';

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
