/**
 * Giving a turn back, in both stores (this process's and a real redis-server): when nobody
 * reserved after it, the account is left exactly as if the turn had never been taken, the
 * recipients-per-minute window included. A turn taken when the window was full evicts the
 * window's oldest recipient and enters its own; a late turn given back must put both back, or
 * the next reservation finds its recipient already "in the window" and goes without waiting
 * (a third distinct recipient within the minute).
 */
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { RedisStore } from '../../nodes/WeChatGateway/coordination/redisStore';
import type { CoordinationStore, PacingPolicy } from '../../nodes/WeChatGateway/coordination/store';
import { recordCase } from '../support/accounting';
import { startRedis, type RedisServer } from '../support/redis';

jest.setTimeout(60_000);

let redis: RedisServer;
const redisStores: RedisStore[] = [];
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await Promise.all(redisStores.map((store) => store.close()));
	await redis.remove();
});

const INTERVAL = 100;
const policy: PacingPolicy = { intervalMs: INTERVAL, maxRecipientsPerMinute: 2, jitterRatio: 0 };

/** A store and the length of its recipients window. */
const stores: Array<[string, () => { store: CoordinationStore; windowMs: number }]> = [
	[
		'in this process',
		() => {
			// The clock stands still: every turn is computed from the same moment.
			const start = Date.now();
			return { store: new InProcessStore({ now: () => start }), windowMs: 60_000 };
		},
	],
	[
		'in Redis',
		() => {
			const store = new RedisStore(redis.url, { windowMs: 10_000 });
			redisStores.push(store);
			return { store, windowMs: 10_000 };
		},
	],
];

let accounts = 0;
const freshAccount = () => `give-back-${process.pid}-${Date.now()}-${++accounts}`;

describe.each(stores)('a turn given back %s', (storeName, open) => {
	test('when it evicted the oldest recipient of a full window, the window is full again', async () => {
		const { store, windowMs } = open();
		const account = freshAccount();
		const first = await store.reserveTurn(account, 'wxid_w1', policy);
		await store.reserveTurn(account, 'wxid_w2', policy);
		// a third recipient waits until the first leaves the window...
		const late = await store.reserveTurn(account, 'wxid_w3', policy);
		expect(late.turnAt - first.turnAt).toBe(windowMs);
		// ...and when that turn is given back (its process woke up late), the next try waits as long
		await late.giveBack();
		const again = await store.reserveTurn(account, 'wxid_w3', policy);
		expect(again.turnAt - first.turnAt).toBe(windowMs);
		recordCase({
			group: 'Pacing',
			name: `a late turn given back restores the recipients window (${storeName})`,
			cases: 1,
			outcomes: { [`3rd recipient waits the window again (${windowMs / 1000} s)`]: 1 },
			lost: 0,
			duplicated: 0,
			misreported: 0,
		});
	});

	test("when its recipient was already in the window, that recipient's earlier turn counts again", async () => {
		const { store, windowMs } = open();
		const account = freshAccount();
		const first = await store.reserveTurn(account, 'wxid_w1', policy);
		await store.reserveTurn(account, 'wxid_w2', policy);
		const repeat = await store.reserveTurn(account, 'wxid_w1', policy);
		await repeat.giveBack();
		// wxid_w1 is again the oldest of the window: a third recipient waits for its first turn to age
		const third = await store.reserveTurn(account, 'wxid_w3', policy);
		expect(third.turnAt - first.turnAt).toBe(windowMs);
	});

	test('when someone reserved after it, nothing is undone: the window stays as the later turn left it', async () => {
		const { store, windowMs } = open();
		const account = freshAccount();
		const first = await store.reserveTurn(account, 'wxid_w1', policy);
		await store.reserveTurn(account, 'wxid_w2', policy);
		const late = await store.reserveTurn(account, 'wxid_w3', policy);
		const behind = await store.reserveTurn(account, 'wxid_w3', policy);
		await late.giveBack();
		expect(behind.turnAt - first.turnAt).toBe(windowMs + INTERVAL);
		// the later turn still stands: the next one comes after it
		const next = await store.reserveTurn(account, 'wxid_w3', policy);
		expect(next.turnAt - behind.turnAt).toBe(INTERVAL);
	});
});
