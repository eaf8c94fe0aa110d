/**
 * The node through n8n's real execution engine against the gateway simulator on 127.0.0.1:
 * every operation, expressions per item, several recipients, exact ids and each error class.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { runWeChatNode, type RunOptions } from '../support/engine';
import { startSimulator, type Simulator } from '../support/simulators';
import { at, readAppMsg } from '../support/xml';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');
const SENDER = 'wxid_sender01';
const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0, retryDelay: 1 };

let gateway: Simulator;
beforeAll(async () => {
	gateway = await startSimulator({ accounts: [SENDER] });
});
afterAll(async () => gateway.close());
beforeEach(() => {
	gateway.reset();
	freshProcessStores();
});

function credentials(extra: Record<string, unknown> = {}) {
	return { baseUrl: gateway.url, wxid: SENDER, timeout: 10, ...extra };
}

async function run(parameters: RunOptions['parameters'], more: Partial<RunOptions> = {}) {
	return runWeChatNode({
		credentials: credentials(),
		...more,
		parameters: { options: FAST, ...parameters },
	});
}

describe('every operation sends what it should', () => {
	test('sendLink: the call carries the query, headers and body the gateway expects', async () => {
		const { items, error } = await run({
			operation: 'sendLink',
			toUserName: 'wxid_friend01',
			title: 'Report & <summary>',
			url: 'https://example.com/r?id=1&x=2',
			description: '周报',
			thumbUrl: 'https://example.com/t.png',
		});
		expect(error).toBeUndefined();
		const [call] = gateway.calls;
		expect(call.query).toEqual({ funcname: 'MagicCgi', timeout: '10', wxid: SENDER });
		expect(call.headers['content-type']).toBe('application/json');
		const body = JSON.parse(call.body);
		expect(Object.keys(body)).toEqual(['CgiCmd', 'CgiRequest']);
		expect(body.CgiCmd).toBe(222);
		expect(body.CgiRequest.ToUserName).toBe('wxid_friend01');
		expect(body.CgiRequest.MsgType).toBe(49);
		const appMsg = readAppMsg(body.CgiRequest.AppMsgXml);
		expect(at(appMsg, 'title')).toBe('Report & <summary>');
		expect(at(appMsg, 'url')).toBe('https://example.com/r?id=1&x=2');
		expect(at(appMsg, 'des')).toBe('周报');
		const [message] = gateway.messages;
		expect(items).toEqual([
			{
				json: {
					ToUserName: 'wxid_friend01',
					NewMsgId: message.newMsgId,
					ClientMsgId: message.clientMsgId,
					Ret: 0,
					ErrMsg: '',
					type: 5,
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('NewMsgId above 2^53 arrives exactly, as a string of digits', async () => {
		const { items } = await run({
			operation: 'sendLink',
			toUserName: 'wxid_friend01',
			title: 't',
			url: 'https://e.com',
		});
		const id = items[0].json.NewMsgId as string;
		expect(id).toBe(gateway.messages[0].newMsgId);
		expect(id).toMatch(/^\d{19}$/);
		expect(BigInt(id) > 2n ** 53n).toBe(true);
		// A JavaScript number could not have carried it: it would have been rounded.
		expect(String(Number(id))).not.toBe(id);
	});

	test.each([
		['forwardChannelsVideo', 'channels.received.xml', 51],
		['forwardMiniProgram', 'miniprogram.received.xml', 33],
		['forwardFile', 'file.received.xml', 6],
		['sendAppMsgXml', 'link.received.xml', 5],
	])('%s forwards a received message from its XML', async (operation, file, type) => {
		const { items, error } = await run(
			{ operation, source: 'xml', messageXml: '={{ $json.xml }}', toUserName: 'room1@chatroom' },
			{
				items: [{ xml: fixture(file) }],
			},
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ ToUserName: 'room1@chatroom', Ret: 0, type });
		expect(gateway.messages.map((m) => [m.toUserName, m.type])).toEqual([['room1@chatroom', type]]);
		expect(items[0].json.NewMsgId).toBe(gateway.messages[0].newMsgId);
	});

	test.each([
		[
			'forwardChannelsVideo',
			{
				objectId: '1429',
				objectNonceId: 'n_0',
				username: 'v2_x@finder',
				nickname: 'Studio',
				mediaUrl: 'https://v.example/x',
			},
			['finderFeed', 'objectId'],
			'1429',
		],
		[
			'forwardMiniProgram',
			{ title: 'Shop', appId: 'wx1', username: 'gh_1@app', pagePath: 'pages/a', displayName: 'S' },
			['weappinfo', 'pagepath'],
			'pages/a.html',
		],
		[
			'forwardFile',
			{
				fileName: 'a.pdf',
				fileSize: 10,
				attachId: '@cdn_1',
				cdnAttachUrl: '30570201',
				aesKey: 'k1',
			},
			['appattach', 'fileext'],
			'pdf',
		],
	])('%s builds from fields', async (operation, fields, pathToCheck, expected) => {
		const { items, error } = await run({
			operation,
			source: 'fields',
			toUserName: 'wxid_friend01',
			...fields,
		});
		expect(error).toBeUndefined();
		expect(items[0].json.Ret).toBe(0);
		expect(at(readAppMsg(gateway.messages[0].appMsgXml), ...pathToCheck)).toBe(expected);
	});

	test('parseAppMsgXml turns items into routing fields and never calls the gateway', async () => {
		const { items } = await run(
			{ operation: 'parseAppMsgXml', messageXml: '={{ $json.content }}' },
			{
				items: [
					{ content: fixture('file.received.xml') },
					{ content: fixture('channels.received.xml') },
				],
			},
		);
		expect(items.map((i) => [i.json.type, i.json.typeName, i.pairedItem])).toEqual([
			[6, 'file', { item: 0 }],
			[51, 'channelsVideo', { item: 1 }],
		]);
		expect(items[0].json.file).toMatchObject({ fileName: 'Gemini.pdf', fileSize: 1714122 });
		expect(readAppMsg(items[0].json.appMsgXml as string)).toBeDefined();
		expect(gateway.calls).toHaveLength(0);
	});

	test('parsed output feeds a forward: parse -> forwardFile with messageXml from $json.appMsgXml', async () => {
		const parsed = await run({
			operation: 'parseAppMsgXml',
			messageXml: fixture('file.received.xml'),
		});
		const { items } = await run(
			{
				operation: 'forwardFile',
				source: 'xml',
				messageXml: '={{ $json.appMsgXml }}',
				toUserName: 'wxid_friend02',
			},
			{ items: [parsed.items[0].json] },
		);
		expect(items[0].json.Ret).toBe(0);
		expect(at(readAppMsg(gateway.messages[0].appMsgXml), 'appattach', 'attachid')).toMatch(
			/^@cdn_3057/,
		);
	});
});

describe('items, expressions and recipients', () => {
	test('each item uses its own values; each recipient gets one output item paired to its input', async () => {
		const { items } = await run(
			{
				operation: 'sendLink',
				toUserName: '={{ $json.to }}',
				title: '={{ $json.title }}',
				url: '={{ "https://e.com/" + $json.id }}',
			},
			{
				items: [
					{ to: 'wxid_a1', title: 'First', id: 1 },
					{ to: 'wxid_b2,\n room9@chatroom ，wxid_b2', title: 'Second', id: 2 },
					{ to: ['wxid_c3', 'wxid_d4'], title: 'Third', id: 3 },
				],
			},
		);
		expect(items.map((i) => [i.json.ToUserName, i.pairedItem])).toEqual([
			['wxid_a1', { item: 0 }],
			['wxid_b2', { item: 1 }],
			['room9@chatroom', { item: 1 }],
			['wxid_c3', { item: 2 }],
			['wxid_d4', { item: 2 }],
		]);
		expect(
			gateway.messages.map((m) => [
				m.toUserName,
				at(readAppMsg(m.appMsgXml), 'title'),
				at(readAppMsg(m.appMsgXml), 'url'),
			]),
		).toEqual([
			['wxid_a1', 'First', 'https://e.com/1'],
			['wxid_b2', 'Second', 'https://e.com/2'],
			['room9@chatroom', 'Second', 'https://e.com/2'],
			['wxid_c3', 'Third', 'https://e.com/3'],
			['wxid_d4', 'Third', 'https://e.com/3'],
		]);
		expect(new Set(items.map((i) => i.json.NewMsgId)).size).toBe(5);
	});

	test('plain field mappings ({{ $json.x }}, {{ $json["a b"] }}) give what n8n would: text, numbers, lists, and a missing field is missing', async () => {
		const { items, error } = await run(
			{
				operation: 'sendLink',
				toUserName: '={{ $json.to }}',
				title: '={{ $json["the title"] }}',
				url: '={{ $json.link }}',
				description: '={{ $json.n }}',
			},
			{
				items: [
					{
						to: ['wxid_f1', 'wxid_f2'],
						'the title': 'List <1>',
						link: 'https://e.com/?a=1&b=2',
						n: 42,
					},
					{ to: 'wxid_f3', 'the title': 'Single', link: 'https://e.com/3' },
					{ to: 'wxid_f4', link: 'https://e.com/4' },
				],
				continueOnFail: true,
			},
		);
		expect(error).toBeUndefined();
		expect(
			gateway.messages.map((m) => [
				m.toUserName,
				at(readAppMsg(m.appMsgXml), 'title'),
				at(readAppMsg(m.appMsgXml), 'des'),
			]),
		).toEqual([
			['wxid_f1', 'List <1>', '42'],
			['wxid_f2', 'List <1>', '42'],
			['wxid_f3', 'Single', ''],
		]);
		expect(items[3].json.error).toMatch(/"Title" is required \(item 2\)/);
	});

	test('one keep-alive connection serves every item of an execution', async () => {
		const before = gateway.stats().connections;
		await run(
			{ operation: 'sendLink', toUserName: '={{ $json.to }}', title: 't', url: 'https://e.com' },
			{
				items: Array.from({ length: 20 }, (_, i) => ({ to: `wxid_user${i}` })),
			},
		);
		expect(gateway.messages).toHaveLength(20);
		expect(gateway.stats().connections - before).toBe(1);
	});

	test('Include Sent XML adds the exact XML that went out', async () => {
		const { items } = await run({
			operation: 'sendLink',
			toUserName: 'wxid_a1',
			title: 't',
			url: 'https://e.com',
			options: { ...FAST, includeXml: true },
		});
		expect(items[0].json.AppMsgXml).toBe(gateway.messages[0].appMsgXml);
	});

	test('the auth header goes to the gateway and nowhere else', async () => {
		const secret = 'Bearer s3cr3t-value-123';
		const guarded = await startSimulator({
			accounts: [SENDER],
			authHeader: { name: 'X-Api-Key', value: secret },
		});
		try {
			const ok = await runWeChatNode({
				credentials: {
					baseUrl: guarded.url,
					wxid: SENDER,
					authentication: 'header',
					authHeaderName: 'X-Api-Key',
					authHeaderSecret: secret,
				},
				parameters: {
					operation: 'sendLink',
					toUserName: 'wxid_a1',
					title: 't',
					url: 'https://e.com',
					options: FAST,
				},
			});
			expect(guarded.calls[0].headers['x-api-key']).toBe(secret);
			expect(JSON.stringify(ok.items)).not.toContain(secret);
			const denied = await runWeChatNode({
				credentials: {
					baseUrl: guarded.url,
					wxid: SENDER,
					authentication: 'header',
					authHeaderName: 'X-Api-Key',
					authHeaderSecret: `${secret}-wrong`,
				},
				parameters: {
					operation: 'sendLink',
					toUserName: 'wxid_a1',
					title: 't',
					url: 'https://e.com',
					options: FAST,
				},
			});
			expect(denied.error?.message).toMatch(/HTTP 401/);
			expect(JSON.stringify(denied.run.data)).not.toContain(secret);
		} finally {
			await guarded.close();
		}
	});
});

describe('errors say what happened, for which item and recipient', () => {
	const link = {
		operation: 'sendLink',
		toUserName: '={{ $json.to }}',
		title: 't',
		url: 'https://e.com',
	};
	const three = { items: [{ to: 'wxid_a1' }, { to: 'wxid_b2' }, { to: 'wxid_c3' }] };

	test('Ret != 0 fails the node with Ret, ErrMsg and a hint; nothing after it is sent', async () => {
		gateway.addFault({ action: 'ret', ret: -13, errMsg: 'session timeout', toUserName: 'wxid_b2' });
		const { error, items } = await run(link, three);
		expect(error?.message).toBe(
			'WeChat refused the message: Ret -13 (session timeout) (item 1, to wxid_b2)',
		);
		expect(error?.description).toMatch(/log the account in to the gateway again/);
		expect(items).toEqual([]);
		expect(gateway.messages.map((m) => m.toUserName)).toEqual(['wxid_a1']);
	});

	test('with Continue On Fail the failing item becomes an error item and the rest are still sent', async () => {
		gateway.addFault({
			action: 'ret',
			ret: -34,
			errMsg: 'too frequent',
			toUserName: 'wxid_b2',
			times: 10,
		});
		const { items, error } = await run(
			{ ...link, options: { ...FAST, retries: 0 } },
			{ ...three, continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json)).toEqual([
			expect.objectContaining({ ToUserName: 'wxid_a1', Ret: 0 }),
			{
				error: 'WeChat refused the message: Ret -34 (too frequent) (item 1, to wxid_b2)',
				ToUserName: 'wxid_b2',
				Ret: -34,
				ErrMsg: 'too frequent',
				delivery: 'rejected',
			},
			expect.objectContaining({ ToUserName: 'wxid_c3', Ret: 0 }),
		]);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test.each([
		[
			{ action: 'http', status: 502, body: 'Bad Gateway' },
			/The gateway answered HTTP 502: "Bad Gateway" \(item 0, to wxid_a1\)/,
		],
		[
			{ action: 'html' },
			/The gateway's answer is not JSON: "<!doctype html>.*Is the Base URL the WeChat gateway itself/,
		],
		[{ action: 'empty' }, /The gateway's answer is not JSON with an empty body/],
		[{ action: 'json', body: '{"ok":true}' }, /without "CgiBaseResponse"/],
		[
			{ action: 'json', body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{}}' },
			/no numeric "ResponseData.NewMsgId"/,
		],
	])('gateway answer %j', async (fault, message) => {
		gateway.addFault(fault as never);
		const { error } = await run(link, { items: [{ to: 'wxid_a1' }] });
		expect(error?.message).toMatch(message);
	});

	test('a gateway slower than the timeout is reported as a timeout, not retried', async () => {
		gateway.addFault({ action: 'hang' });
		const started = Date.now();
		const { error } = await runWeChatNode({
			credentials: credentials({ timeout: 1 }),
			parameters: { ...link, options: FAST },
			items: [{ to: 'wxid_a1' }],
		});
		expect(error?.message).toMatch(
			/did not answer within 1 s .*may or may not have been sent \(item 0, to wxid_a1\)/,
		);
		expect(Date.now() - started).toBeLessThan(15_000);
		expect(gateway.calls).toHaveLength(1);
	}, 20_000);

	test('connection refused names the address', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const { port } = closed.address() as { port: number };
		await new Promise((resolve) => closed.close(resolve));
		const { error } = await runWeChatNode({
			credentials: { baseUrl: `http://127.0.0.1:${port}`, wxid: SENDER },
			parameters: { ...link, options: { ...FAST, retries: 0 } },
			items: [{ to: 'wxid_a1' }],
		});
		expect(error?.message).toBe(
			`Connection refused by 127.0.0.1:${port}: is the gateway running and the Base URL's port right? (item 0, to wxid_a1)`,
		);
	});

	test('bad input is refused before any call, naming the field and the item', async () => {
		const { error } = await run(link, { items: [{ to: 'wxid_a1' }, { to: '张三' }] });
		expect(error?.message).toMatch(/"To" has "张三", which is not a WeChat ID.*\(item 1\)/);
		const badUrl = await runWeChatNode({
			credentials: { baseUrl: 'ftp://x', wxid: SENDER },
			parameters: { ...link, options: FAST },
			items: [{ to: 'wxid_a1' }],
		});
		expect(badUrl.error?.message).toMatch(
			/"Gateway Base URL" must start with http:\/\/ or https:\/\//,
		);
		const noWxid = await runWeChatNode({
			credentials: { baseUrl: gateway.url, wxid: '' },
			parameters: { ...link, options: FAST },
			items: [{ to: 'wxid_a1' }],
		});
		expect(noWxid.error?.message).toMatch(/"Sending Account wxid" is empty/);
		expect(gateway.calls.map((c) => c.toUserName)).toEqual(['wxid_a1']);
	});

	test('a base URL with a path prefix and a trailing slash works', async () => {
		const { items } = await runWeChatNode({
			credentials: { baseUrl: `${gateway.url}/wechat/`, wxid: SENDER },
			parameters: { ...link, options: FAST },
			items: [{ to: 'wxid_a1' }],
		});
		expect(items[0].json.Ret).toBe(0);
		expect(gateway.calls[0]).toBeDefined();
	});
});
