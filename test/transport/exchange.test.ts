/**
 * The client reads each answer with its own handler on undici's dispatch API instead of undici's
 * `request()`: these pin what that handler must do as `request()` + `body.text()` did (the body's
 * byte order mark, answers in pieces, interim 1xx answers, a redirect's Location), and how the
 * client's deadline stops a request wherever undici is with it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Dispatcher } from 'undici';

import { GatewayClient, appMsgCall } from '../../nodes/WeChatGateway/transport/client';
import { Deadlines, Exchange } from '../../nodes/WeChatGateway/transport/exchange';
import { readSentMessage } from '../../nodes/WeChatGateway/transport/reply';
import { WriteTracking } from '../../nodes/WeChatGateway/transport/writeTracking';

const XML =
	'<appmsg appid="" sdkver="0"><title>t</title><type>5</type><url>https://example.com/</url></appmsg>';
const NEW_MSG_ID = '7234567890123505789';
/** A gateway's answer to cgi 222, with an id above 2^53 and a ClientMsgId that is not ASCII. */
const ANSWER = `{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{"NewMsgId":${NEW_MSG_ID},"ClientMsgId":"消息-1"}}`;

const servers: http.Server[] = [];
const clients: GatewayClient[] = [];
afterEach(async () => {
	await Promise.all(clients.splice(0).map((client) => client.close()));
	await Promise.all(
		servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
	);
});

/** A client of a gateway that answers every request with `answer`. */
async function clientOf(answer: (res: http.ServerResponse) => void) {
	const server = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => answer(res));
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const client = new GatewayClient(
		{
			baseUrl: `http://127.0.0.1:${port}`,
			wxid: 'wxid_s',
			timeoutSeconds: 1,
			allowUnauthorizedCerts: false,
		},
		{ graceMs: 300 },
	);
	clients.push(client);
	return client;
}

/** cgi 222 to a gateway that answers with `answer`. */
async function callOf(answer: (res: http.ServerResponse) => void) {
	return (await clientOf(answer)).callCgi(appMsgCall('wxid_to', XML));
}

describe('an answer is read as undici’s body.text() reads it', () => {
	test('a UTF-8 byte order mark is not part of the text', async () => {
		const page = '<html>QR</html>';
		const client = await clientOf((res) =>
			res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page)])),
		);
		const answer = await client.callPath({ method: 'GET', path: '/v2/login/getqrcode' });
		expect(answer.text).toBe(page);
	});

	test('an answer in pieces, one split inside a character, is read whole', async () => {
		const bytes = Buffer.from(ANSWER);
		const inside = bytes.indexOf(Buffer.from('消')) + 1;
		const reply = await callOf((res) => {
			res.write(bytes.subarray(0, 10));
			res.write(bytes.subarray(10, inside));
			setTimeout(() => res.end(bytes.subarray(inside)), 20);
		});
		expect(readSentMessage(reply)).toMatchObject({ NewMsgId: NEW_MSG_ID, ClientMsgId: '消息-1' });
	});

	test('an interim 1xx answer is passed over for the real one', async () => {
		const reply = await callOf((res) => {
			res.writeEarlyHints({ link: '</style.css>; rel=preload' });
			setTimeout(() => res.end(ANSWER), 20);
		});
		expect(readSentMessage(reply).NewMsgId).toBe(NEW_MSG_ID);
	});

	test('a redirect with two Location headers names the first', async () => {
		const call = callOf((res) => {
			res.writeHead(302, [
				['Location', 'https://first.example/v2/api'],
				['location', 'https://second.example/v2/api'],
			]);
			res.end();
		});
		await expect(call).rejects.toThrow('pointing to "https://first.example/v2/api"');
	});
});

/** Undici's side of one request, played by hand: when it starts writing, and what it answers. */
function dispatcherOf(play: (handler: Exchange) => void): Dispatcher {
	return { dispatch: (_options: unknown, handler: Exchange) => play(handler) } as never;
}
const target = { origin: 'http://gateway.test', path: '/v2/api' };

describe('the deadline stops a request wherever undici is with it', () => {
	test('waiting for a connection: stopped the moment undici would begin writing it', async () => {
		const aborts: Error[] = [];
		let startWriting = () => {};
		const exchange = new Exchange(new WriteTracking(), 0);
		const answer = exchange.run(
			dispatcherOf((handler) => {
				startWriting = () => handler.onConnect((reason) => aborts.push(reason));
			}),
			target,
			'POST',
			{},
			'{}',
		);
		exchange.expire();
		expect(aborts).toEqual([]);
		startWriting();
		expect(aborts.map((e) => e.message)).toEqual(['deadline']);
		expect(exchange).toMatchObject({ expired: true, connected: true, written: false });
		// Undici reports the abort back as the request's error.
		exchange.onError(aborts[0]);
		await expect(answer).rejects.toBe(aborts[0]);
	});

	test('being written or answered: undici is told to stop it', async () => {
		const aborts: Error[] = [];
		const exchange = new Exchange(new WriteTracking(), 0);
		const answer = exchange.run(
			dispatcherOf((handler) => {
				handler.onConnect((reason) => {
					aborts.push(reason);
					handler.onError(reason);
				});
				handler.onRequestSent();
				handler.onHeaders(200, []);
				handler.onData(Buffer.from('{"CgiBase'));
			}),
			target,
			'POST',
			{},
			'{}',
		);
		exchange.expire();
		await expect(answer).rejects.toThrow('deadline');
		expect(aborts).toHaveLength(1);
		expect(exchange).toMatchObject({ expired: true, connected: true, written: true });
	});

	test('answered although undici never said it began: the caller is not kept waiting', async () => {
		const exchange = new Exchange(new WriteTracking(), 0);
		const answer = exchange.run(
			dispatcherOf((handler) => handler.onHeaders(200, [])),
			target,
			'POST',
			{},
			'{}',
		);
		exchange.expire();
		await expect(answer).rejects.toThrow('deadline');
		// What undici says afterwards changes nothing.
		exchange.onComplete();
		await expect(answer).rejects.toThrow('deadline');
	});

	test('one timer expires what is past its deadline, and only that', () => {
		jest.useFakeTimers();
		try {
			const deadlines = new Deadlines(1000);
			const tracking = new WriteTracking();
			const ended = deadlines.start(tracking);
			const early = deadlines.start(tracking);
			deadlines.end(ended);
			jest.advanceTimersByTime(500);
			const late = deadlines.start(tracking);
			jest.advanceTimersByTime(499);
			expect([ended.expired, early.expired, late.expired]).toEqual([false, false, false]);
			jest.advanceTimersByTime(2);
			expect([ended.expired, early.expired, late.expired]).toEqual([false, true, false]);
			// The one timer was armed again, for the later request's own deadline.
			expect(jest.getTimerCount()).toBe(1);
			jest.advanceTimersByTime(500);
			expect(late.expired).toBe(true);
			// Nothing in flight: nothing left armed.
			expect(jest.getTimerCount()).toBe(0);
			deadlines.start(tracking);
			deadlines.close();
			expect(jest.getTimerCount()).toBe(0);
		} finally {
			jest.useRealTimers();
		}
	});
});
