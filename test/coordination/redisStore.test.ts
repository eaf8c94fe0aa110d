import { spawn } from 'node:child_process';
import path from 'node:path';

import { describeRedisUrl } from '../../nodes/WeChatGateway/coordination/redisFormat';
import { RedisStore } from '../../nodes/WeChatGateway/coordination/redisStore';
import { CoordinationUnavailableError } from '../../nodes/WeChatGateway/coordination/store';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import { startRedis, type RedisServer } from '../support/redis';

interface UsedTurn {
	at: number;
	turnAt: number;
	recipient: string;
	pid: number;
}

jest.setTimeout(120_000);

let redis: RedisServer;
const stores: RedisStore[] = [];
const storeOn = (url: string, options?: ConstructorParameters<typeof RedisStore>[1]) => {
	const store = new RedisStore(url, options);
	stores.push(store);
	return store;
};

beforeAll(async () => {
	redis = await startRedis();
});

afterAll(async () => {
	await Promise.all(stores.map((store) => store.close()));
	await redis?.remove();
});

/** Several OS processes take turns of the same account at the same moment. */
async function competingProcesses(
	processes: number,
	turnsEach: number,
	account: string,
	intervalMs: number,
	limit: number,
	windowMs: number,
	recipients: string[],
): Promise<UsedTurn[]> {
	const script = path.join(__dirname, 'reserver.child.js');
	const children = Array.from({ length: processes }, () =>
		spawn(
			process.execPath,
			[
				script,
				redis.url,
				account,
				String(turnsEach),
				String(intervalMs),
				String(limit),
				String(windowMs),
				recipients.join(','),
			],
			{ stdio: ['pipe', 'pipe', 'pipe'] },
		),
	);
	const outputs = children.map(
		(child) =>
			new Promise<UsedTurn[]>((resolve, reject) => {
				let out = '';
				let err = '';
				child.stdout.on('data', (chunk) => (out += chunk));
				child.stderr.on('data', (chunk) => (err += chunk));
				child.on('close', (code) =>
					code === 0
						? resolve(JSON.parse(out))
						: reject(new Error(`reserver exit ${code}: ${err}`)),
				);
			}),
	);
	// every child loads and connects first; the go signal goes to all of them together
	await new Promise((resolve) => setTimeout(resolve, 1500));
	for (const child of children) child.stdin.end('go\n');
	return (await Promise.all(outputs)).flat().sort((a, b) => a.turnAt - b.turnAt);
}

describe('Redis pacing reservation', () => {
	test('many processes reserving one account at once never share or crowd a turn', async () => {
		const intervalMs = 25;
		const turns = await competingProcesses(6, 15, 'acct-interval', intervalMs, 0, 60_000, ['a']);
		expect(turns).toHaveLength(90);
		expect(new Set(turns.map((turn) => turn.pid)).size).toBe(6);
		// the turns themselves, on Redis's clock: exact, no tolerance
		for (let index = 1; index < turns.length; index++)
			expect(turns[index].turnAt - turns[index - 1].turnAt).toBeGreaterThanOrEqual(intervalMs);
		// jitter (0..30 % of the interval) is really added, so sends never tick like a machine
		const gaps = turns.slice(1).map((turn, index) => turn.turnAt - turns[index].turnAt);
		expect(Math.max(...gaps)).toBeGreaterThan(intervalMs);
		// and the processes really waited for them: nobody used a turn before it came
		for (const turn of turns) expect(turn.at).toBeGreaterThanOrEqual(turn.turnAt - 2);
	});

	test('the distinct-recipients window holds across processes', async () => {
		const windowMs = 600;
		const limit = 3;
		const recipients = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];
		const turns = await competingProcesses(4, 6, 'acct-window', 5, limit, windowMs, recipients);
		expect(turns).toHaveLength(24);
		for (const turn of turns) {
			const inWindow = turns.filter(
				(other) => other.turnAt <= turn.turnAt && other.turnAt > turn.turnAt - windowMs,
			);
			expect(new Set(inWindow.map((other) => other.recipient)).size).toBeLessThanOrEqual(limit);
		}
		// more recipients than the limit: the window really made some of them wait
		expect(turns[turns.length - 1].turnAt - turns[0].turnAt).toBeGreaterThanOrEqual(windowMs);
	});

	test('a second account is not slowed by the first', async () => {
		const store = storeOn(redis.url);
		const policy = { intervalMs: 5000, maxRecipientsPerMinute: 0, jitterRatio: 0 };
		await store.reserveTurn('busy', 'x', policy);
		const busyAgain = await store.reserveTurn('busy', 'x', policy);
		const other = await store.reserveTurn('quiet', 'x', policy);
		expect(busyAgain.waitMs).toBeGreaterThan(4000);
		expect(other.waitMs).toBe(0);
	});

	test('a turn given back is free again, unless someone reserved after it', async () => {
		const store = storeOn(redis.url);
		const policy = { intervalMs: 3000, maxRecipientsPerMinute: 0, jitterRatio: 0 };
		const first = await store.reserveTurn('give-back', 'x', policy);
		await first.giveBack();
		const again = await store.reserveTurn('give-back', 'x', policy);
		expect(again.waitMs).toBe(0);
		const behind = await store.reserveTurn('give-back', 'x', policy);
		await again.giveBack(); // someone is queued behind: the turn stays taken
		const third = await store.reserveTurn('give-back', 'x', policy);
		expect(third.turnAt - behind.turnAt).toBe(3000);
	});
});

describe('Redis run ledger', () => {
	test('sent and uncertain entries survive a round trip with exact ids and a real GatewayError', async () => {
		const writer = storeOn(redis.url);
		const reader = storeOn(redis.url); // as another process would
		const run = 'exec-1\u0000WeChat\u00000';
		const result = {
			NewMsgId: '9223372036854775807',
			ClientMsgId: 'c-1',
			Ret: 0,
			ErrMsg: '',
		};
		await writer.recordInRun(run, 0, 'wxid_a', { state: 'sent', result });
		const lost = new GatewayError('timeout', 'no answer in 10 s', 'unknown', { httpStatus: 504 });
		await writer.recordInRun(run, 1, 'wxid_a', { state: 'uncertain', error: lost });

		expect(await reader.lookupInRun(run, 0, 'wxid_a')).toEqual({ state: 'sent', result });
		const uncertain = await reader.lookupInRun(run, 1, 'wxid_a');
		expect(uncertain?.state).toBe('uncertain');
		const error = (uncertain as { error: GatewayError }).error;
		expect(error).toBeInstanceOf(GatewayError);
		expect([error.reason, error.message, error.delivery, error.details.httpStatus]).toEqual([
			'timeout',
			'no answer in 10 s',
			'unknown',
			504,
		]);
		expect(await reader.lookupInRun(run, 1, 'wxid_b')).toBeUndefined();
		await reader.forgetRun(run);
		expect(await writer.lookupInRun(run, 0, 'wxid_a')).toBeUndefined();
	});
});

describe('recently seen ids', () => {
	test('only the first of many concurrent callers sees an id first; it expires', async () => {
		const callers = [storeOn(redis.url), storeOn(redis.url), storeOn(redis.url)];
		const answers = await Promise.all(
			Array.from({ length: 30 }, (_, index) =>
				callers[index % 3].firstSighting('trigger-1', '1234567890123456789', 400),
			),
		);
		expect(answers.filter(Boolean)).toHaveLength(1);
		expect(await callers[0].firstSighting('trigger-2', '1234567890123456789', 400)).toBe(true);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(await callers[1].firstSighting('trigger-1', '1234567890123456789', 400)).toBe(true);
	});
});

describe('Redis unreachable', () => {
	test('a call fails within the bound with a clear error and no password, and works once Redis is back', async () => {
		const url = redis.url.replace('redis://', 'redis://:s3cret-pass@');
		const store = storeOn(redis.url, { answerWithinMs: 800 });
		const policy = { intervalMs: 10, maxRecipientsPerMinute: 0 };
		await store.reserveTurn('outage', 'x', policy);
		await redis.stop();
		const started = Date.now();
		const failure = await store.reserveTurn('outage', 'x', policy).then(
			() => undefined,
			(error: unknown) => error,
		);
		expect(failure).toBeInstanceOf(CoordinationUnavailableError);
		expect(String((failure as Error).message)).toContain(`Redis at 127.0.0.1:${redis.port}/0`);
		expect(String((failure as Error).message)).toContain('Nothing was sent');
		expect(Date.now() - started).toBeLessThan(3000);
		expect(describeRedisUrl(url)).not.toContain('s3cret');
		await redis.start();
		const deadline = Date.now() + 10_000;
		let back = false;
		while (!back && Date.now() < deadline) {
			back = await store.reserveTurn('outage', 'x', policy).then(
				() => true,
				() => false,
			);
		}
		expect(back).toBe(true);
	});
});
