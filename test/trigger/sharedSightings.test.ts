/**
 * With a Coordination Redis URL on the credential, two activations of one trigger (two n8n
 * processes, e.g. a multi-main set-up) that both receive a message emit it once between them;
 * "Listen for test event" never takes a message from the active workflow; and a store that does
 * not answer loses nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { startTrigger } from '../../nodes/WeChatGateway/trigger/activate';
import { startSocketSimulator, waitUntil, type SocketSimulator } from '../support/gatewaySocket';
import { startRedis, type RedisServer } from '../support/redis';
import { closedPort } from '../support/simulators';
import { triggerContext } from './triggerContext';

const ACCOUNT = 'wxid_shared_bot';
const FAST = { initialDelayMs: 100, maxDelayMs: 800, connectTimeoutMs: 2_000 };
jest.setTimeout(60_000);

let sim: SocketSimulator;
let redis: RedisServer;
beforeAll(async () => {
	[sim, redis] = await Promise.all([startSocketSimulator({ accounts: [ACCOUNT] }), startRedis()]);
});
afterAll(async () => {
	freshProcessStores();
	await Promise.all([sim?.close(), redis?.remove()]);
});

interface Activation {
	emitted: IDataObject[];
	logs: string[];
	close(): Promise<void>;
}

async function activate(credentials: IDataObject, mode = 'trigger'): Promise<Activation> {
	const { fns, emitted, logs } = triggerContext(
		{ baseUrl: sim.url, wxid: ACCOUNT, ...credentials },
		mode,
		'workflow-shared',
	);
	const opened = sim.ws.stats().opened;
	const response = await startTrigger(fns, { timings: FAST });
	await waitUntil('the trigger has its socket', () => sim.ws.stats().opened > opened);
	return { emitted, logs, close: async () => await response.closeFunction?.() };
}

const newMsgIds = (activation: Activation) => activation.emitted.map((item) => item.newMsgId);

beforeEach(async () => {
	await waitUntil('no socket left from the test before', () => sim.ws.clients === 0);
});

test('two active copies sharing the store emit each message once between them', async () => {
	const credentials = { coordinationRedisUrl: redis.url };
	const first = await activate(credentials);
	const second = await activate(credentials);
	try {
		await waitUntil('both sockets open', () => sim.ws.clients >= 2);
		const ids = sim.ws.burst({ account: ACCOUNT, sample: 'text', count: 20 }).ids;
		await waitUntil('every message emitted', () =>
			ids.every((id) => newMsgIds(first).includes(id) || newMsgIds(second).includes(id)),
		);
		// Give a late duplicate time to show.
		await new Promise((resolve) => setTimeout(resolve, 300));
		const all = [...newMsgIds(first), ...newMsgIds(second)];
		expect(all.sort()).toEqual([...ids].sort());
	} finally {
		await Promise.all([first.close(), second.close()]);
	}
});

test('without the store each copy emits every message (the store is what prevents it)', async () => {
	const first = await activate({});
	const second = await activate({});
	try {
		await waitUntil('both sockets open', () => sim.ws.clients >= 2);
		const { ids } = sim.ws.burst({ account: ACCOUNT, sample: 'text', count: 5 });
		await waitUntil('each copy emitted all', () =>
			ids.every((id) => newMsgIds(first).includes(id) && newMsgIds(second).includes(id)),
		);
	} finally {
		await Promise.all([first.close(), second.close()]);
	}
});

test('"Listen for test event" does not take a message from the active workflow', async () => {
	const credentials = { coordinationRedisUrl: redis.url };
	const active = await activate(credentials);
	const listening = await activate(credentials, 'manual');
	try {
		await waitUntil('both sockets open', () => sim.ws.clients >= 2);
		const { newMsgId } = sim.ws.inject({ account: ACCOUNT, sample: 'text' });
		await waitUntil(
			'both emitted it',
			() => newMsgIds(active).includes(newMsgId) && newMsgIds(listening).includes(newMsgId),
		);
	} finally {
		await Promise.all([active.close(), listening.close()]);
	}
});

test('a store that does not answer loses no message, and says so in the log', async () => {
	const unreachable = `redis://127.0.0.1:${await closedPort()}/0`;
	const activation = await activate({ coordinationRedisUrl: unreachable });
	try {
		await waitUntil('socket open', () => sim.ws.clients >= 1);
		const { newMsgId } = sim.ws.inject({ account: ACCOUNT, sample: 'text' });
		await waitUntil('emitted', () => newMsgIds(activation).includes(newMsgId), 30_000);
		expect(activation.logs.join('\n')).toMatch(/coordination store did not answer/);
	} finally {
		await activation.close();
	}
});
