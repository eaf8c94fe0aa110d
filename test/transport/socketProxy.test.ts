/**
 * The trigger's WebSocket takes the proxy n8n's environment names, by the same rules and the same
 * function as the HTTP calls: HTTP_PROXY for ws://, HTTPS_PROXY (else HTTP_PROXY) for wss://,
 * NO_PROXY to go direct. Proven through a real local CONNECT proxy to the simulator's `/ws`.
 */
import { proxyFor } from '../../nodes/WeChatGateway/transport/proxy';
import { gatewaySocketSettingsFrom } from '../../nodes/WeChatGateway/transport/socketSettings';
import {
	openGatewaySocket,
	type GatewaySocket,
} from '../../nodes/WeChatGateway/transport/webSocket';
import { startSocketSimulator, type SocketSimulator } from '../support/gatewaySocket';
import { startProxy, type TestProxy } from '../support/proxy';
import { TEST_TLS } from '../support/simulators';

const ACCOUNT = 'wxid_socket_bot';
const PROXY_PASSWORD = 'pa55-socket-Secret';
const VARIABLES = [
	'HTTP_PROXY',
	'HTTPS_PROXY',
	'http_proxy',
	'https_proxy',
	'NO_PROXY',
	'no_proxy',
];

let plain: SocketSimulator;
let tls: SocketSimulator;
let open: TestProxy;
let guarded: TestProxy;
beforeAll(async () => {
	plain = await startSocketSimulator({});
	tls = await startSocketSimulator({ tls: TEST_TLS });
	open = await startProxy();
	guarded = await startProxy({ user: 'n8n', password: PROXY_PASSWORD });
});
afterAll(async () => {
	await Promise.all([plain.close(), tls.close(), open.close(), guarded.close()]);
});
const sockets: GatewaySocket[] = [];
afterEach(() => {
	for (const socket of sockets.splice(0)) socket.close();
	for (const name of VARIABLES) delete process.env[name];
});

const hostOf = (url: string) => new URL(url).host;

/** Opens the socket of `sim` and resolves with the first frame it receives. */
async function firstFrame(sim: SocketSimulator): Promise<string> {
	const settings = gatewaySocketSettingsFrom({
		baseUrl: sim.url,
		wxid: ACCOUNT,
		ignoreSslIssues: true,
	});
	const socket = openGatewaySocket(settings, () => {}, 5_000);
	sockets.push(socket);
	const opened = new Promise<void>((resolve) =>
		socket.socket.addEventListener('open', () => resolve()),
	);
	const frame = new Promise<string>((resolve, reject) => {
		socket.socket.addEventListener('message', (event) => resolve(String(event.data)));
		socket.socket.addEventListener('error', () => reject(new Error('the socket failed')));
		socket.socket.addEventListener('close', (event) =>
			reject(new Error(`the socket closed (${event.code}) before a frame came`)),
		);
	});
	// The gateway has its end once the client's is open; a socket of an earlier test may still be closing.
	await Promise.race([opened, frame]);
	sim.ws.push('{"hello":"through"}');
	return frame;
}

test('ws:// goes through HTTP_PROXY: the proxy tunnels to the gateway and frames come through', async () => {
	process.env.HTTP_PROXY = open.url;
	const before = open.tunnels.length;
	await expect(firstFrame(plain)).resolves.toBe('{"hello":"through"}');
	expect(open.tunnels.slice(before)).toEqual([hostOf(plain.url)]);
});

test('wss:// goes through HTTPS_PROXY, TLS to the gateway inside the tunnel ("Ignore SSL Issues" on)', async () => {
	process.env.HTTPS_PROXY = open.url;
	const before = open.tunnels.length;
	await expect(firstFrame(tls)).resolves.toBe('{"hello":"through"}');
	expect(open.tunnels.slice(before)).toEqual([hostOf(tls.url)]);
});

test('a proxy that asks for credentials gets those in its URL', async () => {
	process.env.HTTP_PROXY = guarded.url.replace(
		'http://',
		`http://n8n:${encodeURIComponent(PROXY_PASSWORD)}@`,
	);
	const refusedBefore = guarded.refused;
	const before = guarded.tunnels.length;
	await expect(firstFrame(plain)).resolves.toBe('{"hello":"through"}');
	expect(guarded.tunnels.slice(before)).toEqual([hostOf(plain.url)]);
	expect(guarded.refused).toBe(refusedBefore);
});

test('a gateway listed in NO_PROXY is reached directly', async () => {
	process.env.HTTP_PROXY = open.url;
	process.env.NO_PROXY = `example.com, ${new URL(plain.url).hostname}`;
	const before = open.tunnels.length;
	await expect(firstFrame(plain)).resolves.toBe('{"hello":"through"}');
	expect(open.tunnels.length).toBe(before);
});

describe('proxyFor: one choice for HTTP calls and the socket', () => {
	test.each([
		{ env: {}, url: 'http://gw.example', proxy: undefined },
		{ env: { HTTP_PROXY: 'http://p:1' }, url: 'http://gw.example', proxy: 'HTTP_PROXY' },
		{ env: { HTTP_PROXY: 'http://p:1' }, url: 'ws://gw.example/ws', proxy: 'HTTP_PROXY' },
		{ env: { HTTP_PROXY: 'http://p:1' }, url: 'https://gw.example', proxy: 'HTTP_PROXY' },
		{
			env: { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://s:2' },
			url: 'wss://gw.example',
			proxy: 'HTTPS_PROXY',
		},
		{ env: { HTTPS_PROXY: 'http://s:2' }, url: 'ws://gw.example', proxy: undefined },
		{
			env: { http_proxy: 'http://a:1', HTTP_PROXY: 'http://b:1' },
			url: 'http://gw.example',
			proxy: 'http_proxy',
		},
		// Set but empty, the lower-case name still wins: no proxy, as undici reads it.
		{
			env: { http_proxy: '', HTTP_PROXY: 'http://b:1' },
			url: 'http://gw.example',
			proxy: undefined,
		},
		{
			env: { HTTP_PROXY: 'http://p:1', NO_PROXY: '*' },
			url: 'http://gw.example',
			proxy: undefined,
		},
		{
			env: { HTTP_PROXY: 'http://p:1', NO_PROXY: '.example' },
			url: 'ws://gw.example',
			proxy: undefined,
		},
		{
			env: { HTTP_PROXY: 'http://p:1', NO_PROXY: 'gw.example:8080' },
			url: 'http://gw.example:8080',
			proxy: undefined,
		},
		{
			env: { HTTP_PROXY: 'http://p:1', NO_PROXY: 'gw.example:8080' },
			url: 'http://gw.example',
			proxy: 'HTTP_PROXY',
		},
		{
			env: { HTTP_PROXY: 'http://p:1', NO_PROXY: 'other.example' },
			url: 'http://gw.example',
			proxy: 'HTTP_PROXY',
		},
		{
			env: { HTTP_PROXY: 'http://p:1', no_proxy: '[::1]' },
			url: 'ws://[::1]:80/ws',
			proxy: undefined,
		},
	])('$url with $env → $proxy', ({ env, url, proxy }) => {
		Object.assign(process.env, env);
		expect(proxyFor(url)?.variable).toBe(proxy);
	});

	test('names the proxy without its password, and keeps the password for redaction', () => {
		process.env.HTTPS_PROXY = 'http://user:p%40ss@proxy.example:3128';
		const chosen = proxyFor('wss://gw.example/ws');
		expect(chosen).toMatchObject({
			variable: 'HTTPS_PROXY',
			host: 'proxy.example:3128',
			hostname: 'proxy.example',
			port: 3128,
			password: 'p@ss',
		});
	});
});
