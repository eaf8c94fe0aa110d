/**
 * Account → Get Status, Request Login and Get Login QR Code through n8n's engine against the
 * simulator: the exact GET each makes, what the item says, and the gateway's faults (a Ret
 * refusal, an HTTP error, a login page without its image) as errors naming the item.
 */
import type { IBinaryData } from 'n8n-workflow';

import { FAST, SENDER, useModelledGateway } from '../contact/modelledGateway';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { QR_PNG } = require('../../../simulator/mediaBytes') as { QR_PNG: Buffer };

const sim = useModelledGateway();
/** Each call as the gateway saw it: its route, its query, whether it had a body. */
const requests = () =>
	sim.gateway.calls.map((call) => ({
		route: (call as { route?: string }).route,
		query: call.query,
		body: call.body,
	}));

describe('getStatus', () => {
	test("one GET of /v2/wechatinfo; online: the credential's wxid among the masked accounts, its nickname, the list as given", async () => {
		sim.gateway.account.set({ wxid: 'wxid_other_account', nickName: 'Other' });
		const { items, error } = await sim.run('account', { operation: 'getStatus' });
		expect(error).toBeUndefined();
		expect(requests()).toEqual([{ route: 'wechatinfo', query: {}, body: '' }]);
		expect(items.map((item) => item.json)).toEqual([
			{
				online: true,
				nickname: 'Simulated Bot',
				accounts: [
					{ Wxid: 'wxid_send****', NickName: 'Simulated Bot' },
					{ Wxid: 'wxid_other_acc****', NickName: 'Other' },
				],
			},
		]);
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	test('an account logged out is not online, and has no nickname; the others are still listed', async () => {
		sim.gateway.account.set({ wxid: 'wxid_other_account', nickName: 'Other' });
		sim.gateway.account.set({ wxid: SENDER, online: false });
		const { items } = await sim.run('account', { operation: 'getStatus' });
		expect(items[0].json).toEqual({
			online: false,
			nickname: null,
			accounts: [{ Wxid: 'wxid_other_acc****', NickName: 'Other' }],
		});
	});

	test('only the masked form of this wxid counts: another account of the same length is not it; a gateway that does not mask is read too', async () => {
		const answer = (users: unknown[]) =>
			JSON.stringify({
				CgiBaseResponse: { Ret: 0, ErrMsg: '' },
				ResponseData: { WeChatUsers: users },
			});
		sim.gateway.addFault({
			action: 'json',
			route: 'wechatinfo',
			nth: 1,
			body: answer([{ Wxid: 'wxid_othe****', NickName: 'Not me' }]),
		});
		sim.gateway.addFault({
			action: 'json',
			route: 'wechatinfo',
			nth: 2,
			body: answer([{ Wxid: SENDER, NickName: 'Unmasked' }]),
		});
		const { items } = await sim.run('account', { operation: 'getStatus' }, { items: [{}, {}] });
		expect(items.map((item) => [item.json.online, item.json.nickname])).toEqual([
			[false, null],
			[true, 'Unmasked'],
		]);
	});

	test('an answer without the account list is an error naming the item, not "offline"', async () => {
		sim.gateway.addFault({
			action: 'json',
			route: 'wechatinfo',
			body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{"WeChatUsers":"none"}}',
		});
		const { error, items } = await sim.run('account', { operation: 'getStatus' });
		expect(items).toEqual([]);
		expect(error?.message).toMatch(
			/without a list of accounts \(ResponseData.WeChatUsers\).*item 0/,
		);
	});

	test('a Ret refusal is the item error with its Ret; Continue On Fail goes on to the next item', async () => {
		sim.gateway.addFault({ action: 'ret', ret: -13, route: 'wechatinfo', nth: 1 });
		const { items, error } = await sim.run(
			'account',
			{ operation: 'getStatus' },
			{ items: [{}, {}], continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			Ret: -13,
			error: expect.stringMatching(/WeChat refused \/v2\/wechatinfo: Ret -13.*item 0/),
		});
		expect(items[1].json.online).toBe(true);
	});

	test('reads wait for no pacing turn: three items under a ten-minute Message Interval', async () => {
		const { items, error } = await sim.run(
			'account',
			{ operation: 'getStatus', options: { ...FAST, messageInterval: 600_000 } },
			{ items: [{}, {}, {}] },
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(3);
	});
});

describe('requestLogin', () => {
	test("one GET of /v2/login/push with the credential's wxid and nothing else; the envelope as the item", async () => {
		const { items, error } = await sim.run('account', { operation: 'requestLogin' });
		expect(error).toBeUndefined();
		expect(requests()).toEqual([{ route: 'login/push', query: { wxid: SENDER }, body: '' }]);
		expect(sim.gateway.account.requests).toEqual([
			expect.objectContaining({ route: 'login/push', wxid: SENDER }),
		]);
		expect(items.map((item) => item.json)).toEqual([{ Ret: 0, ErrMsg: '', ResponseData: {} }]);
	});

	test('an HTTP error is the item error with its status, and a Ret refusal names the page', async () => {
		sim.gateway.addFault({ action: 'http', status: 502, route: 'login/push', nth: 1 });
		sim.gateway.addFault({
			action: 'ret',
			ret: -2,
			errMsg: 'no such account',
			route: 'login/push',
			nth: 2,
		});
		const { items } = await sim.run(
			'account',
			{ operation: 'requestLogin', options: { ...FAST, retries: 0 } },
			{ items: [{}, {}], continueOnFail: true },
		);
		expect(items.map((item) => item.json.error)).toEqual([
			expect.stringMatching(/HTTP 502.*item 0/),
			expect.stringMatching(/WeChat refused \/v2\/login\/push: Ret -2 \(no such account\).*item 1/),
		]);
		expect(items[1].json).toMatchObject({
			Ret: -2,
			ErrMsg: 'no such account',
			delivery: 'rejected',
		});
	});
});

describe('getLoginQrCode', () => {
	test("one GET of /v2/login/getqrcode?isIPad=2&wxid=…; the page's data: image as binary data with its mime type", async () => {
		const { items, error } = await sim.run('account', { operation: 'getLoginQrCode' });
		expect(error).toBeUndefined();
		expect(requests()).toEqual([
			{ route: 'login/getqrcode', query: { isIPad: '2', wxid: SENDER }, body: '' },
		]);
		const [item] = items;
		expect(item.json).toEqual({
			mimeType: 'image/png',
			fileName: 'login-qr-code.png',
			fileSize: QR_PNG.length,
		});
		const file = item.binary!.data as IBinaryData;
		expect(file).toMatchObject({ mimeType: 'image/png', fileName: 'login-qr-code.png' });
		expect(Buffer.from(file.data, 'base64').equals(QR_PNG)).toBe(true);
	});

	test('Put Output File in Field names the binary property', async () => {
		const { items } = await sim.run('account', {
			operation: 'getLoginQrCode',
			binaryPropertyName: 'qrCode',
		});
		expect(Object.keys(items[0].binary ?? {})).toEqual(['qrCode']);
		const empty = await sim.run('account', {
			operation: 'getLoginQrCode',
			binaryPropertyName: ' ',
		});
		expect(empty.error?.message).toMatch(/"Put Output File in Field" is required.*item 0/);
	});

	test('a page without the image is a clear error naming the item; Continue On Fail goes on', async () => {
		sim.gateway.addFault({ action: 'noImage', route: 'login/getqrcode', nth: 1 });
		const { items, error } = await sim.run(
			'account',
			{ operation: 'getLoginQrCode' },
			{ items: [{}, {}], continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(items[0].json.error).toMatch(
			/login page holds no QR code image \(no data:image\/…;base64 in it\).*item 0/,
		);
		expect(items[0].binary).toBeUndefined();
		expect(items[1].json.mimeType).toBe('image/png');
	});

	test('a JSON answer instead of the page, and a Ret refusal, are errors too', async () => {
		sim.gateway.addFault({
			action: 'json',
			route: 'login/getqrcode',
			nth: 1,
			body: '{"ResponseData":{"QrUrl":"https://example.com/qr"}}',
		});
		sim.gateway.addFault({ action: 'ret', ret: -13, route: 'login/getqrcode', nth: 2 });
		const { items } = await sim.run(
			'account',
			{ operation: 'getLoginQrCode' },
			{ items: [{}, {}], continueOnFail: true },
		);
		expect(items.map((item) => item.json.error)).toEqual([
			expect.stringMatching(/came back as JSON, not as the page that holds the code.*item 0/),
			expect.stringMatching(/WeChat refused \/v2\/login\/getqrcode: Ret -13.*item 1/),
		]);
	});
});
