/** The credential's "Test" button: it passes for the gateway only, and never sends a message. */
import http from 'node:http';

import type { ICredentialTestFunctions } from 'n8n-workflow';

import { WeChatGateway } from '../../nodes/WeChatGateway/WeChatGateway.node';
import { startSocketSimulator, waitUntil, type SocketSimulator } from '../support/gatewaySocket';
import { startSimulator, type Simulator, closedPort } from '../support/simulators';

const SENDER = 'wxid_sender01';
let gateway: Simulator;
beforeAll(async () => {
	gateway = await startSimulator({ accounts: [SENDER] });
});
afterAll(async () => gateway.close());

async function testCredential(data: Record<string, unknown>) {
	const test = new WeChatGateway().methods.credentialTest.weChatGatewayConnectionTest;
	return test.call({} as ICredentialTestFunctions, {
		id: '1',
		name: 'gateway',
		type: 'weChatGatewayApi',
		data: data as never,
	});
}

async function withServer(handler: http.RequestListener, use: (url: string) => Promise<void>) {
	const server = http.createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		await use(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
	} finally {
		await new Promise((resolve) => server.close(resolve));
	}
}

test('passes for the gateway, and sends no message', async () => {
	gateway.reset();
	expect(await testCredential({ baseUrl: gateway.url, wxid: SENDER })).toEqual({
		status: 'OK',
		message: `Connected to the WeChat gateway as ${SENDER}`,
	});
	expect(gateway.messages).toHaveLength(0);
	expect(gateway.calls).toHaveLength(1);
	expect(JSON.parse(gateway.calls[0].body).CgiRequest.ToUserName).toBe('');
});

test('fails when the account is not logged in to that gateway', async () => {
	const result = await testCredential({ baseUrl: gateway.url, wxid: 'wxid_other' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/session has expired.*Ret -13/);
});

test('fails when a proxy in front of the gateway refuses the header secret, even with a gateway-like body', async () => {
	const guarded = await startSimulator({
		accounts: [SENDER],
		authHeader: { name: 'X-Api-Key', value: 'right-secret' },
	});
	try {
		const credential = {
			baseUrl: guarded.url,
			wxid: SENDER,
			authentication: 'header',
			authHeaderName: 'X-Api-Key',
		};
		const wrong = await testCredential({ ...credential, authHeaderSecret: 'wrong-secret' });
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/HTTP 401.*refused the credential/);
		expect(wrong.message).not.toContain('wrong-secret');
		expect(await testCredential({ ...credential, authHeaderSecret: 'right-secret' })).toMatchObject(
			{ status: 'OK' },
		);
	} finally {
		await guarded.close();
	}
});

test('fails clearly for a refused connection', async () => {
	const result = await testCredential({ baseUrl: 'http://127.0.0.1:1', wxid: SENDER });
	expect(result).toEqual({
		status: 'Error',
		message:
			"Connection refused by 127.0.0.1:1: is the gateway running and the Base URL's port right?",
	});
});

test('fails clearly for a wrong URL', async () => {
	expect((await testCredential({ baseUrl: 'not a url', wxid: SENDER })).message).toMatch(
		/"Gateway Base URL" is not a URL/,
	);
	expect((await testCredential({ baseUrl: '', wxid: SENDER })).message).toMatch(
		/"Gateway Base URL" is empty/,
	);
});

test('fails clearly for a server that is not the gateway', async () => {
	await withServer(
		(_req, res) =>
			res
				.writeHead(200, { 'content-type': 'text/html' })
				.end('<html><title>Router login</title></html>'),
		async (url) => {
			const result = await testCredential({ baseUrl: url, wxid: SENDER });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				/not JSON.*Router login.*Is the Base URL the WeChat gateway itself/,
			);
		},
	);
	await withServer(
		(_req, res) =>
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
		async (url) => {
			expect((await testCredential({ baseUrl: url, wxid: SENDER })).message).toMatch(
				/without "CgiBaseResponse"/,
			);
		},
	);
	await withServer(
		(_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found'),
		async (url) => {
			expect((await testCredential({ baseUrl: url, wxid: SENDER })).message).toMatch(
				/HTTP 404: "404 page not found"/,
			);
		},
	);
});

describe("the trigger's WebSocket", () => {
	let sim: SocketSimulator;
	beforeAll(async () => {
		sim = await startSocketSimulator({ accounts: [SENDER] });
	});
	afterAll(async () => sim.close());

	test('is opened and closed again, with nothing sent on it', async () => {
		sim.reset();
		expect(await testCredential({ baseUrl: sim.url, wxid: SENDER })).toMatchObject({
			status: 'OK',
		});
		expect(sim.ws.stats()).toMatchObject({ opened: 1, pushed: 0 });
		await waitUntil('the socket is closed', () => sim.ws.clients === 0);
		expect(sim.messages).toHaveLength(0);
	});

	test('fails, naming the field, when nothing listens at the WebSocket URL', async () => {
		const port = await closedPort();
		const result = await testCredential({
			baseUrl: sim.url,
			wxid: SENDER,
			webSocketUrl: `ws://127.0.0.1:${port}/ws`,
		});
		expect(result).toEqual({
			status: 'Error',
			message: `The gateway answers, but the trigger's "WebSocket URL" does not work: the connection to ws://127.0.0.1:${port}/ws was refused: nothing listens there`,
		});
	});

	test('fails when the gateway refuses the upgrade', async () => {
		sim.ws.refuse();
		try {
			const result = await testCredential({ baseUrl: sim.url, wxid: SENDER });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/"WebSocket URL" does not work: .*with HTTP 503/);
		} finally {
			sim.ws.accept();
		}
	});
});
