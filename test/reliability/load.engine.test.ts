/**
 * 10,000 items through n8n's engine against the simulator, with faults sprinkled in: every
 * item accounted for (sent exactly once with the NewMsgId the gateway gave, or an error item
 * that matches what the gateway has), and the memory the node keeps afterwards flat.
 *
 * The simulator runs in its own process, so the heap measured here is the engine's and the
 * node's alone, not the simulator's record of 10,000 messages.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { MAX_SENT_RECORDS } from '../../nodes/WeChatGateway/coordination/inProcess/sentRecords';
import { freshProcessStores, processStores } from '../../nodes/WeChatGateway/coordination/settings';
import { type NodeRun, batch, sendBatch, slotsOf } from '../support/engine';
import { account, recordAccounting, recordCase, violations } from '../support/accounting';
import { startSimulatorProcess, type FaultRule, type RemoteSimulator } from '../support/simulators';

const ITEMS = 10_000;
const MB = 2 ** 20;

function collector(): () => void {
	const exposed = (globalThis as { gc?: () => void }).gc;
	if (exposed) return exposed;
	setFlagsFromString('--expose-gc');
	return runInNewContext('gc') as () => void;
}
const gc = collector();

/** Heap in use once garbage is collected; weak references and finalizers get turns between passes. */
async function settledHeap(): Promise<number> {
	for (let i = 0; i < 4; i++) {
		gc();
		await new Promise((resolve) => setImmediate(resolve));
	}
	return process.memoryUsage().heapUsed;
}

let sim: RemoteSimulator;
beforeAll(async () => {
	sim = await startSimulatorProcess();
});
afterAll(async () => sim?.close());

/** One run of `count` items with faults spread over it; keeps nothing but the numbers. */
async function loadRun(tag: string, count: number) {
	await sim.reset();
	// A few of every kind of trouble, spread over the run.
	const faults: FaultRule[] = [];
	for (let k = 1; k <= 10; k++) {
		faults.push({ action: 'ret', ret: -1, nth: k * 997 });
		faults.push({ action: 'drop', nth: k * 991 });
		faults.push({ action: 'dropBeforeSend', nth: k * 983 });
		faults.push({ action: 'http', status: 503, nth: k * 977 });
	}
	if (count >= 10_000) await sim.addFaults(faults);
	const b = batch(tag, count);
	let peak = process.memoryUsage().heapUsed;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 50);
	const started = Date.now();
	const run: NodeRun = await sendBatch(b, { baseUrl: sim.url, continueOnFail: true });
	const seconds = (Date.now() - started) / 1000;
	clearInterval(sampler);
	const messages = await sim.messages();
	const accounting = account(slotsOf(b), run, messages);
	return {
		accounting,
		violations: violations(accounting).slice(0, 10),
		outputs: run.items.length,
		errors: run.items.filter((i) => i.json.error).length,
		messages: messages.length,
		seconds,
		peak,
	};
}

test(`${ITEMS.toLocaleString('en')} items: every one sent once or reported, memory flat`, async () => {
	freshProcessStores();
	// Warm up the engine, the node and the connection (the first thousands of items fill
	// one-time caches and compiled code, about a megabyte), then measure from there.
	await loadRun('warm', 1000);
	freshProcessStores();
	const before = await settledHeap();

	let result: Awaited<ReturnType<typeof loadRun>> | undefined = await loadRun('load', ITEMS);
	recordAccounting(
		'Load (engine)',
		`${ITEMS.toLocaleString('en')} items, 40 faults spread over them`,
		result.accounting,
	);
	const { seconds, peak } = result;
	expect(result.violations).toEqual([]);
	expect(result.outputs).toBe(ITEMS);
	expect(result.errors).toBe(40);
	expect(result.messages).toBe(ITEMS - 40 + 10); // the 10 'drop' faults did send their message
	result = undefined; // the test's own record of 10,000 slots is not the node's memory

	// The memory of sent messages across executions (n8n's Retry, Skip Duplicates Within) grows
	// with the items by design, up to its bound (measured in the next test): checked exactly,
	// then let go, so the limit below still catches anything else that grows. Two entries a
	// message (by chat and content, by execution and item); one refused or surely not sent, none.
	const remembered = processStores().inProcess.sent.size / 2;
	expect(remembered).toBeGreaterThanOrEqual(ITEMS - 40);
	expect(remembered).toBeLessThanOrEqual(ITEMS);
	const { ledger } = processStores().inProcess;
	freshProcessStores();
	const after = await settledHeap();
	const retainedMb = (after - before) / MB;
	process.stdout.write(
		`load: ${ITEMS} items in ${seconds.toFixed(1)} s; heap ${(before / MB).toFixed(1)} MB before, ` +
			`${(peak / MB).toFixed(1)} MB at peak, ${(after / MB).toFixed(1)} MB after (${retainedMb.toFixed(2)} MB retained)\n`,
	);
	// Flat: what stays behind is not proportional to the items. Repeated runs measured here
	// move the settled heap by up to ±3 MB either way with no trend; keeping each output item or
	// each request body would add 10 MB or more. The ledger, the one store that grows with the
	// items by design, is checked exactly: it lets go of a run that n8n will not retry.
	recordCase({
		group: 'Load (engine)',
		name: `memory after ${ITEMS.toLocaleString('en')} items (settled heap, simulator in its own process)`,
		cases: 1,
		outcomes: {
			[`retained ${retainedMb.toFixed(1)} MB (limit 8), peak +${((peak - before) / MB).toFixed(0)} MB, ${seconds.toFixed(1)} s`]: 1,
		},
		lost: 0,
		duplicated: 0,
		misreported: 0,
	});
	expect(retainedMb).toBeLessThan(8);
	expect(ledger.size.entries).toBe(0);
	// Typically 15-30 s; the table shows the time. The bound only catches a run gone badly slow.
	expect(seconds).toBeLessThan(90);
}, 120_000);

test('the memory of sent messages costs under 1 KB a message', async () => {
	const store = new InProcessStore();
	const count = 20_000;
	const before = await settledHeap();
	for (let i = 0; i < count; i++) {
		const account = `http://127.0.0.1:8080\u0000wxid_sender01`;
		const fingerprint = `${i}`.padStart(64, 'f');
		const entry = {
			state: 'sent' as const,
			at: Date.now(),
			token: `token-${i}`.padEnd(16, '='),
			executionId: String(1000 + (i >> 4)),
			result: {
				NewMsgId: String(7234567890123457789n + BigInt(i)),
				ClientMsgId: `wxid_sender01_1764240000_${i}`,
				Ret: 0,
				ErrMsg: '',
			},
		};
		await store.rememberSent(
			[`window\u0000${account}\u0000wxid_to${i}\u0000${fingerprint}`, `execution\u0000${i}`],
			entry,
			60_000,
		);
	}
	const bytesEach = ((await settledHeap()) - before) / count;
	// read after the measure, so the store is alive while it is measured
	expect(store.sent.size).toBe(2 * count);
	recordCase({
		group: 'Load (engine)',
		name: `memory of sent messages across executions (bound ${MAX_SENT_RECORDS.toLocaleString('en')} entries, two a message)`,
		cases: 1,
		outcomes: { [`${Math.round(bytesEach)} bytes a message (limit 1,000)`]: 1 },
		lost: 0,
		duplicated: 0,
		misreported: 0,
	});
	process.stdout.write(`sent-messages memory: ${bytesEach.toFixed(0)} bytes a message\n`);
	expect(bytesEach).toBeLessThan(1000);
});
