/**
 * A trigger that cannot reach its gateway says so: "Listen for test event" fails at once with the
 * reason, and an active workflow reports the outage through n8n's emitError after a few failures
 * in a row, once, while the trigger keeps reconnecting.
 */
import http from 'node:http';

import type { IDataObject, INode, ITriggerFunctions, Workflow } from 'n8n-workflow';
import { TriggersAndPollers } from 'n8n-core';

import { WeChatGatewayTrigger } from '../../nodes/WeChatGateway/WeChatGatewayTrigger.node';
import { startTrigger } from '../../nodes/WeChatGateway/trigger/activate';
import { startSocketSimulator, waitUntil, type SocketSimulator } from '../support/gatewaySocket';
import { TEST_TLS, closedPort } from '../support/simulators';
import { triggerContext } from './triggerContext';

const ACCOUNT = 'wxid_outage_bot';
const FAST = {
	initialDelayMs: 100,
	maxDelayMs: 400,
	connectTimeoutMs: 3_000,
	reportAfterFailures: 3,
};
jest.setTimeout(30_000);

let sim: SocketSimulator;
beforeAll(async () => {
	sim = await startSocketSimulator({ accounts: [ACCOUNT] });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
});

async function listen(credentials: IDataObject, mode = 'manual') {
	const context = triggerContext({ wxid: ACCOUNT, ...credentials }, mode);
	const response = await startTrigger(context.fns, { timings: FAST });
	closers.push(async () => await response.closeFunction?.());
	return context;
}

/** What "Listen for test event" shows when it fails. */
async function manualError(credentials: IDataObject): Promise<string> {
	const failed = await listen(credentials).then(
		() => 'it listened',
		(error: Error) => error.message,
	);
	return failed;
}

async function withServer(handler: http.RequestListener, use: (url: string) => Promise<void>) {
	const server = http.createServer(handler);
	server.on('upgrade', (_req, socket) =>
		socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'),
	);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		await use(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
	} finally {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
}

describe('"Listen for test event" fails at once, saying why', () => {
	test('nothing listens at the WebSocket URL', async () => {
		const port = await closedPort();
		expect(await manualError({ baseUrl: sim.url, webSocketUrl: `ws://127.0.0.1:${port}/ws` })).toBe(
			`WeChat Gateway Trigger: could not connect to ws://127.0.0.1:${port}/ws: the connection to ws://127.0.0.1:${port}/ws was refused: nothing listens there`,
		);
	});

	test('the gateway answers the upgrade with 401: the secret is wrong, and never shown', async () => {
		const guarded = await startSocketSimulator({
			accounts: [ACCOUNT],
			authHeader: { name: 'X-Api-Key', value: 'right-s3cret' },
		});
		try {
			const message = await manualError({
				baseUrl: guarded.url,
				authentication: 'header',
				authHeaderName: 'X-Api-Key',
				authHeaderSecret: 'wrong-s3cret',
			});
			expect(message).toMatch(
				/refused the socket at ws:\/\/127\.0\.0\.1:\d+\/ws with HTTP 401: check the credential's authentication/,
			);
			expect(message).not.toMatch(/s3cret/);
		} finally {
			await guarded.close();
		}
	});

	test('the upgrade is answered with 403', async () => {
		await withServer(
			(_req, res) => res.end(),
			async (url) => {
				expect(await manualError({ baseUrl: url })).toMatch(/with HTTP 403: check the credential/);
			},
		);
	});

	test('the gateway refuses the upgrade (503)', async () => {
		sim.ws.refuse();
		expect(await manualError({ baseUrl: sim.url })).toMatch(
			/answered the socket's upgrade at ws:\/\/127\.0\.0\.1:\d+\/ws with HTTP 503/,
		);
	});

	test('a self-signed certificate without "Ignore SSL Issues"', async () => {
		const tls = await startSocketSimulator({ accounts: [ACCOUNT], tls: TEST_TLS });
		try {
			expect(await manualError({ baseUrl: tls.url.replace('127.0.0.1', 'localhost') })).toMatch(
				/the TLS handshake with wss:\/\/localhost:\d+\/ws failed \(.+\): for a self-signed certificate turn on "Ignore SSL Issues"/,
			);
		} finally {
			await tls.close();
		}
	});

	test('a gateway that accepts: it listens, and the message comes', async () => {
		const { emitted } = await listen({ baseUrl: sim.url });
		const { newMsgId } = sim.ws.inject({ account: ACCOUNT, sample: 'text' });
		await waitUntil('the message', () => emitted.some((item) => item.newMsgId === newMsgId));
	});

	test("through n8n-core's trigger runner in manual mode, the listen is rejected", async () => {
		const port = await closedPort();
		const context = triggerContext(
			{ baseUrl: sim.url, wxid: ACCOUNT, webSocketUrl: `ws://127.0.0.1:${port}/ws` },
			'manual',
		);
		const nodeType = new WeChatGatewayTrigger();
		const workflow = {
			nodeTypes: { getByNameAndVersion: () => nodeType },
			expression: { withIsolate: async (run: () => Promise<void>) => await run() },
		} as unknown as Workflow;
		const node = { name: 'WeChat Gateway Trigger', type: 'x', typeVersion: 1 } as INode;
		const run = new TriggersAndPollers().runTriggerFunction(
			workflow,
			node,
			() => context.fns as ITriggerFunctions,
			{} as never,
			'manual',
			'manual',
		);
		await expect(run).rejects.toThrow(/could not connect to .* was refused: nothing listens there/);
	});
});

describe('an active workflow reports an outage the n8n way, and keeps reconnecting', () => {
	test('a gateway that cannot be reached: one emitError after a few failures, attempts go on', async () => {
		const port = await closedPort();
		const { errors, logs } = await listen(
			{ baseUrl: sim.url, webSocketUrl: `ws://127.0.0.1:${port}/ws` },
			'trigger',
		);
		await waitUntil('the outage is reported', () => errors.length > 0);
		expect(errors[0].message).toMatch(
			/could not connect to .* was refused: nothing listens there \(3 attempts in a row failed; it keeps retrying\)/,
		);
		const attempts = () => logs.filter((line) => /reconnecting in/.test(line)).length;
		const reportedAt = attempts();
		await waitUntil('more attempts after the report', () => attempts() >= reportedAt + 3);
		expect(errors).toHaveLength(1);
	});

	test('an outage after a healthy connection is reported too, with its reason', async () => {
		const { errors } = await listen({ baseUrl: sim.url }, 'trigger');
		await waitUntil('open', () => sim.ws.clients === 1);
		sim.ws.refuse();
		sim.ws.drop();
		await waitUntil('the outage is reported', () => errors.length > 0);
		expect(errors[0].message).toMatch(/with HTTP 503 .*\(3 attempts in a row failed/);
		sim.ws.accept();
		await waitUntil('connected again', () => sim.ws.clients === 1);
		expect(errors).toHaveLength(1);
	});
});
