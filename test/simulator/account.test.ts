/**
 * The account calls: /v2/wechatinfo lists the logged-in accounts with masked wxids,
 * /v2/login/push is recorded, and /v2/login/getqrcode answers an HTML page with a real PNG.
 */
import zlib from 'node:zlib';

import { startMediaSimulator, type MediaSimulator } from './api';
import { call } from './wire';

let simulator: MediaSimulator;
beforeAll(async () => {
	simulator = await startMediaSimulator({ accounts: ['wxid_bot1', 'wxid_second22'] });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

const getText = async (path: string) => {
	const response = await fetch(`${simulator.url}${path}`);
	return {
		status: response.status,
		type: response.headers.get('content-type'),
		text: await response.text(),
	};
};

describe('/v2/wechatinfo', () => {
	test('every logged-in account, its wxid masked (last four characters ****)', async () => {
		const { text } = await getText('/v2/wechatinfo');
		expect(JSON.parse(text)).toEqual({
			CgiBaseResponse: { Ret: 0, ErrMsg: '' },
			ResponseData: {
				WeChatUsers: [
					{ Wxid: 'wxid_****', NickName: 'Simulated Bot' },
					{ Wxid: 'wxid_seco****', NickName: 'Simulated Bot 2' },
				],
			},
		});
	});

	test('an account marked offline is absent from the list; the list can be empty', async () => {
		simulator.account.set({ wxid: 'wxid_bot1', online: false, nickName: 'Bot' });
		const users = JSON.parse((await getText('/v2/wechatinfo')).text).ResponseData.WeChatUsers;
		expect(users).toEqual([{ Wxid: 'wxid_seco****', NickName: 'Simulated Bot 2' }]);
		simulator.account.set({ wxid: 'wxid_second22', online: false });
		expect(JSON.parse((await getText('/v2/wechatinfo')).text).ResponseData.WeChatUsers).toEqual([]);
		simulator.account.set({ wxid: 'wxid_bot1', online: true });
		expect(JSON.parse((await getText('/v2/wechatinfo')).text).ResponseData.WeChatUsers).toEqual([
			{ Wxid: 'wxid_****', NickName: 'Bot' },
		]);
	});

	test('a POST is refused, and faults apply as on any gateway call', async () => {
		expect((await call(simulator, 0, {}, { path: 'wechatinfo' })).status).toBe(405);
		simulator.addFault({ action: 'http', status: 502, route: 'wechatinfo', times: 1 });
		expect((await getText('/v2/wechatinfo')).status).toBe(502);
		expect((await getText('/v2/wechatinfo')).status).toBe(200);
	});
});

describe('/v2/login/push and /v2/login/getqrcode', () => {
	test('a login push answers the envelope and is recorded', async () => {
		const { text } = await getText('/v2/login/push?wxid=wxid_bot1');
		expect(JSON.parse(text)).toEqual({ CgiBaseResponse: { Ret: 0, ErrMsg: '' }, ResponseData: {} });
		expect(simulator.account.requests).toEqual([
			expect.objectContaining({ route: 'login/push', wxid: 'wxid_bot1' }),
		]);
		expect(JSON.parse((await getText('/v2/login/push')).text).CgiBaseResponse.Ret).toBe(-2);
	});

	test('the QR code page holds a data: PNG that is a real image; a noImage fault gives a page without one', async () => {
		const page = await getText('/v2/login/getqrcode?isIPad=2&wxid=wxid_bot1');
		expect(page.type).toMatch(/^text\/html/);
		const found = /<img src="data:(image\/png);base64,([A-Za-z0-9+/=]+)"/.exec(page.text);
		expect(found?.[1]).toBe('image/png');
		const png = Buffer.from(found![2], 'base64');
		expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
		const width = png.readUInt32BE(16);
		const idat = png.subarray(41, 41 + png.readUInt32BE(33));
		expect(png.subarray(37, 41).toString('latin1')).toBe('IDAT');
		expect(zlib.inflateSync(idat)).toHaveLength(png.readUInt32BE(20) * (1 + width * 3));
		expect(simulator.account.requests).toEqual([
			expect.objectContaining({
				route: 'login/getqrcode',
				query: { isIPad: '2', wxid: 'wxid_bot1' },
			}),
		]);

		simulator.addFault({ action: 'noImage', route: 'login/getqrcode', times: 1 });
		const without = await getText('/v2/login/getqrcode?isIPad=2&wxid=wxid_bot1');
		expect(without.status).toBe(200);
		expect(without.text).toMatch(/<html/);
		expect(without.text).not.toMatch(/data:image/);
	});
});
