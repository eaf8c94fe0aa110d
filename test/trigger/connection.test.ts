import {
	GatewayConnection,
	DEFAULT_TIMINGS,
	reconnectDelayMs,
	type ConnectionTimings,
} from '../../nodes/WeChatGateway/trigger/connection';
import { triggerFiltersFrom } from '../../nodes/WeChatGateway/trigger/filters';
import { FrameReceiver, type TriggerItem } from '../../nodes/WeChatGateway/trigger/receiver';
import {
	gatewaySocketSettingsFrom,
	socketUrlForLog,
} from '../../nodes/WeChatGateway/transport/socketSettings';
import { startSocketSimulator, waitUntil, type SocketSimulator } from '../support/gatewaySocket';
import { TEST_TLS } from '../support/simulators';

const ACCOUNT = 'wxid_socket_bot';
const FAST: Partial<ConnectionTimings> = {
	initialDelayMs: 100,
	maxDelayMs: 800,
	pingIntervalMs: 100,
	silenceLimitMs: 400,
	connectTimeoutMs: 2_000,
	stableAfterMs: 300,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
	connection: GatewayConnection;
	items: TriggerItem[];
	logs: string[];
}

const running: GatewayConnection[] = [];
afterEach(() => {
	for (const connection of running.splice(0)) connection.close();
});

function listen(
	credentials: Record<string, unknown>,
	timings: Partial<ConnectionTimings> = FAST,
	random?: () => number,
): Running {
	const receiver = new FrameReceiver(ACCOUNT, triggerFiltersFrom({}));
	const items: TriggerItem[] = [];
	const logs: string[] = [];
	const connection = new GatewayConnection({
		settings: gatewaySocketSettingsFrom({ wxid: ACCOUNT, ...credentials }),
		timings,
		random,
		log: (level, message) => logs.push(`${level} ${message}`),
		onFrame: (data) => {
			const reception = receiver.receive(data);
			if (reception.log) logs.push(`${reception.log.level} ${reception.log.message}`);
			if (reception.item) items.push(reception.item);
		},
	});
	running.push(connection);
	connection.start();
	return { connection, items, logs };
}

describe('the WebSocket URL', () => {
	it('defaults to the base URL with ws(s):// and /ws, path prefix kept', () => {
		const url = (baseUrl: string, webSocketUrl?: string) =>
			gatewaySocketSettingsFrom({ baseUrl, wxid: ACCOUNT, webSocketUrl }).webSocketUrl;
		expect(url('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/ws');
		expect(url('https://proxy.example.com/wechat/')).toBe('wss://proxy.example.com/wechat/ws');
		expect(url('http://127.0.0.1:8080', ' ws://10.0.0.2:8898/ws ')).toBe('ws://10.0.0.2:8898/ws');
		expect(url('http://127.0.0.1:8080', 'https://gw.example.com/ws')).toBe(
			'wss://gw.example.com/ws',
		);
	});

	it('a bad one is refused naming the field', () => {
		const settings = (webSocketUrl: string) => () =>
			gatewaySocketSettingsFrom({ baseUrl: 'http://127.0.0.1', wxid: ACCOUNT, webSocketUrl });
		expect(settings('ftp://x/ws')).toThrow(/"WebSocket URL" must start with ws:\/\/ or wss:\/\//);
		expect(settings('not a url')).toThrow(/"WebSocket URL" is not a URL/);
		expect(settings('ws://user:pw@x/ws')).toThrow(/"WebSocket URL" must not contain a user name/);
	});

	it('a token in the query never reaches a log line', () => {
		expect(socketUrlForLog('wss://gw.example.com/ws?token=s3cret')).toBe(
			'wss://gw.example.com/ws?…',
		);
	});
});

describe('back-off', () => {
	it('doubles from about 1 s to at most 30 s, with jitter, never below half a step', () => {
		const delays = (random: number) =>
			Array.from({ length: 10 }, (_, failures) =>
				reconnectDelayMs(failures, DEFAULT_TIMINGS, random),
			);
		expect(delays(0)).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000, 15000, 15000]);
		expect(delays(0.999999)).toEqual([
			1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000,
		]);
		expect(reconnectDelayMs(1000, DEFAULT_TIMINGS, 0.5)).toBe(22500);
	});
});

describe('one socket, kept alive', () => {
	let sim: SocketSimulator;
	beforeAll(async () => {
		sim = await startSocketSimulator({ accounts: [ACCOUNT] });
	});
	afterAll(async () => sim.close());
	beforeEach(() => sim.reset());

	it('receives the frames pushed to it', async () => {
		const { items } = listen({ baseUrl: sim.url });
		await waitUntil('the socket opens', () => sim.ws.clients === 1);
		const sent = sim.ws.inject({ sample: 'miniProgram' });
		await waitUntil('the item', () => items.length === 1);
		expect(items[0]).toMatchObject({ newMsgId: sent.newMsgId, kind: 'miniProgram' });
	});

	it('reconnects with growing delays while the gateway refuses, then connects', async () => {
		sim.ws.refuse();
		const started = Date.now();
		const { connection, items } = listen({ baseUrl: sim.url }, FAST, () => 0.5);
		await sleep(3_000);
		const attempts = sim.ws.stats().attempts.map((a) => a.at);
		const gaps = attempts.slice(1).map((at, i) => at - attempts[i]);
		// 75, 150, 300, 600, 600… ms: a handful in 3 s, not a tight loop
		expect(attempts.length).toBeGreaterThanOrEqual(5);
		expect(attempts.length).toBeLessThanOrEqual(9);
		const timings = { ...DEFAULT_TIMINGS, ...FAST };
		gaps.forEach((gap, failures) => {
			const delay = reconnectDelayMs(failures, timings, 0.5);
			// a timer never fires early; the refused handshake adds a little on a busy machine
			expect([failures, gap >= delay - 5]).toEqual([failures, true]);
			expect([failures, gap < delay + 250]).toEqual([failures, true]);
		});
		expect(connection.attempts[0] - started).toBeLessThan(100);
		sim.ws.accept();
		await waitUntil('the socket opens', () => sim.ws.clients === 1, 3_000);
		sim.ws.inject({ sample: 'text' });
		await waitUntil('the item', () => items.length === 1);
	});

	it('a port where nothing listens: attempts spaced out, not a tight loop', async () => {
		const closed = await startSocketSimulator();
		const url = closed.url;
		await closed.close();
		const { connection, logs } = listen({ baseUrl: url }, FAST, () => 0);
		await sleep(2_000);
		// 50, 100, 200, 400, 400, 400… ms with no jitter
		expect(connection.attempts.length).toBeGreaterThanOrEqual(5);
		expect(connection.attempts.length).toBeLessThanOrEqual(9);
		expect(
			logs.some((l) =>
				/could not connect to ws:\/\/127\.0\.0\.1:\d+\/ws.*; reconnecting in/.test(l),
			),
		).toBe(true);
	});

	it('a dropped socket is reconnected, and a message resent after it is emitted once', async () => {
		const { connection, items, logs } = listen({ baseUrl: sim.url });
		await waitUntil('open', () => sim.ws.clients === 1);
		const first = sim.ws.inject({ sample: 'text' });
		await waitUntil('first item', () => items.length === 1);
		const droppedAt = Date.now();
		sim.ws.drop();
		await waitUntil('reconnected', () => sim.ws.stats().opened === 2, 3_000);
		const reconnectMs = Date.now() - droppedAt;
		expect(reconnectMs).toBeLessThan(1_000);
		// The gateway resends what it sent before the drop, then something new.
		sim.ws.inject({ sample: 'text', newMsgId: first.newMsgId });
		sim.ws.inject({ sample: 'text', newMsgId: first.newMsgId, withExt: false });
		const second = sim.ws.inject({ sample: 'groupText' });
		await waitUntil('second item', () => items.length >= 2);
		await sleep(100);
		expect(items.map((i) => i.newMsgId)).toEqual([first.newMsgId, second.newMsgId]);
		expect(connection.opens).toBe(2);
		expect(logs.some((l) => /closed after \d+ s.*reconnecting in 0\.\d s/.test(l))).toBe(true);
	});

	it('a quiet socket that answers pings is kept: the pongs count as signs of life', async () => {
		const { connection } = listen({ baseUrl: sim.url });
		await waitUntil('open', () => sim.ws.clients === 1);
		// no frame for more than three silence limits
		await sleep(FAST.silenceLimitMs! * 3 + 200);
		expect(sim.ws.stats().pings).toBeGreaterThanOrEqual(8);
		expect(sim.ws.stats().opened).toBe(1);
		expect(connection.opens).toBe(1);
	});

	it('a socket that stays open but goes silent (no frames, no pongs) is replaced', async () => {
		const { items, logs } = listen({ baseUrl: sim.url });
		await waitUntil('open', () => sim.ws.clients === 1);
		await sleep(350);
		expect(sim.ws.stats().pings).toBeGreaterThanOrEqual(2); // pings answered: still alive
		expect(sim.ws.stats().opened).toBe(1);
		const stalledAt = Date.now();
		expect(sim.ws.stall()).toBe(1);
		await waitUntil('a new socket', () => sim.ws.stats().opened === 2, 3_000);
		const replacedMs = Date.now() - stalledAt;
		expect(replacedMs).toBeGreaterThanOrEqual(FAST.silenceLimitMs!);
		expect(replacedMs).toBeLessThan(FAST.silenceLimitMs! + 1_000);
		expect(logs.some((l) => /open but dead; replacing it/.test(l))).toBe(true);
		sim.ws.inject({ sample: 'link' });
		await waitUntil('an item through the new socket', () => items.length === 1);
	});

	it('a socket that was healthy before it fell silent starts the back-off over, as a closed one does', async () => {
		const { logs } = listen({ baseUrl: sim.url });
		for (let round = 1; round <= 3; round++) {
			await waitUntil(`socket ${round} open`, () => sim.ws.clients === 1, 3_000);
			// Open well past stableAfterMs before it goes silent.
			await sleep(FAST.stableAfterMs! + 100);
			sim.ws.stall();
			await waitUntil(`socket ${round} replaced`, () => sim.ws.stats().opened === round + 1, 3_000);
		}
		const replaced = logs.filter((l) => /open but dead; replacing it/.test(l));
		expect(replaced).toHaveLength(3);
		for (const line of replaced) expect(line).toMatch(/\(1 failed in a row\)$/);
	});

	it('close() ends the socket and every timer, also while waiting to reconnect', async () => {
		const timers = trackConnectionTimers();
		try {
			const before = openSockets();
			const { connection } = listen({ baseUrl: sim.url });
			await waitUntil('open at both ends', () => sim.ws.clients === 1 && connection.isOpen);
			expect(timers.running()).toBe(1); // the liveness check
			const opened = sim.ws.stats().opened;
			connection.close();
			expect(timers.running()).toBe(0);
			await waitUntil('the gateway sees it close', () => sim.ws.clients === 0, 3_000);
			await expectSocketsBackTo(before);
			expect(sim.ws.stats().opened).toBe(opened);

			sim.ws.refuse();
			const waiting = listen({ baseUrl: sim.url });
			await waitUntil('a refused attempt', () => sim.ws.stats().refused >= 1);
			await waitUntil('the reconnect timer', () => timers.running() > 0);
			waiting.connection.close();
			expect(timers.running()).toBe(0);
			const refused = sim.ws.stats().refused;
			await sleep(1_000);
			expect(sim.ws.stats().refused).toBe(refused);
			await expectSocketsBackTo(before);
		} finally {
			timers.restore();
		}
	});

	it('a stalled socket is closed too: its connection is destroyed, not left half open', async () => {
		const timers = trackConnectionTimers();
		try {
			const before = openSockets();
			const { connection } = listen({ baseUrl: sim.url }, { ...FAST, silenceLimitMs: 60_000 });
			await waitUntil('open at both ends', () => sim.ws.clients === 1 && connection.isOpen);
			sim.ws.stall();
			connection.close();
			expect(timers.running()).toBe(0);
			await waitUntil('the gateway sees it close', () => sim.ws.clients === 0, 3_000);
			await expectSocketsBackTo(before);
		} finally {
			timers.restore();
		}
	});
});

describe('credentials on the socket', () => {
	const AUTH = { name: 'X-Api-Key', value: 'ws-s3cret-Value' };

	it('the header authentication is sent with the upgrade', async () => {
		const sim = await startSocketSimulator({ accounts: [ACCOUNT], authHeader: AUTH });
		try {
			const wrong = listen({
				baseUrl: sim.url,
				authentication: 'header',
				authHeaderName: AUTH.name,
				authHeaderSecret: 'wrong',
			});
			await waitUntil('refused', () => sim.ws.stats().refused >= 1);
			wrong.connection.close();
			expect(wrong.logs.join('\n')).not.toContain('wrong');
			const right = listen({
				baseUrl: sim.url,
				authentication: 'header',
				authHeaderName: AUTH.name,
				authHeaderSecret: AUTH.value,
			});
			await waitUntil('open', () => sim.ws.clients === 1);
			sim.ws.inject({ sample: 'text' });
			await waitUntil('item', () => right.items.length === 1);
			expect(right.logs.join('\n')).not.toContain(AUTH.value);
		} finally {
			await sim.close();
		}
	});

	it('wss with a self-signed certificate: refused unless Ignore SSL Issues is on', async () => {
		const sim = await startSocketSimulator({
			accounts: [ACCOUNT],
			tls: TEST_TLS,
		});
		try {
			const strict = listen({ baseUrl: sim.url.replace('127.0.0.1', 'localhost') });
			await waitUntil('a failed attempt', () =>
				strict.logs.some((l) => /could not connect to wss:/.test(l)),
			);
			expect(sim.ws.stats().opened).toBe(0);
			strict.connection.close();
			const lenient = listen({ baseUrl: sim.url, ignoreSslIssues: true });
			await waitUntil('open', () => sim.ws.clients === 1);
			sim.ws.inject({ sample: 'text' });
			await waitUntil('item', () => lenient.items.length === 1);
		} finally {
			await sim.close();
		}
	});
});

/**
 * The timers connection.ts has running: set and neither fired (a timeout) nor cleared. Counted
 * at their source, because the process's own count moves with undici's, the simulator's and
 * jest's timers.
 */
function trackConnectionTimers() {
	const live = new Set<unknown>();
	const fromConnection = () => /trigger[\\/]connection\.ts/.test(new Error().stack ?? '');
	const real = {
		setTimeout: global.setTimeout,
		setInterval: global.setInterval,
		clearTimeout: global.clearTimeout,
		clearInterval: global.clearInterval,
	};
	type Callback = (...args: unknown[]) => void;
	const spies = [
		jest.spyOn(global, 'setTimeout').mockImplementation(((fn: Callback, ms?: number) => {
			if (!fromConnection()) return real.setTimeout(fn, ms);
			const handle = real.setTimeout(() => {
				live.delete(handle);
				fn();
			}, ms);
			live.add(handle);
			return handle;
		}) as unknown as typeof setTimeout),
		jest.spyOn(global, 'setInterval').mockImplementation(((fn: Callback, ms?: number) => {
			const handle = real.setInterval(fn, ms);
			if (fromConnection()) live.add(handle);
			return handle;
		}) as unknown as typeof setInterval),
		jest.spyOn(global, 'clearTimeout').mockImplementation((handle) => {
			live.delete(handle);
			real.clearTimeout(handle);
		}),
		jest.spyOn(global, 'clearInterval').mockImplementation((handle) => {
			live.delete(handle);
			real.clearInterval(handle);
		}),
	];
	return {
		running: () => live.size,
		restore: () => spies.forEach((spy) => spy.mockRestore()),
	};
}

/** TCP and TLS sockets this process holds, the simulator's included. */
function openSockets() {
	return process
		.getActiveResourcesInfo()
		.filter((kind) => kind === 'TCPSocketWrap' || kind === 'TLSWrap').length;
}

/**
 * The count comes back to `before` within 1.5 s: both ends' close handshakes finish on their own
 * schedule, later on a loaded machine.
 */
async function expectSocketsBackTo(before: number) {
	const until = Date.now() + 1_500;
	while (openSockets() > before && Date.now() < until) await sleep(50);
	expect(openSockets()).toBeLessThanOrEqual(before);
}
