/**
 * cgi 522 and any other cgi through the real HTTP client against the simulator: the exact JSON the
 * gateway receives, and ids read losslessly from each answer shape gateway builds use.
 */
import { readTextReply } from '../../nodes/WeChatGateway/actions/message/sendText.operation';
import { parseJsonExact } from '../../nodes/WeChatGateway/transport/exactJson';
import { findMessageIds } from '../../nodes/WeChatGateway/transport/messageIds';
import { GatewayClient } from '../../nodes/WeChatGateway/transport/client';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import { startSimulator, type Simulator } from '../support/simulators';

const FIRST = '9223372036854775000'; // far above 2^53
let simulator: Simulator;
let client: GatewayClient;

/** cgi 522 as the Send Text operation makes it, and its answer as the operation reads it. */
async function sendText(toUserName: string, content: string, atUsers: string) {
	const reply = await client.callCgi({
		CgiCmd: 522,
		CgiRequest: { ToUserName: toUserName, Content: content, MsgType: 1, AtUsers: atUsers },
	});
	return readTextReply(reply) as {
		NewMsgId?: string;
		ClientMsgId?: string;
		ResponseData?: unknown;
		note?: string;
	};
}

/** Any cgi with a request written as JSON text, as Call Gateway Command sends it. */
function callCgi(cgiCmd: number, requestJson: string) {
	return client.callCgi({
		CgiCmd: cgiCmd,
		CgiRequest: parseJsonExact(requestJson) as Record<string, unknown>,
	});
}

beforeAll(async () => {
	simulator = await startSimulator({ firstMsgId: FIRST });
	client = new GatewayClient({
		baseUrl: simulator.url,
		wxid: 'wxid_bot',
		timeoutSeconds: 5,
		allowUnauthorizedCerts: false,
		authHeader: { name: 'X-Api-Key', value: 's3cret-value' },
	});
});
afterAll(async () => {
	await client.close();
	await simulator.close();
});
beforeEach(() => {
	simulator.reset();
	simulator.configureCommands({ textResponseShape: 'flat' });
});

describe('sendText (cgi 522)', () => {
	test('the gateway receives exactly CgiCmd 522, ToUserName, Content, MsgType 1 and AtUsers', async () => {
		const content = '@Alice\u2005@所有人\u2005<b>"hi"</b> & \\ 😀';
		await sendText('12345@chatroom', content, 'wxid_alice,notify@all');
		expect(JSON.parse(simulator.calls[0].body)).toEqual({
			CgiCmd: 522,
			CgiRequest: {
				ToUserName: '12345@chatroom',
				Content: content,
				MsgType: 1,
				AtUsers: 'wxid_alice,notify@all',
			},
		});
		expect(simulator.messages[0]).toMatchObject({
			cgiCmd: 522,
			content,
			atUsers: ['wxid_alice', 'notify@all'],
		});
	});

	test.each(['flat', 'list'] as const)(
		'the %s answer gives the exact 64-bit NewMsgId',
		async (shape) => {
			simulator.configureCommands({ textResponseShape: shape });
			const result = await sendText('wxid_friend', 'hello', '');
			expect(BigInt(result.NewMsgId ?? 0)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
			expect(result.NewMsgId).toBe(simulator.messages[0].newMsgId);
			expect(result.ClientMsgId).toBe(simulator.messages[0].clientMsgId);
			expect(result.ResponseData).toBeUndefined();
		},
	);

	test('an answer without any id says what came instead of making one up', async () => {
		simulator.configureCommands({ textResponseShape: 'none' });
		const result = await sendText('wxid_friend', 'hello', '');
		expect(result.NewMsgId).toBeUndefined();
		expect(result.ResponseData).toEqual({ Count: 0, List: [] });
		expect(result.note).toMatch(/names no NewMsgId/);
		expect(simulator.messages).toHaveLength(1);
	});

	test("a list entry's own Ret refuses the message even when the envelope says 0", async () => {
		simulator.addFault({
			action: 'json',
			body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{"Count":1,"List":[{"Ret":-34,"NewMsgId":0}]}}',
		});
		const error = await sendText('wxid_friend', 'hello', '').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GatewayError);
		expect(error).toMatchObject({ reason: 'ret', delivery: 'rejected', details: { ret: -34 } });
	});

	test("the simulator's checks: MsgType, empty text, AtUsers outside a group, too long", async () => {
		await expect(sendText('wxid_friend', '   ', '')).rejects.toMatchObject({
			details: { ret: -2 },
		});
		await expect(sendText('wxid_friend', 'hi', 'wxid_a')).rejects.toThrow(/only works in a group/);
		await expect(sendText('123@chatroom', 'x'.repeat(4097), '')).rejects.toThrow(/at most 4096/);
		await expect(sendText('123@chatroom', '😀'.repeat(4096), '')).resolves.toMatchObject({
			Ret: 0,
		});
	});
});

describe('callCgi (any command)', () => {
	test('the request goes out as written, 64-bit numbers unrounded; ResponseData comes back exact', async () => {
		const request = '{"ToUserName":"wxid_friend","NewMsgId":7400409546359626802,"ClientMsgId":12}';
		const result = await callCgi(594, request);
		expect(simulator.calls[0].body).toBe(`{"CgiCmd":594,"CgiRequest":${request}}`);
		expect(result).toEqual({
			Ret: 0,
			ErrMsg: '',
			ResponseData: {
				CgiCmd: 594,
				NewMsgId: simulator.messages[0].newMsgId,
				Echo: { ToUserName: 'wxid_friend', NewMsgId: '7400409546359626802', ClientMsgId: 12 },
				ServerTime: expect.any(Number),
			},
		});
	});

	test('a configured ResponseData is returned with every integer above 2^53 as digits', async () => {
		simulator.configureCommands({
			responses: {
				'182':
					'{"ContactList":[{"UserName":"wxid_x","Uin":18446744073709551615,"small":9007199254740991}]}',
			},
		});
		const result = await callCgi(182, '{"UserNames":["wxid_x"]}');
		expect(result.ResponseData).toEqual({
			ContactList: [{ UserName: 'wxid_x', Uin: '18446744073709551615', small: 9007199254740991 }],
		});
	});

	test('Ret ≠ 0 is a refusal with the Ret and ErrMsg; the secret never comes back', async () => {
		simulator.addFault({ action: 'ret', ret: -2, errMsg: 'bad key s3cret-value', times: 1 });
		const error = (await callCgi(110, '{"ToUserName":"wxid_a"}').catch(
			(e: unknown) => e,
		)) as GatewayError;
		expect(error).toMatchObject({ reason: 'ret', delivery: 'rejected', details: { ret: -2 } });
		expect(error.message).toContain('cgi 110: Ret -2');
		expect(error.message).not.toContain('s3cret-value');
		simulator.addFault({
			action: 'json',
			body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{"echo":"key=s3cret-value"}}',
		});
		const echoed = await callCgi(110, '{}');
		expect(JSON.stringify(echoed)).not.toContain('s3cret-value');
	});
});

describe('findMessageIds', () => {
	test('flat, list (any spelling), list under another name, zero and nothing', () => {
		expect(findMessageIds({ NewMsgId: '7400409546359626802', ClientMsgId: 'c' })).toEqual({
			newMsgId: '7400409546359626802',
			clientMsgId: 'c',
			shape: 'flat',
		});
		expect(
			findMessageIds({
				List: [{ Ret: 0, Newmsgid: 123, ClientMsgid: 456, ToUsetName: { string: 'x' } }],
			}),
		).toEqual({ newMsgId: '123', clientMsgId: '456', entryRet: 0, shape: 'list' });
		expect(findMessageIds({ MsgResponseList: [{ ret: '0', newMsgId: '77' }] })).toMatchObject({
			newMsgId: '77',
			shape: 'list',
		});
		expect(findMessageIds({ Whatever: [{ NewMsgId: '88' }] })).toMatchObject({ newMsgId: '88' });
		expect(findMessageIds({ NewMsgId: 0 })).toEqual({ shape: 'none' });
		expect(findMessageIds({ NewMsgId: 1.5 })).toEqual({ shape: 'none' });
		expect(findMessageIds(null)).toEqual({ shape: 'none' });
	});
});
