/**
 * From the receiver to the execution queue: in the socket's order, bounded by the queue's room
 * even while the coordination store is slow, nothing queued after close, every full episode
 * reported, and a dropped message recoverable by the gateway's resend.
 */
import type { SeenIdsStore } from '../../nodes/WeChatGateway/coordination/store';
import { ExecutionQueue } from '../../nodes/WeChatGateway/trigger/executionQueue';
import { triggerFiltersFrom } from '../../nodes/WeChatGateway/trigger/filters';
import { ItemIntake } from '../../nodes/WeChatGateway/trigger/intake';
import { FrameReceiver, type TriggerItem } from '../../nodes/WeChatGateway/trigger/receiver';
import { frameText, samples } from '../support/gatewaySocket';

const ACCOUNT = 'wxid_intake_bot';

/** A store whose answers the test gives by hand; it counts the questions it is waiting on. */
function slowStore() {
	const waiting: Array<{ id: string; answer: (first: boolean) => void }> = [];
	const asked: string[] = [];
	let mostAtOnce = 0;
	const store: SeenIdsStore = {
		firstSighting: (_scope, id) =>
			new Promise<boolean>((resolve) => {
				asked.push(id);
				waiting.push({ id, answer: resolve });
				mostAtOnce = Math.max(mostAtOnce, waiting.length);
			}),
	};
	return {
		store,
		asked,
		mostAtOnce: () => mostAtOnce,
		answerAll(first = true) {
			for (const { answer } of waiting.splice(0)) answer(first);
		},
	};
}

/** Executions that run until the test ends them. */
function executionsThatWait(maxQueued: number) {
	const started: string[] = [];
	const ends: Array<() => void> = [];
	const executions = new ExecutionQueue<TriggerItem>({
		maxInFlight: 1,
		maxQueued,
		start: (item) =>
			new Promise<void>((resolve) => {
				started.push(item.newMsgId as string);
				ends.push(resolve);
			}),
	});
	return { executions, started, endOne: () => ends.shift()?.() };
}

function intakeOf(
	executions: ExecutionQueue<TriggerItem>,
	store?: SeenIdsStore,
	forget: (id: string) => void = () => {},
) {
	const logs: string[] = [];
	const intake = new ItemIntake({
		executions,
		seenIds: store,
		scope: 'scope',
		keepMs: 60_000,
		forget,
		log: (level, message) => logs.push(`${level} ${message}`),
	});
	return { intake, logs };
}

const item = (n: number): TriggerItem => ({
	event: 'ON_EVENT_MSG_NEW',
	accountWxid: ACCOUNT,
	newMsgId: String(7_000_000_000 + n),
});
const ids = (from: number, to: number) =>
	Array.from({ length: to - from }, (_, i) => item(from + i).newMsgId as string);
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a slow store is asked about every frame at once, and items still start in socket order', async () => {
	const { store, mostAtOnce, answerAll } = slowStore();
	const { executions, started, endOne } = executionsThatWait(100);
	const { intake } = intakeOf(executions, store);
	for (let n = 0; n < 20; n++) intake.accept(item(n));
	expect(mostAtOnce()).toBe(20);
	answerAll();
	await intake.settled();
	for (let n = 0; n < 20; n++) {
		endOne();
		await tick();
	}
	expect(started).toEqual(ids(0, 20));
});

test('items waiting for the store count against the queue: beyond its room they are dropped before the store is asked', async () => {
	const { store, asked, answerAll } = slowStore();
	const { executions } = executionsThatWait(5);
	const forgotten: string[] = [];
	const { intake, logs } = intakeOf(executions, store, (id) => forgotten.push(id));
	for (let n = 0; n < 20; n++) intake.accept(item(n));
	// One starts at once (maxInFlight 1) when its answer comes; five may wait.
	expect(asked).toEqual(ids(0, 5));
	expect(forgotten).toEqual(ids(5, 20));
	answerAll();
	await intake.settled();
	expect(executions.queued + executions.inFlight).toBe(5);
	expect(logs.filter((line) => /newer ones are dropped/.test(line))).toHaveLength(1);
});

test('after close, items still waiting for the store are not queued, and no "queue full" is logged', async () => {
	const { store, answerAll } = slowStore();
	const { executions, started } = executionsThatWait(100);
	const { intake, logs } = intakeOf(executions, store);
	for (let n = 0; n < 3; n++) intake.accept(item(n));
	intake.close();
	executions.close();
	answerAll();
	await intake.settled();
	intake.accept(item(3));
	expect(started).toEqual([]);
	expect(logs.filter((line) => /dropped/.test(line))).toEqual([]);
});

test('every time the queue fills up it is reported, and catching up is said too', async () => {
	const { executions, endOne } = executionsThatWait(2);
	const { intake, logs } = intakeOf(executions);
	const full = () => logs.filter((line) => /newer ones are dropped/.test(line)).length;
	for (let n = 0; n < 6; n++) intake.accept(item(n)); // 1 running, 2 waiting, 3 dropped
	expect(full()).toBe(1);
	endOne();
	await tick();
	intake.accept(item(6));
	expect(logs).toContainEqual(expect.stringMatching(/^info .*caught up; 3 messages were dropped/));
	for (let n = 7; n < 10; n++) intake.accept(item(n));
	expect(full()).toBe(2);
});

test('a dropped message is emitted when the gateway resends it', async () => {
	const receiver = new FrameReceiver(ACCOUNT, triggerFiltersFrom({}));
	const { executions, started, endOne } = executionsThatWait(1);
	const { intake } = intakeOf(executions, undefined, (id) => receiver.forget(id));
	const { message, withExt } = samples(ACCOUNT).text;
	const frame = (newMsgId: string) => frameText({ account: ACCOUNT, newMsgId, message, withExt });
	const accept = (newMsgId: string) => {
		const reception = receiver.receive(frame(newMsgId));
		if (reception.item) intake.accept(reception.item);
	};
	accept('8000000000000000001'); // runs
	accept('8000000000000000002'); // waits
	accept('8000000000000000003'); // no room: dropped
	endOne();
	await tick();
	accept('8000000000000000003'); // the gateway's resend
	endOne();
	await tick();
	expect(started).toEqual(['8000000000000000001', '8000000000000000002', '8000000000000000003']);
});
