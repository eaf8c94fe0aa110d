/**
 * Message → Revoke through n8n's engine against the simulator's model of cgi 594: the exact
 * JSON at the gateway (NewMsgId a bare number with every digit), the ids a send's output gives
 * for it, bad ids refused unsent, and a revoke never sent twice under Retry On Fail.
 */
import { useModelledGateway } from '../contact/modelledGateway';

const sim = useModelledGateway();
const CHAT = 'wxid_friend42';
const BIG_ID = '7400409546359626802'; // above 2^53: a double would make it …800

describe('Revoke (cgi 594)', () => {
	test("a text's output carries NewMsgId and MsgId; mapped into Revoke they reach the gateway exactly", async () => {
		sim.gateway.configureCommands({ textResponseShape: 'list' });
		const sent = await sim.run('message', {
			operation: 'sendText',
			toUserName: CHAT,
			text: 'oops',
		});
		const { NewMsgId, MsgId } = sent.items[0].json;
		expect(NewMsgId).toBe(sim.gateway.messages[0].newMsgId);
		expect(BigInt(NewMsgId as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
		// The list-shaped answer of cgi 522 has it; a revoke needs it besides NewMsgId.
		expect(Number.isInteger(MsgId) && (MsgId as number) > 0 && (MsgId as number) < 2 ** 32).toBe(
			true,
		);

		const { items, error } = await sim.run(
			'message',
			{
				operation: 'revoke',
				toUserName: '={{ $json.ToUserName }}',
				newMsgId: '={{ $json.NewMsgId }}',
				msgId: '={{ $json.MsgId }}',
			},
			{ items: [sent.items[0].json] },
		);
		expect(error).toBeUndefined();
		const revoke = sim.gateway.calls.at(-1)!;
		expect(revoke.body).toBe(
			`{"CgiCmd":594,"CgiRequest":{"OpCode":0,"MsgId":${MsgId},"NewMsgId":${NewMsgId},"ToUserName":"${CHAT}"}}`,
		);
		expect(sim.gateway.messages.at(-1)).toMatchObject({
			cgiCmd: 594,
			revokedNewMsgId: NewMsgId,
			revokedMsgId: MsgId,
		});
		expect(items.map((item) => item.json)).toEqual([
			{
				ToUserName: CHAT,
				Ret: 0,
				ErrMsg: '',
				ResponseData: { Introduction: '', SysWording: '你撤回了一条消息' },
				revokedNewMsgId: NewMsgId,
				revokedMsgId: MsgId,
			},
		]);
	});

	test('ids given as text keep every digit on the wire', async () => {
		await sim.run('message', {
			operation: 'revoke',
			toUserName: CHAT,
			newMsgId: BIG_ID,
			msgId: '1234567',
		});
		expect(sim.gateway.calls[0].body).toContain(`"NewMsgId":${BIG_ID},`);
		expect(sim.gateway.messages[0]).toMatchObject({
			revokedNewMsgId: BIG_ID,
			revokedMsgId: 1234567,
		});
	});

	test('a rounded NewMsgId, a MsgId that is not 32-bit and several chats are refused, nothing sent', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ newMsgId: '={{ 7400409546359626802 }}' }, /"New Message ID" is the number .*rounded/],
			[{ newMsgId: 'abc' }, /"New Message ID" must be/],
			[{ msgId: BIG_ID }, /"Message ID" must be the message's MsgId, a whole number below 2\^32/],
			[{ msgId: '0' }, /"Message ID" must be/],
			[{ toUserName: `${CHAT}, wxid_lin99` }, /"To" has 2 chats; a revoke goes to the one chat/],
		];
		for (const [change, message] of cases) {
			const { error } = await sim.run('message', {
				operation: 'revoke',
				toUserName: CHAT,
				newMsgId: BIG_ID,
				msgId: '1234567',
				...change,
			});
			expect([change, error?.message]).toEqual([change, expect.stringMatching(message)]);
		}
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test("n8n's Retry On Fail: a revoke that went through is not sent again when a later item failed", async () => {
		sim.gateway.addFault({ action: 'ret', ret: -1, nth: 2 });
		const { items, error } = await sim.run(
			'message',
			{
				operation: 'revoke',
				toUserName: CHAT,
				newMsgId: '={{ $json.id }}',
				msgId: '={{ $json.msgId }}',
			},
			{
				items: [
					{ id: BIG_ID, msgId: 11 },
					{ id: '7400409546359626803', msgId: 12 },
				],
				retryOnFail: { maxTries: 3, waitBetweenTries: 1 },
			},
		);
		expect(error).toBeUndefined();
		const sent = sim.gateway.calls.map((call) => [
			JSON.parse(call.body).CgiRequest.MsgId,
			call.fault ?? null,
		]);
		expect(sent).toEqual([
			[11, null],
			[12, 'ret'],
			[12, null],
		]);
		expect(items.map((item) => item.json.revokedNewMsgId)).toEqual([BIG_ID, '7400409546359626803']);
	});
});

describe('what a later revoke needs, in the output of a send', () => {
	test('an answer without MsgId gives none: no id is made up', async () => {
		sim.gateway.configureCommands({ textResponseShape: 'flat' });
		const text = await sim.run('message', { operation: 'sendText', toUserName: CHAT, text: 'hi' });
		const link = await sim.run('message', {
			operation: 'sendLink',
			toUserName: CHAT,
			title: 't',
			url: 'https://example.com/',
		});
		expect('MsgId' in text.items[0].json).toBe(false);
		expect('MsgId' in link.items[0].json).toBe(false);
		expect(text.items[0].json.NewMsgId).toBe(sim.gateway.messages[0].newMsgId);
	});
});
