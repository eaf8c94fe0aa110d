/**
 * A call with a long string (a picture's base64) goes out in pieces, read from the call a slice
 * at a time: the gateway still receives exactly the bytes of one exact JSON text, as one plain
 * body with its content-length, on every route; nothing makes that text whole; and write
 * tracking still tells a failure before the write from one after it.
 */
import { GatewayClient, type CgiCall } from '../../nodes/WeChatGateway/transport/client';
import {
	JSON_SLICE_CHARS,
	parseJsonExact,
	stringifyJsonExact,
} from '../../nodes/WeChatGateway/transport/exactJson';
import { startProxy } from '../support/proxy';
import { TEST_TLS, startSimulator, type Simulator } from '../support/simulators';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { noisePng } = require('../../scripts/bench/media') as { noisePng(mb: number): Buffer };

const ACCOUNT = 'wxid_large01';
const FRIEND = 'wxid_friend42';
const EMOJI = '\u{1F600}';

/** A PNG of noise, which zlib cannot shrink: 3 MB, so its base64 is 4 MB, 62 slices. */
const PICTURE = noisePng(3);
const pictureCall = (to = FRIEND): CgiCall => ({
	CgiCmd: 110,
	CgiRequest: { ToUserName: to, ImageBase64: PICTURE.toString('base64') },
});

/**
 * Text longer than a slice with something awkward at every slice edge: an emoji across the
 * first, escapes across the second, Chinese and a lone surrogate across the third.
 */
const AWKWARD = [
	'a'.repeat(JSON_SLICE_CHARS - 1),
	EMOJI,
	'b'.repeat(JSON_SLICE_CHARS - 3),
	'"\\\n\u0000\u2028',
	'c'.repeat(JSON_SLICE_CHARS - 4),
	'中文\uD800中文',
	'd'.repeat(100),
].join('');

let sims: Simulator[] = [];
let clients: GatewayClient[] = [];
afterEach(async () => {
	jest.restoreAllMocks();
	await Promise.all(clients.map((c) => c.close()));
	await Promise.all(sims.map((s) => s.close()));
	sims = [];
	clients = [];
});

async function simulator(options: Parameters<typeof startSimulator>[0] = {}) {
	const sim = await startSimulator({ accounts: [ACCOUNT], modelCommands: true, ...options });
	sims.push(sim);
	return sim;
}

function clientOf(sim: Simulator, allowUnauthorizedCerts = false) {
	const client = new GatewayClient(
		{ baseUrl: sim.url, wxid: ACCOUNT, timeoutSeconds: 10, allowUnauthorizedCerts },
		{ graceMs: 300 },
	);
	clients.push(client);
	return client;
}

/** What the gateway received: the body's exact text, and how its length was told. */
function received(sim: Simulator, index: number) {
	const { body, headers } = sim.calls[index];
	return {
		body,
		contentLength: headers['content-length'],
		chunked: headers['transfer-encoding'],
	};
}

/** The exact JSON text of `value`, as the gateway must receive it. */
function expected(value: unknown) {
	const text = stringifyJsonExact(value);
	return { body: text, contentLength: String(Buffer.byteLength(text)), chunked: undefined };
}

test('a 3 MB picture arrives as exactly the bytes of its exact JSON, with its content-length, not chunked', async () => {
	const sim = await simulator();
	const call = pictureCall();
	await clientOf(sim).callCgi(call);
	expect(received(sim, 0)).toEqual(expected(call));
	expect(sim.messages).toHaveLength(1);
	expect(sim.messages[0]).toMatchObject({ imageSource: 'base64', imageBytes: PICTURE.length });
});

test('escapes, surrogate pairs and Chinese across slice edges, and a 64-bit integer, arrive exact on every route', async () => {
	const sim = await simulator();
	const client = clientOf(sim);
	const request = parseJsonExact(
		`{"ToUserName":"${FRIEND}","MsgId":7400409546359626802,"Text":${JSON.stringify(AWKWARD)},"Id":"7400409546359626802"}`,
	) as Record<string, unknown>;
	const cgi = { CgiCmd: 9001, CgiRequest: request };
	await client.callCgi(cgi).catch(() => undefined);
	await client
		.call({ path: '/v2/cdnupload', CgiCmd: 0, CgiRequest: request })
		.catch(() => undefined);
	await client.callPath({ method: 'POST', path: '/v2/api', cgiQuery: true, body: cgi });
	expect(sim.calls).toHaveLength(3);
	expect(received(sim, 0)).toEqual(expected(cgi));
	expect(received(sim, 1)).toEqual(expected({ CgiCmd: 0, CgiRequest: request }));
	expect(received(sim, 2)).toEqual(expected(cgi));
	expect(sim.calls[0].body).toContain('"MsgId":7400409546359626802,');
	expect(sim.calls[0].body).toContain(`a${EMOJI}b`);
});

test('a short call is sent as it always was: one exact text with its content-length', async () => {
	const sim = await simulator();
	const call = {
		CgiCmd: 522,
		CgiRequest: { ToUserName: FRIEND, Content: `hi ${EMOJI} "you"`, MsgType: 1 },
	};
	await clientOf(sim).callCgi(call);
	expect(received(sim, 0)).toEqual(expected(call));
});

test('sending a picture never makes its whole JSON text as one string, nor one buffer', async () => {
	const sim = await simulator();
	const client = clientOf(sim);
	const stringify = jest.spyOn(JSON, 'stringify');
	const from = jest.spyOn(Buffer, 'from');
	await client.callCgi(pictureCall());
	const longest = Math.max(
		...stringify.mock.results.map((r) => (typeof r.value === 'string' ? r.value.length : 0)),
	);
	// Text made into bytes (a string body becomes one buffer of it); base64 decoding is the simulator's.
	const textBytes = (from.mock.calls as unknown[][])
		.filter(([data, encoding]) => typeof data === 'string' && (encoding ?? 'utf8') === 'utf8')
		.map(([data]) => (data as string).length);
	expect(sim.messages).toHaveLength(1);
	expect(longest).toBeLessThanOrEqual(JSON_SLICE_CHARS + 2);
	expect(Math.max(0, ...textBytes)).toBeLessThanOrEqual(JSON_SLICE_CHARS + 100);
});

test('through the proxy HTTP_PROXY names, a picture arrives exact as well', async () => {
	const sim = await simulator();
	const proxy = await startProxy();
	process.env.HTTP_PROXY = proxy.url;
	try {
		const call = pictureCall();
		await clientOf(sim).callCgi(call);
		expect(proxy.tunnels).toEqual([new URL(sim.url).host]);
		expect(received(sim, 0)).toEqual(expected(call));
	} finally {
		delete process.env.HTTP_PROXY;
		await proxy.close();
	}
});

describe('write tracking, with a body in pieces', () => {
	test('a TLS connection dropped on accept is "notSent": not a byte was written; sent again, it arrives whole', async () => {
		const sim = await simulator({ tls: TEST_TLS, keepAlive: false });
		sim.addFault({ action: 'dropConnection', nth: 1 });
		const client = clientOf(sim, true);
		const call = pictureCall();
		await expect(client.callCgi(call)).rejects.toMatchObject({ delivery: 'notSent' });
		expect(sim.calls).toHaveLength(0);
		await client.callCgi(call);
		expect(received(sim, 0)).toEqual(expected(call));
		expect(sim.messages).toHaveLength(1);
	});

	test('an answer lost after the whole picture was written is "unknown"', async () => {
		const sim = await simulator();
		sim.addFault({ action: 'drop', nth: 1 });
		const call = pictureCall();
		await expect(clientOf(sim).callCgi(call)).rejects.toMatchObject({ delivery: 'unknown' });
		expect(received(sim, 0)).toEqual(expected(call));
	});
});
