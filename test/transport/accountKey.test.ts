/**
 * Pacing belongs to the account of one gateway, not to the spelling of its Base URL: three
 * workflows whose credentials say `localhost`, `127.0.0.1` and `[::ffff:127.0.0.1]` for the same
 * gateway share one budget (pacing by spelling would let them send at once), so their messages
 * arrive at least the interval apart.
 */
import { accountKeyOf } from '../../nodes/WeChatGateway/transport/settings';
import { recordCase } from '../support/accounting';
import { batch, sendBatch } from '../support/engine';
import { startFresh, startSimulator, type Simulator } from '../support/simulators';

const INTERVAL_MS = 1000;

let sim: Simulator;
let port: string;
beforeAll(async () => {
	// Dual-stack, so the IPv6 spellings reach the same gateway as the IPv4 ones.
	sim = await startSimulator({ host: '::' });
	port = /:(\d+)\/?$/.exec(sim.url)![1];
});
afterAll(async () => sim.close());
beforeEach(() => startFresh(sim));

test('spellings of one gateway get one key; other gateways and accounts their own', () => {
	const key = (url: string, wxid = 'wxid_a') => accountKeyOf(new URL(url), wxid);
	const same = [
		'http://localhost:8080',
		'http://127.0.0.1:8080/',
		'http://[::ffff:127.0.0.1]:8080',
		'http://LOCALHOST:8080//',
		'http://127.1:8080',
		'http://[::1]:8080',
	].map((url) => key(url));
	expect(new Set(same).size).toBe(1);
	expect(key('http://gw.example')).toBe(key('http://GW.example:80/'));
	expect(key('https://gw.example')).toBe(key('https://gw.example:443'));
	const different = [
		key('http://127.0.0.1:8081'),
		key('http://127.0.0.1:8080/other'),
		key('http://127.0.0.1:8080', 'wxid_b'),
		key('http://10.0.0.1:8080'),
	];
	expect(new Set([...same.slice(0, 1), ...different]).size).toBe(5);
});

test('three spellings of one gateway, sending at once, are spaced by the interval', async () => {
	const spellings = ['localhost', '127.0.0.1', '[::ffff:127.0.0.1]'];
	const runs = await Promise.all(
		spellings.map((host, i) =>
			sendBatch(
				batch(`ak${i}`, 1, () => [`wxid_to${i}`]),
				{
					baseUrl: `http://${host}:${port}`,
					options: { messageInterval: INTERVAL_MS },
					executionId: `account-key-${i}`,
				},
			),
		),
	);
	for (const run of runs) expect(run.error).toBeUndefined();
	const times = sim.calls.map((call) => call.receivedAt).sort((a, b) => a - b);
	expect(times).toHaveLength(3);
	const gaps = times.slice(1).map((t, i) => t - times[i]);
	const spaced = gaps.filter((gap) => gap >= INTERVAL_MS * 0.5).length;
	recordCase({
		group: 'Pacing',
		name: `one gateway under 3 Base URL spellings (localhost, 127.0.0.1, [::ffff:127.0.0.1]), ${INTERVAL_MS} ms`,
		cases: gaps.length,
		outcomes: {
			[`spaced ≥ ${INTERVAL_MS * 0.5} ms (${gaps.map((g) => g.toFixed(0)).join(', ')} ms)`]: spaced,
			'too close': gaps.length - spaced,
		},
		lost: 0,
		duplicated: 0,
		misreported: gaps.length - spaced,
	});
	expect(gaps.every((gap) => gap >= INTERVAL_MS * 0.5)).toBe(true);
});
