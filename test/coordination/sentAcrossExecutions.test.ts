/**
 * The sent records (what an account sent across executions), in both stores: this process
 * (InProcessStore) and Redis (RedisStore, a real redis-server). Both must
 * answer alike: one claim wins when several race, an attempt takes back only its own entry,
 * and entries end in time and in number.
 */
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { RedisStore } from '../../nodes/WeChatGateway/coordination/redisStore';
import type { CoordinationStore, SentRecord } from '../../nodes/WeChatGateway/coordination/store';
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

const entry = (token: string, at = Date.now(), state: SentRecord['state'] = 'uncertain') => ({
	state,
	at,
	token,
	executionId: `exec-${token}`,
});

/** Two handles on one memory: two connections to one Redis, or one process's map. */
const memories: Array<[string, () => [CoordinationStore, CoordinationStore]]> = [
	[
		'in this process',
		() => {
			const one = new InProcessStore();
			return [one, one];
		},
	],
	[
		'in Redis, two connections',
		() => {
			const a = new RedisStore(redis.url);
			const b = new RedisStore(redis.url);
			redisStores.push(a, b);
			return [a, b];
		},
	],
];

describe.each(memories)('sent messages %s', (_name, open) => {
	test('of 20 claims of one message at once, exactly one wins; the others see its entry', async () => {
		const [a, b] = open();
		const key = `race-${Math.random()}`;
		const answers = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				(i % 2 ? a : b).claimSent([key, `${key}-own-${i}`], entry(`t${i}`), 60_000, 0),
			),
		);
		const winners = answers.filter((answer) => answer === undefined);
		expect(winners).toHaveLength(1);
		const winner = answers.indexOf(undefined);
		for (const answer of answers.filter(Boolean)) expect(answer?.token).toBe(`t${winner}`);
		expect((await a.recallSent(`${key}-own-${winner}`))?.token).toBe(`t${winner}`);
		// The losers wrote nothing.
		expect(await a.recallSent(`${key}-own-${(winner + 1) % 20}`)).toBeUndefined();
	});

	test('an entry older than the window does not stop a claim, and is replaced', async () => {
		const [a, b] = open();
		const key = `old-${Math.random()}`;
		await a.rememberSent([key], entry('old', Date.now() - 10 * 60_000, 'sent'), 60_000);
		expect(await b.claimSent([key], entry('new'), 60_000, Date.now() - 5 * 60_000)).toBeUndefined();
		expect((await a.recallSent(key))?.token).toBe('new');
		const earlier = await b.claimSent([key], entry('third'), 60_000, Date.now() - 5 * 60_000);
		expect(earlier?.token).toBe('new');
	});

	test('an attempt takes back only the entries it wrote', async () => {
		const [a, b] = open();
		const key = `release-${Math.random()}`;
		await a.rememberSent([key, `${key}-x`], entry('mine'), 60_000);
		await b.rememberSent([`${key}-x`], entry('theirs'), 60_000);
		await b.releaseSent([key, `${key}-x`], 'mine');
		expect(await a.recallSent(key)).toBeUndefined();
		expect((await a.recallSent(`${key}-x`))?.token).toBe('theirs');
	});

	test('an entry ends when its time is up', async () => {
		const [a, b] = open();
		const key = `ttl-${Math.random()}`;
		await a.rememberSent([key], entry('short', Date.now(), 'sent'), 150);
		expect((await b.recallSent(key))?.state).toBe('sent');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(await b.recallSent(key)).toBeUndefined();
	});

	test('a result keeps its exact 64-bit id', async () => {
		const [a, b] = open();
		const key = `result-${Math.random()}`;
		const result = { NewMsgId: '7234567890123457789', ClientMsgId: 'c-1', Ret: 0 };
		await a.rememberSent([key], { ...entry('r', Date.now(), 'sent'), result }, 60_000);
		expect((await b.recallSent(key))?.result).toEqual(result);
	});
});

test('this process keeps at most its bound of entries: when full, the oldest tenth goes', async () => {
	let now = 1_000_000;
	const memory = new InProcessStore({ maxSentRecords: 100, now: () => now });
	for (let i = 0; i < 250; i++) {
		now += 1;
		await memory.rememberSent([`k${i}`], entry(`t${i}`, now), 60_000);
		expect(memory.sent.size).toBeLessThanOrEqual(100);
	}
	// The 101st entry cut it to 90; every 11 more did again, the last time at k243.
	expect(memory.sent.size).toBe(96);
	expect(await memory.recallSent('k153')).toBeUndefined();
	expect((await memory.recallSent('k154'))?.token).toBe('t154');
	expect((await memory.recallSent('k249'))?.token).toBe('t249');
	now += 60_000;
	expect(await memory.recallSent('k249')).toBeUndefined();
	await memory.rememberSent(['late'], entry('late', now), 60_000);
	expect(memory.sent.size).toBe(1); // the expired ones went with the next write
});
