/**
 * Pacing and stopping, measured at the gateway: the spacing between the moments the simulator
 * received each call, checked as test/support/spacing.ts says. The simulator runs in its own
 * process, so the engine's work and garbage collection here cannot delay its clock readings.
 */
import { DEFAULT_SEND_OPTIONS } from '../../nodes/WeChatGateway/delivery/options';
import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { setClientGraceMs } from '../support/node';
import { account, recordAccounting, violations } from '../support/accounting';
import { expectSpaced, gaps } from '../support/spacing';
import { batch, sendBatch, slotsOf } from '../support/engine';
import {
	sleep,
	startSimulatorProcess,
	waitUntilAsync,
	type RemoteSimulator,
} from '../support/simulators';

const GROUP = 'Pacing and stopping (engine)';

let sim: RemoteSimulator;
beforeAll(async () => {
	setClientGraceMs(300);
	sim = await startSimulatorProcess();
});
afterAll(async () => {
	setClientGraceMs();
	await sim.close();
});
beforeEach(async () => {
	await sim.reset();
	await sim.setLatency(0);
	freshProcessStores();
});

const receivedAt = async () => (await sim.calls()).map((c) => c.receivedAt);

test('messageInterval spaces every message from the account by at least the interval', async () => {
	const b = batch('iv', 6, (i) => (i === 3 ? ['wxid_x', 'wxid_y'] : [`wxid_to${i}`]));
	const run = await sendBatch(b, { baseUrl: sim.url, options: { messageInterval: 250 } });
	const accounting = recordAccounting(
		GROUP,
		'messageInterval 250 ms, 7 messages',
		account(slotsOf(b), run, await sim.messages()),
	);
	expect(violations(accounting)).toEqual([]);
	const spacing = gaps(await receivedAt());
	expect(spacing).toHaveLength(6);
	expectSpaced(spacing, 250);
});

test('the default is about one message a second, and at most 12 recipients a minute', async () => {
	expect(DEFAULT_SEND_OPTIONS.messageInterval).toBe(1000);
	expect(DEFAULT_SEND_OPTIONS.maxRecipientsPerMinute).toBe(12);
	const b = batch('def', 2);
	const run = await sendBatch(b, {
		baseUrl: sim.url,
		options: { messageInterval: undefined, maxRecipientsPerMinute: undefined },
	});
	const accounting = recordAccounting(
		GROUP,
		'default pacing, 2 messages',
		account(slotsOf(b), run, await sim.messages()),
	);
	expect(violations(accounting)).toEqual([]);
	expectSpaced(gaps(await receivedAt()), 1000);
});

test('the spacing holds across executions that use the same account', async () => {
	const first = await sendBatch(batch('ex1', 2), {
		baseUrl: sim.url,
		options: { messageInterval: 300 },
	});
	const second = await sendBatch(batch('ex2', 2), {
		baseUrl: sim.url,
		options: { messageInterval: 300 },
	});
	expect(first.error).toBeUndefined();
	expect(second.error).toBeUndefined();
	expectSpaced(gaps(await receivedAt()), 300);
});

test('messageInterval 0 (with maxRecipientsPerMinute 0) turns pacing off', async () => {
	const b = batch('off', 30);
	const started = Date.now();
	const run = await sendBatch(b, {
		baseUrl: sim.url,
		options: { messageInterval: 0, maxRecipientsPerMinute: 0 },
	});
	const accounting = recordAccounting(
		GROUP,
		'pacing off, 30 messages',
		account(slotsOf(b), run, await sim.messages()),
	);
	expect(violations(accounting)).toEqual([]);
	// With the default pacing these 30 would take at least 29 s.
	expect(Date.now() - started).toBeLessThan(10_000);
});

test('"too frequent" (Ret -34) backs off five times the retry delay before trying again', async () => {
	await sim.addFaults([{ action: 'ret', ret: -34, nth: 2 }]);
	const b = batch('f34', 3);
	const run = await sendBatch(b, { baseUrl: sim.url, options: { retryDelay: 100 } });
	const accounting = recordAccounting(
		GROUP,
		'Ret -34 once, backoff 500 ms',
		account(slotsOf(b), run, await sim.messages()),
	);
	expect(violations(accounting)).toEqual([]);
	const [refused, retried] = (await sim.calls()).filter((c) => c.toUserName === 'wxid_to1');
	expect(refused.ret).toBe(-34);
	expectSpaced([retried.receivedAt - refused.receivedAt], 500);
});

describe('stopping the execution', () => {
	test.each([false, true])(
		'continueOnFail=%s: the message in flight finishes, nothing is sent after, the node ends at once',
		async (continueOnFail) => {
			await sim.setLatency(300); // every call takes 300 ms, so the stop lands while one is in flight
			let cancel: () => void = () => undefined;
			const b = batch(continueOnFail ? 'stopc' : 'stopf', 8);
			const running = sendBatch(b, {
				baseUrl: sim.url,
				continueOnFail,
				options: { messageInterval: 400 },
				onStarted: (c) => (cancel = c),
			});
			await waitUntilAsync(async () => (await sim.calls()).length === 3, 15_000, 'the third call');
			const stoppedAt = Date.now();
			cancel();
			const run = await running;
			const tookAfterStop = Date.now() - stoppedAt;
			await sleep(1000);

			const messages = await sim.messages();
			const accounting = recordAccounting(
				GROUP,
				'stopped during the 3rd of 8 messages',
				account(slotsOf(b), run, messages),
			);
			expect(violations(accounting)).toEqual([]);
			// The third message was in flight: it completed and was recorded whole, nothing after it.
			expect(await sim.calls()).toHaveLength(3);
			expect(messages.map((m) => m.toUserName)).toEqual(['wxid_to0', 'wxid_to1', 'wxid_to2']);
			// Only the in-flight call (300 ms) stood between the stop and the end; not the 5 turns left.
			expect(tookAfterStop).toBeLessThan(2000);
			if (continueOnFail) {
				expect(run.items.slice(0, 3).map((i) => i.json.NewMsgId)).toEqual(
					messages.map((m) => m.newMsgId),
				);
				for (const item of run.items.slice(3)) {
					expect(item.json.error).toMatch(
						/The execution was stopped before this message was sent \(item \d, to wxid_to\d\)/,
					);
					expect(item.json.delivery).toBe('notSent');
				}
			} else {
				expect(run.error?.message).toBe(
					'The execution was stopped before this message was sent (item 3, to wxid_to3)',
				);
				expect(run.error?.description).toContain(
					'Sent before this error in this run: 3 messages (items 0, 1, 2)',
				);
			}
		},
		20_000,
	);
});
