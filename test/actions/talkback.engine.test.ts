/**
 * Send Text, Reply With Quote and Call Gateway Command through n8n's real engine against the
 * simulator: the exact JSON the gateway receives, ids exact both ways, errors naming the item,
 * parts paced and never sent twice.
 */
import fc from 'fast-check';

import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { runWeChatNode, type RunOptions } from '../support/engine';
import { hostileNonBlank, hostileText } from '../support/hostile';
import { readXmlStrict, valueAt } from '../support/xmlRead';
import { startSimulator, type Simulator } from '../support/simulators';

const SENDER = 'wxid_sender01';
const GROUP = '12345678901@chatroom';
const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0, retryDelay: 1 };
const QUOTED_ID = '7400409546359626802'; // above 2^53
const U2005 = '\u2005';
/** 100 different words: no two parts of it are the same text. */
const WORDS = Array.from({ length: 100 }, (_, i) => `word${i} `).join('');

let gateway: Simulator;
beforeAll(async () => {
	gateway = await startSimulator({ accounts: [SENDER], firstMsgId: '9007199254740993' });
});
afterAll(async () => gateway.close());
beforeEach(() => {
	gateway.reset();
	gateway.configureCommands({ textResponseShape: 'flat', maxTextChars: 4096 });
	freshProcessStores();
});

async function run(parameters: RunOptions['parameters'], more: Partial<RunOptions> = {}) {
	return runWeChatNode({
		credentials: { baseUrl: gateway.url, wxid: SENDER, timeout: 10 },
		...more,
		parameters: { options: FAST, ...parameters },
	});
}

const bodies = () => gateway.calls.map((call) => JSON.parse(call.body));

describe('Send Text (cgi 522)', () => {
	test('a mention with a display name: @Name + U+2005 in Content, the wxid in AtUsers, exact ids out', async () => {
		const { items, error } = await run(
			{
				operation: 'sendText',
				toUserName: '={{ $json.group }}',
				text: '={{ $json.text }}',
				mentions: '={{ $json.who }}',
			},
			{ items: [{ group: GROUP, text: 'report is ready', who: 'wxid_alice:Alice' }] },
		);
		expect(error).toBeUndefined();
		expect(bodies()).toEqual([
			{
				CgiCmd: 522,
				CgiRequest: {
					ToUserName: GROUP,
					Content: `@Alice${U2005}report is ready`,
					MsgType: 1,
					AtUsers: 'wxid_alice',
				},
			},
		]);
		const [message] = gateway.messages;
		expect(BigInt(message.newMsgId)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
		expect(items.map((i) => i.json)).toEqual([
			{
				ToUserName: GROUP,
				NewMsgId: message.newMsgId,
				ClientMsgId: message.clientMsgId,
				Ret: 0,
				ErrMsg: '',
				MsgType: 1,
			},
		]);
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	test('notify@all writes @所有人 + U+2005; a mapped list of mentions; a token already in the text is not doubled', async () => {
		await run({
			operation: 'sendText',
			toUserName: GROUP,
			text: 'meeting at 3',
			mentions: 'notify@all',
		});
		await run(
			{
				operation: 'sendText',
				toUserName: GROUP,
				text: `thanks @Bob${U2005}!`,
				mentions: '={{ $json.people }}',
			},
			{ items: [{ people: [{ wxid: 'wxid_bob', name: 'Bob' }, 'wxid_carol:卡罗尔'] }] },
		);
		const [all, list] = bodies();
		expect(all.CgiRequest).toMatchObject({
			Content: `@所有人${U2005}meeting at 3`,
			AtUsers: 'notify@all',
		});
		expect(list.CgiRequest).toMatchObject({
			Content: `@卡罗尔${U2005}thanks @Bob${U2005}!`,
			AtUsers: 'wxid_bob,wxid_carol',
		});
	});

	test('the list-shaped answer gives the same exact ids; an answer without ids says so and invents none', async () => {
		gateway.configureCommands({ textResponseShape: 'list' });
		const list = await run({ operation: 'sendText', toUserName: 'wxid_friend01', text: 'hi' });
		expect(list.items[0].json.NewMsgId).toBe(gateway.messages[0].newMsgId);
		expect(list.items[0].json.ClientMsgId).toBe(gateway.messages[0].clientMsgId);
		gateway.configureCommands({ textResponseShape: 'none' });
		const none = await run({
			operation: 'sendText',
			toUserName: 'wxid_friend01',
			text: 'hi again',
		});
		expect(none.error).toBeUndefined();
		expect(none.items[0].json).toEqual({
			ToUserName: 'wxid_friend01',
			Ret: 0,
			ErrMsg: '',
			ResponseData: { Count: 0, List: [] },
			note: expect.stringMatching(/names no NewMsgId/),
			MsgType: 1,
		});
		expect(none.items[0].json.NewMsgId).toBeUndefined();
	});

	test('a long text: split between words, parts in order per recipient, each paced and its own item; joined they are the text', async () => {
		const sentence = 'The quick brown fox 🦊 jumps over the lazy dog. ';
		const text = sentence.repeat(120); // 5,880 UTF-16 units
		const { items, error } = await run({
			operation: 'sendText',
			toUserName: `${GROUP}, wxid_friend01`,
			text,
			mentions: '',
			textOptions: { partLength: 2000 },
			options: { messageInterval: 100, maxRecipientsPerMinute: 0 },
		});
		expect(error).toBeUndefined();
		const byChat = (chat: string) => gateway.messages.filter((m) => m.toUserName === chat);
		for (const chat of [GROUP, 'wxid_friend01']) {
			const parts = byChat(chat).map((m) => m.content as string);
			expect(parts.length).toBe(3);
			expect(parts.join('')).toBe(text);
			for (const part of parts) {
				expect(part.length).toBeLessThanOrEqual(2000);
				expect(part.endsWith(' ')).toBe(true);
			}
		}
		expect(items.map((i) => [i.json.ToUserName, i.json.part, i.json.parts])).toEqual([
			[GROUP, 1, 3],
			[GROUP, 2, 3],
			[GROUP, 3, 3],
			['wxid_friend01', 1, 3],
			['wxid_friend01', 2, 3],
			['wxid_friend01', 3, 3],
		]);
		const times = gateway.messages.map((m) => m.receivedAt);
		// Turns are 100 ms apart (plus jitter); one arrival can lag its turn by the time a busy
		// machine takes to write it, so single gaps get slack and the whole span little.
		for (let i = 1; i < times.length; i++)
			expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(60);
		expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(5 * 100 - 40);
	});

	test('mentions go with the first part only, where their tokens are', async () => {
		await run({
			operation: 'sendText',
			toUserName: GROUP,
			text: 'word '.repeat(100),
			mentions: 'wxid_alice:Alice',
			textOptions: { partLength: 300 },
		});
		const requests = bodies().map((b) => b.CgiRequest);
		expect(requests.length).toBe(2);
		expect(requests[0].Content.startsWith(`@Alice${U2005}`)).toBe(true);
		expect(requests.map((r) => r.AtUsers)).toEqual(['wxid_alice', '']);
	});

	test('Long Text "Fail" and Max Parts refuse before anything is sent, naming the field and the item', async () => {
		const failing = await run(
			{
				operation: 'sendText',
				toUserName: GROUP,
				text: 'x'.repeat(2001),
				textOptions: { longText: 'fail' },
			},
			{ continueOnFail: true },
		);
		expect(failing.items[0].json.error).toMatch(/"Text" is 2001 characters long .*Fail \(item 0\)/);
		const tooMany = await run(
			{
				operation: 'sendText',
				toUserName: GROUP,
				text: 'word '.repeat(1000),
				textOptions: { partLength: 100, maxParts: 5 },
			},
			{ continueOnFail: true },
		);
		expect(tooMany.items[0].json.error).toMatch(
			/would take (at least )?\d+ messages .*Max Parts is 5 \(item 0\)/,
		);
		// A runaway text (a megabyte) is refused before any splitting work, at once.
		const started = Date.now();
		const huge = await run(
			{ operation: 'sendText', toUserName: GROUP, text: '={{ "word ".repeat(200000) }}' },
			{ continueOnFail: true },
		);
		expect(huge.items[0].json.error).toMatch(/would take at least 500 messages .*Max Parts is 10/);
		expect(Date.now() - started).toBeLessThan(3000);
		expect(gateway.calls).toHaveLength(0);
	});

	test('bad input is refused before sending: a nickname mention, mentions to a person, a control character, an empty text', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[
				{ toUserName: GROUP, text: 'hi', mentions: 'Alice Smith' },
				/"Mentions" has "Alice Smith", which is not a WeChat ID/,
			],
			[
				{ toUserName: 'wxid_friend01', text: 'hi', mentions: 'wxid_alice' },
				/"Mentions" only work in a group/,
			],
			[{ toUserName: GROUP, text: 'bell \u0007' }, /"Text" contains the character U\+0007/],
			[{ toUserName: GROUP, text: '   ' }, /"Text" is required/],
		];
		for (const [parameters, message] of cases) {
			const { items } = await run(
				{ operation: 'sendText', ...parameters },
				{ continueOnFail: true },
			);
			expect(items[0].json.error).toMatch(message);
		}
		expect(gateway.calls).toHaveLength(0);
	});

	test('a part refused midway: the parts after it are not sent, and each says so', async () => {
		gateway.addFault({ action: 'ret', ret: -34, nth: 2, times: 1 });
		const { items } = await run(
			{
				operation: 'sendText',
				toUserName: GROUP,
				text: 'word '.repeat(100),
				textOptions: { partLength: 200 },
				options: { ...FAST, retries: 0 },
			},
			{ continueOnFail: true },
		);
		expect(items.map((i) => i.json.delivery ?? 'sent')).toEqual(['sent', 'rejected', 'notSent']);
		expect(items[2].json.error).toMatch(/Part 3 of 3 was not sent because part 2 failed/);
		expect(gateway.messages).toHaveLength(1);
	});

	test("n8n's Retry On Fail resumes at the failed part: no part goes out twice", async () => {
		gateway.addFault({ action: 'ret', ret: -1, nth: 2, times: 1 });
		const { items } = await run(
			{
				operation: 'sendText',
				toUserName: GROUP,
				text: WORDS,
				textOptions: { partLength: 200 },
			},
			{ retryOnFail: { maxTries: 2, waitBetweenTries: 1 } },
		);
		// The second try made calls only from the refused part on: part 1 went out once.
		const parts = items.length;
		expect(parts).toBeGreaterThanOrEqual(3);
		expect(gateway.calls.map((c) => c.ret)).toEqual([0, -1, ...Array(parts - 1).fill(0)]);
		expect(gateway.calls[2].body).toBe(gateway.calls[1].body);
		expect(items.map((i) => i.json.part)).toEqual(Array.from({ length: parts }, (_, i) => i + 1));
		expect(gateway.messages.map((m) => m.content).join('')).toBe(WORDS);
		expect([...gateway.deliveries().values()].every((n) => n === 1)).toBe(true);
	});

	test('property: hostile text and display names arrive in Content exactly (JSON read back)', async () => {
		const samples = fc.sample(fc.tuple(hostileNonBlank, hostileText), { numRuns: 40, seed: 11 });
		const items = samples.map(([text, name]) => ({
			text,
			who: `wxid_alice:${name.replace(/[\r\n\u2005,;，、；:]/g, '')}`,
		}));
		const { items: output, error } = await run(
			{
				operation: 'sendText',
				toUserName: GROUP,
				text: '={{ $json.text }}',
				mentions: '={{ $json.who }}',
			},
			{ items, continueOnFail: true },
		);
		expect(error).toBeUndefined();
		let sent = 0;
		let texts = 0;
		const requests = bodies().map((b) => b.CgiRequest);
		for (const [index, { text, who }] of items.entries()) {
			const outputs = output.filter((o) => (o.pairedItem as { item: number }).item === index);
			if (outputs[0]?.json.error) {
				// Only what XML 1.0 cannot carry (and so WeChat cannot show) is refused.
				expect(outputs[0].json.error).toMatch(/contains the character U\+/);
				continue;
			}
			// A long text goes in parts, one output item each: joined, they are the text.
			const parts = requests.slice(sent, sent + outputs.length).map((r) => r.Content);
			sent += outputs.length;
			const name = who.slice('wxid_alice:'.length).trim();
			const token = name ? `@${name}${U2005}` : '';
			expect(parts.join('')).toBe(text.includes(token) ? text : token + text);
			texts++;
		}
		expect(sent).toBe(requests.length);
		expect(texts).toBeGreaterThan(20);
	});
});

describe('Reply With Quote (cgi 222, appmsg type 57)', () => {
	const triggerItem = {
		newMsgId: QUOTED_ID,
		chatId: GROUP,
		senderWxid: 'wxid_bob',
		senderName: 'Bob <the "builder"> & co',
		msgType: 1,
		content: 'Can someone send the Q3 numbers? <b>&amp;</b> ]]>',
	};
	const mapped = {
		operation: 'replyWithQuote',
		toUserName: '={{ $json.chatId }}',
		text: 'Sent 👍',
		quotedNewMsgId: '={{ $json.newMsgId }}',
		quotedSenderWxid: '={{ $json.senderWxid }}',
		quotedSenderName: '={{ $json.senderName }}',
		quotedMsgType: '={{ $json.msgType }}',
		quotedContent: '={{ $json.content }}',
	};

	test("the trigger's fields map 1:1; <refermsg> read back with sax holds each exactly, the id digit for digit", async () => {
		const { items, error } = await run(mapped, { items: [triggerItem] });
		expect(error).toBeUndefined();
		const [body] = bodies();
		expect(body.CgiCmd).toBe(222);
		expect(body.CgiRequest).toMatchObject({ ToUserName: GROUP, MsgType: 49 });
		const root = readXmlStrict(body.CgiRequest.AppMsgXml);
		expect(root.name).toBe('appmsg');
		expect(valueAt(root, ['type'])).toBe('57');
		expect(valueAt(root, ['title'])).toBe('Sent 👍');
		expect(valueAt(root, ['refermsg', 'svrid'])).toBe(QUOTED_ID);
		expect(valueAt(root, ['refermsg', 'type'])).toBe('1');
		expect(valueAt(root, ['refermsg', 'fromusr'])).toBe(GROUP);
		expect(valueAt(root, ['refermsg', 'chatusr'])).toBe('wxid_bob');
		expect(valueAt(root, ['refermsg', 'displayname'])).toBe(triggerItem.senderName);
		expect(valueAt(root, ['refermsg', 'content'])).toBe(triggerItem.content);
		const [message] = gateway.messages;
		expect(items[0].json).toEqual({
			ToUserName: GROUP,
			NewMsgId: message.newMsgId,
			ClientMsgId: message.clientMsgId,
			Ret: 0,
			ErrMsg: '',
			type: 57,
		});
	});

	test('a quoted app message: its XML travels escaped in <content> and comes back whole', async () => {
		const appXml =
			'<msg><appmsg appid="" sdkver="0"><title>Report</title><type>5</type><url>https://e.x/?a=1&amp;b=2</url></appmsg></msg>';
		await run(mapped, { items: [{ ...triggerItem, msgType: 49, content: appXml }] });
		const root = readXmlStrict(bodies()[0].CgiRequest.AppMsgXml);
		expect(valueAt(root, ['refermsg', 'type'])).toBe('49');
		expect(valueAt(root, ['refermsg', 'content'])).toBe(appXml);
		expect(
			root.children.find((c) => c.name === 'refermsg')?.children.map((c) => c.name),
		).not.toContain('msg');
	});

	test('property: hostile text in the reply, the name and the content arrives exactly', async () => {
		const samples = fc.sample(fc.tuple(hostileNonBlank, hostileText, hostileText), {
			numRuns: 30,
			seed: 7,
		});
		const items = samples.map(([text, senderName, content]) => ({
			...triggerItem,
			text,
			senderName,
			content,
		}));
		const { items: output } = await run(
			{ ...mapped, text: '={{ $json.text }}' },
			{ items, continueOnFail: true },
		);
		const received = bodies().map((b) => readXmlStrict(b.CgiRequest.AppMsgXml));
		let r = 0;
		for (const [index, item] of items.entries()) {
			if (output[index].json.error) {
				expect(output[index].json.error).toMatch(/contains the character U\+/);
				continue;
			}
			const root = received[r++];
			expect(valueAt(root, ['title'])).toBe(item.text);
			if (item.senderName) expect(valueAt(root, ['refermsg', 'displayname'])).toBe(item.senderName);
			if (item.content) expect(valueAt(root, ['refermsg', 'content'])).toBe(item.content);
		}
		expect(r).toBeGreaterThan(15);
	});

	test('a rounded id, a bad sender, several chats and a missing text are refused before sending, naming the field', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[
				{ newMsgId: 7400409546359626802 },
				/"Quoted Message ID" is the number .* already rounded \(item 0, to|"Quoted Message ID" is the number/,
			],
			[{ senderWxid: 'Bob Smith' }, /"Quoted Sender Wxid" must be the wxid/],
			[{ chatId: `${GROUP}, wxid_x` }, /"To" has 2 chats/],
			[{ msgType: 'text' }, /"Quoted Message Type" must be/],
		];
		for (const [change, message] of cases) {
			const { items } = await run(mapped, {
				items: [{ ...triggerItem, ...change }],
				continueOnFail: true,
			});
			expect(items[0].json.error).toMatch(message);
			expect(items[0].json.error).toMatch(/\(item 0\)/);
		}
		const empty = await run(
			{ ...mapped, text: '={{ "  " }}' },
			{ items: [triggerItem], continueOnFail: true },
		);
		expect(empty.items[0].json.error).toMatch(/"Text" is required \(item 0\)/);
		expect(gateway.calls).toHaveLength(0);
	});
});

describe('Call Gateway Command (any cgi)', () => {
	test('the request goes out as written, 64-bit numbers bare and exact; ResponseData comes back exact', async () => {
		const request =
			'{"ToUserName":"wxid_friend01","NewMsgId":7400409546359626802,"Note":"<&>\\"\\u2005"}';
		const { items, error } = await run({
			operation: 'callGatewayCommand',
			cgiCmd: 594,
			cgiRequest: request,
		});
		expect(error).toBeUndefined();
		// Re-encoded from what was parsed: the same JSON, the 64-bit number still bare and exact.
		expect(gateway.calls[0].body).toBe(
			`{"CgiCmd":594,"CgiRequest":{"ToUserName":"wxid_friend01","NewMsgId":7400409546359626802,"Note":"<&>\\"\u2005"}}`,
		);
		const [message] = gateway.messages;
		expect(items.map((i) => i.json)).toEqual([
			{
				ToUserName: 'wxid_friend01',
				Ret: 0,
				ErrMsg: '',
				ResponseData: {
					CgiCmd: 594,
					NewMsgId: message.newMsgId,
					Echo: { ToUserName: 'wxid_friend01', NewMsgId: QUOTED_ID, Note: '<&>"\u2005' },
					ServerTime: expect.any(Number),
				},
				CgiCmd: 594,
			},
		]);
	});

	test('a configured answer: every integer above 2^53 is a string of its exact digits', async () => {
		gateway.configureCommands({
			responses: { '182': '{"List":[{"Uin":18446744073709551615,"n":42}]}' },
		});
		const { items } = await run({
			operation: 'callGatewayCommand',
			cgiCmd: 182,
			cgiRequest: '{"UserNames":["wxid_a"]}',
			paced: false,
		});
		expect(items[0].json.ResponseData).toEqual({ List: [{ Uin: '18446744073709551615', n: 42 }] });
		expect(items[0].json.ToUserName).toBeUndefined();
	});

	test('pacing applies to commands unless turned off for this call', async () => {
		const three = Array.from({ length: 3 }, (_, i) => ({ n: i }));
		// wide apart, so a loaded machine cannot make the unpaced calls look paced
		const paced = { messageInterval: 600, maxRecipientsPerMinute: 0 };
		await run(
			{ operation: 'callGatewayCommand', cgiCmd: 182, cgiRequest: '{}', options: paced },
			{ items: three },
		);
		const pacedTimes = gateway.calls.map((c) => c.receivedAt);
		gateway.reset();
		freshProcessStores();
		await run(
			{
				operation: 'callGatewayCommand',
				cgiCmd: 182,
				cgiRequest: '{}',
				paced: false,
				options: paced,
			},
			{ items: three },
		);
		const freeTimes = gateway.calls.map((c) => c.receivedAt);
		expect(pacedTimes[2] - pacedTimes[0]).toBeGreaterThanOrEqual(1199);
		expect(freeTimes[2] - freeTimes[0]).toBeLessThan(600);
	});

	test('Ret errors carry the hint; bad JSON, an array, a rounded number and a bad cgi number fail before sending', async () => {
		gateway.addFault({ action: 'ret', ret: -2, errMsg: 'bad request', times: 1 });
		const refused = await run(
			{ operation: 'callGatewayCommand', cgiCmd: 110, cgiRequest: '{}' },
			{ continueOnFail: true },
		);
		expect(refused.items[0].json).toMatchObject({
			Ret: -2,
			ErrMsg: 'bad request',
			delivery: 'rejected',
		});
		expect(refused.items[0].json.error).toMatch(
			/WeChat refused cgi 110: Ret -2 \(bad request\) \(item 0\)/,
		);
		const failed = await run(
			{ operation: 'callGatewayCommand', cgiCmd: 110, cgiRequest: '{}' },
			{ items: [{}] },
		).then(async () => {
			gateway.addFault({ action: 'ret', ret: -2, errMsg: 'bad request', times: 1 });
			return run({ operation: 'callGatewayCommand', cgiCmd: 110, cgiRequest: '{}' });
		});
		expect(failed.error?.description).toMatch(/Hint: WeChat rejected an argument/);
		gateway.reset();
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ cgiRequest: '{"a":' }, /"Cgi Request \(JSON\)" is not valid JSON/],
			[{ cgiRequest: '[1,2]' }, /must be a JSON object/],
			[
				{ cgiRequest: '={{ { "NewMsgId": 7400409546359626802 } }}' },
				/CgiRequest.NewMsgId is a number above 2\^53 .* already rounded/,
			],
			[{ cgiCmd: 0 }, /"Cgi Command" must be a cgi number/],
		];
		for (const [change, message] of cases) {
			const { items } = await run(
				{ operation: 'callGatewayCommand', cgiCmd: 182, cgiRequest: '{}', ...change },
				{ continueOnFail: true },
			);
			expect(items[0].json.error).toMatch(message);
		}
		expect(gateway.calls).toHaveLength(0);
	});
});
