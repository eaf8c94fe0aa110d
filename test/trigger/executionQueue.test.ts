import { ExecutionQueue } from '../../nodes/WeChatGateway/trigger/executionQueue';

interface Deferred {
	resolve: () => void;
	reject: (error: Error) => void;
}

function queueWithManualEnds(
	maxInFlight: number,
	options: { slotTimeoutMs?: number; maxQueued?: number } = {},
) {
	const running = new Map<number, Deferred>();
	const startedOrder: number[] = [];
	const errors: unknown[] = [];
	const queue = new ExecutionQueue<number>({
		maxInFlight,
		...options,
		start: (item) =>
			new Promise<void>((resolve, reject) => {
				startedOrder.push(item);
				running.set(item, { resolve, reject });
			}),
		onError: (error) => errors.push(error),
	});
	return { queue, running, startedOrder, errors };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('executions for received items', () => {
	it('at most maxInFlight run at once; the rest start in arrival order as others end; none lost', async () => {
		const { queue, running, startedOrder } = queueWithManualEnds(3);
		for (let i = 0; i < 10; i++) expect(queue.push(i)).toBe(true);
		expect(startedOrder).toEqual([0, 1, 2]);
		expect(queue.queued).toBe(7);
		running.get(1)!.resolve();
		await tick();
		expect(startedOrder).toEqual([0, 1, 2, 3]);
		let guard = 0;
		while (startedOrder.length < 10 && guard++ < 100) {
			for (const [item, deferred] of running) {
				running.delete(item);
				deferred.resolve();
			}
			await tick();
			expect(queue.inFlight).toBeLessThanOrEqual(3);
		}
		expect(startedOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		queue.close();
	});

	it('an execution that fails frees its slot and is reported', async () => {
		const { queue, running, startedOrder, errors } = queueWithManualEnds(1);
		queue.push(1);
		queue.push(2);
		running.get(1)!.reject(new Error('could not start'));
		await tick();
		expect(startedOrder).toEqual([1, 2]);
		expect(errors).toEqual([new Error('could not start')]);
		queue.close();
	});

	it('an execution that never ends frees its slot after the timeout', async () => {
		const { queue, startedOrder } = queueWithManualEnds(1, { slotTimeoutMs: 50 });
		queue.push(1);
		queue.push(2);
		await new Promise((resolve) => setTimeout(resolve, 120));
		expect(startedOrder).toEqual([1, 2]);
		queue.close();
	});

	it('refuses beyond maxQueued, and after close() holds nothing and no timer', async () => {
		const { queue, startedOrder } = queueWithManualEnds(1, { maxQueued: 2, slotTimeoutMs: 30 });
		expect([queue.push(1), queue.push(2), queue.push(3), queue.push(4)]).toEqual([
			true,
			true,
			true,
			false,
		]);
		queue.close();
		// A slot timer left running would free the slot when it fires.
		await new Promise((resolve) => setTimeout(resolve, 90));
		expect(queue.inFlight).toBe(1);
		expect(queue.queued).toBe(0);
		expect(queue.push(5)).toBe(false);
		expect(startedOrder).toEqual([1]);
	});

	it("a slot's timer never keeps the process alive (a running trigger holds its socket)", () => {
		const refTimers = () =>
			process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
		const { queue, startedOrder } = queueWithManualEnds(2);
		const before = refTimers();
		queue.push(1);
		queue.push(2);
		expect(startedOrder).toEqual([1, 2]);
		expect(refTimers()).toBe(before);
		queue.close();
	});
});
