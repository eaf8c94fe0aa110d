import { parseJsonKeepingBigIntegers } from '../../nodes/WeChatGateway/transport/exactJson';

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
