/**
 * The client's one method for any gateway path: the cgi endpoint is one use of it; the CDN
 * upload and download paths take the same MagicCgi query and a `{CgiCmd: 0, CgiRequest}` body;
 * the account list, the login push and the login QR code are GETs, the last answering HTML, which
 * comes back as text. Every path gets the same header, errors, redaction, proxy and exact ids.
 * The simulator answers `/v2/api`; the other paths are served by a small local server here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { GatewayClient, appMsgCall } from '../../nodes/WeChatGateway/transport/client';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import { startProxy, type TestProxy } from '../support/proxy';
import { startSimulator, type Simulator } from '../support/simulators';

const SECRET = 'sk-paths-9f8E7d6C';
const BIG_ID = '9223372036854775001'; // far above 2^53: only exact parsing keeps it

interface Seen {
	method: string;
	url: string;
	key: string | undefined;
	body: string;
}

/** What the local gateway answers on a path, and what it saw. */
const answers: Record<string, { status?: number; type?: string; body: string }> = {
	'/prefix/v2/cdnupload': {
		body: `{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":"<appmsg appid=\\"\\" sdkver=\\"0\\"><type>6</type></appmsg>"}`,
	},
	'/prefix/v2/cdndownload': { body: `{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{}}` },
	'/prefix/v2/wechatinfo': {
		body: `{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{"WeChatUsers":[{"Wxid":"wxid_ab****","NickName":"Bot","Uin":${BIG_ID}}]}}`,
	},
	'/prefix/v2/login/push': { body: `{"CgiBaseResponse":{"Ret":0,"ErrMsg":"pushed to ${SECRET}"}}` },
	'/prefix/v2/login/getqrcode': {
		type: 'text/html',
		body: `<html><body><img src="data:image/png;base64,iVBORw0KGgo="><!-- ${SECRET} --></body></html>`,
	},
	'/prefix/v2/refused': { status: 401, body: `{"error":"bad key ${SECRET}"}` },
	'/prefix/v2/broken': { status: 502, type: 'text/html', body: '<h1>Bad Gateway</h1>' },
};

let seen: Seen[] = [];
let local: http.Server;
let localUrl: string;
let sim: Simulator;
let proxy: TestProxy;
const clients: GatewayClient[] = [];

beforeAll(async () => {
	local = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			const key = req.headers['x-gateway-key'];
			seen.push({ method: req.method ?? '', url: req.url ?? '', key: key as string, body });
			const answer = answers[new URL(req.url ?? '/', 'http://local').pathname];
			if (!answer) {
				res.writeHead(404).end();
				return;
			}
			res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json' });
			res.end(answer.body);
		});
	});
	await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
	localUrl = `http://127.0.0.1:${(local.address() as AddressInfo).port}/prefix`;
	sim = await startSimulator({ firstMsgId: BIG_ID });
	proxy = await startProxy();
});
afterAll(async () => {
	await Promise.all([sim.close(), proxy.close()]);
	await new Promise<void>((resolve) => local.close(() => resolve()));
});
beforeEach(() => {
	seen = [];
});
afterEach(async () => {
	delete process.env.HTTP_PROXY;
	await Promise.all(clients.splice(0).map((client) => client.close()));
});

function clientOf(baseUrl: string): GatewayClient {
	const client = new GatewayClient(
		{
			baseUrl,
			wxid: 'wxid_paths',
			timeoutSeconds: 7,
			allowUnauthorizedCerts: false,
			authHeader: { name: 'X-Gateway-Key', value: SECRET },
		},
		{ graceMs: 300 },
	);
	clients.push(client);
	return client;
}

test('the cgi endpoint is one path: POST /v2/api with the MagicCgi query, ids read exactly', async () => {
	const answer = await clientOf(sim.url).callPath({
		method: 'POST',
		path: '/v2/api',
		cgiQuery: true,
		body: appMsgCall(
			'wxid_friend',
			'<appmsg><title>t</title><type>5</type><url>https://e.x/</url></appmsg>',
		),
	});
	expect(answer.statusCode).toBe(200);
	expect(answer.json).toMatchObject({
		CgiBaseResponse: { Ret: 0 },
		ResponseData: { NewMsgId: BIG_ID },
	});
	expect(sim.calls).toHaveLength(1);
	expect(sim.calls[0].query).toMatchObject({
		funcname: 'MagicCgi',
		timeout: '7',
		wxid: 'wxid_paths',
	});
});

test.each(['/v2/cdnupload', '/v2/cdndownload'])(
	'POST %s: the MagicCgi query, a {CgiCmd: 0, CgiRequest} body, the header',
	async (path) => {
		const CgiRequest = {
			ToUserName: 'wxid_friend',
			FileType: 5,
			FileName: 'a.pdf',
			FileUrl: 'https://e.x/a.pdf',
		};
		const answer = await clientOf(localUrl).callPath({
			method: 'POST',
			path,
			cgiQuery: true,
			body: { CgiCmd: 0, CgiRequest },
		});
		expect(seen).toHaveLength(1);
		const url = new URL(seen[0].url, 'http://local');
		expect(seen[0].method).toBe('POST');
		expect(url.pathname).toBe(`/prefix${path}`);
		expect(Object.fromEntries(url.searchParams)).toEqual({
			funcname: 'MagicCgi',
			timeout: '7',
			wxid: 'wxid_paths',
		});
		expect(JSON.parse(seen[0].body)).toEqual({ CgiCmd: 0, CgiRequest });
		expect(seen[0].key).toBe(SECRET);
		expect(answer.json).toMatchObject({ CgiBaseResponse: { Ret: 0 } });
	},
);

test('GET /v2/wechatinfo: no body, no MagicCgi query, 64-bit integers kept exact', async () => {
	const answer = await clientOf(localUrl).callPath({ method: 'GET', path: '/v2/wechatinfo' });
	expect(seen[0]).toMatchObject({
		method: 'GET',
		url: '/prefix/v2/wechatinfo',
		body: '',
		key: SECRET,
	});
	expect(answer.json).toEqual({
		CgiBaseResponse: { Ret: 0, ErrMsg: '' },
		ResponseData: { WeChatUsers: [{ Wxid: 'wxid_ab****', NickName: 'Bot', Uin: BIG_ID }] },
	});
});

test('GET /v2/login/push?wxid=…: its own query; the header secret echoed back is redacted', async () => {
	const answer = await clientOf(localUrl).callPath({
		method: 'GET',
		path: '/v2/login/push',
		query: { wxid: 'wxid_paths' },
	});
	expect(seen[0].url).toBe('/prefix/v2/login/push?wxid=wxid_paths');
	expect(JSON.stringify(answer)).not.toContain(SECRET);
	expect(answer.json).toMatchObject({ CgiBaseResponse: { Ret: 0 } });
});

test('GET /v2/login/getqrcode: an HTML answer comes back as text, redacted', async () => {
	const answer = await clientOf(localUrl).callPath({
		method: 'GET',
		path: '/v2/login/getqrcode',
		query: { isIPad: '2', wxid: 'wxid_paths' },
	});
	expect(seen[0].url).toBe('/prefix/v2/login/getqrcode?isIPad=2&wxid=wxid_paths');
	expect(answer.json).toBeUndefined();
	expect(answer.text).toContain('<img src="data:image/png;base64,iVBORw0KGgo=">');
	expect(answer.text).not.toContain(SECRET);
});

test('the errors of a cgi call: a refused credential is never quoted, a 502 page is an HTTP error', async () => {
	const client = clientOf(localUrl);
	const refused = await client
		.callPath({ method: 'GET', path: '/v2/refused' })
		.catch((e: unknown) => e);
	expect(refused).toBeInstanceOf(GatewayError);
	expect(refused).toMatchObject({
		reason: 'http',
		delivery: 'rejected',
		details: { httpStatus: 401 },
	});
	expect((refused as Error).message).not.toContain(SECRET);
	await expect(
		client.callPath({ method: 'POST', path: '/v2/broken', body: {} }),
	).rejects.toMatchObject({
		reason: 'http',
		delivery: 'unknown',
		details: { httpStatus: 502 },
	});
});

test('any path goes through the proxy n8n names', async () => {
	process.env.HTTP_PROXY = proxy.url;
	const before = proxy.tunnels.length;
	const answer = await clientOf(localUrl).callPath({ method: 'GET', path: '/v2/wechatinfo' });
	expect(answer.json).toMatchObject({ CgiBaseResponse: { Ret: 0 } });
	expect(proxy.tunnels.slice(before)).toEqual([new URL(localUrl).host]);
});

describe('call(): what an operation asks for, answered as a cgi reply', () => {
	test('a cdn call: POST with the MagicCgi query; a string ResponseData comes as ResponseText', async () => {
		const reply = await clientOf(localUrl).call({
			path: '/v2/cdnupload',
			CgiCmd: 0,
			CgiRequest: {
				ToUserName: 'wxid_friend',
				FileType: 5,
				FileName: 'a.pdf',
				FileUrl: 'https://e.x/a',
			},
		});
		const url = new URL(seen[0].url, 'http://local');
		expect(url.pathname).toBe('/prefix/v2/cdnupload');
		expect(url.searchParams.get('funcname')).toBe('MagicCgi');
		// The path is where the call goes, not part of what is sent.
		expect(Object.keys(JSON.parse(seen[0].body))).toEqual(['CgiCmd', 'CgiRequest']);
		expect(reply).toMatchObject({ Ret: 0, ResponseData: {} });
		expect(reply.ResponseText).toBe('<appmsg appid="" sdkver="0"><type>6</type></appmsg>');
	});

	test('a cdn call WeChat refuses names what was refused', async () => {
		answers['/prefix/v2/cdnupload'] = {
			body: '{"CgiBaseResponse":{"Ret":-1,"ErrMsg":"fetch failed"},"ResponseData":null}',
		};
		try {
			await expect(
				clientOf(localUrl).call({ path: '/v2/cdnupload', CgiCmd: 0, CgiRequest: {} }),
			).rejects.toMatchObject({
				message: 'WeChat refused the upload: Ret -1 (fetch failed)',
				delivery: 'rejected',
			});
		} finally {
			answers['/prefix/v2/cdnupload'] = {
				body: `{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":"<appmsg appid=\\"\\" sdkver=\\"0\\"><type>6</type></appmsg>"}`,
			};
		}
	});

	test("a read: GET, the account's wxid added when asked, JSON judged by its CgiBaseResponse", async () => {
		const client = clientOf(localUrl);
		const info = await client.call({ method: 'GET', path: '/v2/wechatinfo' });
		expect(info.ResponseData).toEqual({
			WeChatUsers: [{ Wxid: 'wxid_ab****', NickName: 'Bot', Uin: BIG_ID }],
		});
		await client.call({ method: 'GET', path: '/v2/login/push', forAccount: true });
		expect(seen.map((s) => [s.method, s.url])).toEqual([
			['GET', '/prefix/v2/wechatinfo'],
			['GET', '/prefix/v2/login/push?wxid=wxid_paths'],
		]);
	});

	test('a read whose page is not JSON comes as ResponseText, redacted', async () => {
		const reply = await clientOf(localUrl).call({
			method: 'GET',
			path: '/v2/login/getqrcode',
			query: { isIPad: '2' },
			forAccount: true,
		});
		expect(seen[0].url).toBe('/prefix/v2/login/getqrcode?isIPad=2&wxid=wxid_paths');
		expect(reply.ResponseText).toContain('data:image/png;base64,iVBORw0KGgo=');
		expect(reply.ResponseText).not.toContain(SECRET);
	});

	test('a cgi without a path still goes to /v2/api', async () => {
		const before = sim.calls.length;
		const reply = await clientOf(sim.url).call(
			appMsgCall(
				'wxid_friend',
				'<appmsg><title>t</title><type>5</type><url>https://e.x/</url></appmsg>',
			),
		);
		expect(reply.ResponseData.NewMsgId).toBeDefined();
		expect(sim.calls).toHaveLength(before + 1);
		expect(sim.calls[before].query).toMatchObject({ funcname: 'MagicCgi' });
	});
});
