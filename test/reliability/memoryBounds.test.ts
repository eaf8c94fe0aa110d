/**
 * Memory that could grow without end is bounded, with a clear error where a user meets the
 * bound: the recipients of one item (a million once parsed to 162 MB, and at the safe pace a
 * hundred thousand kept one execution alive for days), the sent ledger of one run that never
 * ends (300,000 entries held 117 MB), and the pacing history of accounts no longer used.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { deliver } from '../../nodes/WeChatGateway/delivery/deliver';
import { DEFAULT_SEND_OPTIONS } from '../../nodes/WeChatGateway/delivery/options';
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { MAX_ENTRIES_PER_RUN } from '../../nodes/WeChatGateway/coordination/inProcess/runLedger';
import { runKey } from '../../nodes/WeChatGateway/coordination/store';
import {
	MAX_RECIPIENTS_PER_ITEM,
	parseRecipients,
} from '../../nodes/WeChatGateway/actions/recipients';
import { GatewayClient, appMsgCall } from '../../nodes/WeChatGateway/transport/client';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import { readSentMessage } from '../../nodes/WeChatGateway/transport/reply';
import { runWeChatNode, SENDER, LINK_TO_EACH_ITEM } from '../support/engine';
import { recordCase } from '../support/accounting';
import { startFresh, startSimulator, type Simulator } from '../support/simulators';

const GROUP = 'Bad input (engine): refused before any call';

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({});
});
afterAll(async () => sim.close());
beforeEach(() => startFresh(sim));

/** A full garbage collection, also when jest's worker was started without --expose-gc. */
const gc: () => void =
	(globalThis as { gc?: () => void }).gc ??
	(() => {
		setFlagsFromString('--expose-gc');
		return runInNewContext('gc') as () => void;
	})();

/** Heap in use once garbage is collected. */
async function settledHeap(): Promise<number> {
	for (let i = 0; i < 3; i++) {
		gc();
		await new Promise((resolve) => setImmediate(resolve));
	}
	return process.memoryUsage().heapUsed;
}

/** Heap growth (MB) at its peak while `work` runs, sampled, with a collection first when possible. */
async function peakHeapGrowth<T>(work: () => Promise<T> | T): Promise<{ result: T; mb: number }> {
	(global as { gc?: () => void }).gc?.();
	const base = process.memoryUsage().heapUsed;
	let peak = base;
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 1);
	try {
		const result = await work();
		peak = Math.max(peak, process.memoryUsage().heapUsed);
		return { result, mb: (peak - base) / 2 ** 20 };
	} finally {
		clearInterval(timer);
	}
}

describe('recipients of one item', () => {
	const many = (n: number, separator = ',') =>
		Array.from({ length: n }, (_, i) => `wxid_r${i}`).join(separator);

	test(`${MAX_RECIPIENTS_PER_ITEM} are fine; one more, a million, or a list of a million are refused naming the field and the item`, async () => {
		expect(parseRecipients(many(MAX_RECIPIENTS_PER_ITEM))).toHaveLength(MAX_RECIPIENTS_PER_ITEM);
		// Repeats count once.
		expect(parseRecipients(Array(50_000).fill('wxid_same').slice(0, 9_000))).toEqual(['wxid_same']);

		const million = many(1_000_000, '\n');
		const cases = [
			{ name: `${MAX_RECIPIENTS_PER_ITEM + 1} in a text`, to: many(MAX_RECIPIENTS_PER_ITEM + 1) },
			{ name: 'a million in a text', to: million },
			{ name: 'a list of a million', to: million.split('\n') },
		];
		const notes: string[] = [];
		const problems: string[] = [];
		for (const c of cases) {
			const started = Date.now();
			const { result: run, mb } = await peakHeapGrowth(() =>
				runWeChatNode({
					credentials: { baseUrl: sim.url, wxid: SENDER, timeout: 10 },
					items: [{ to: c.to }],
					parameters: LINK_TO_EACH_ITEM,
					continueOnFail: true,
				}),
			);
			const ms = Date.now() - started;
			const error = String(run.items[0]?.json.error ?? '');
			notes.push(`${c.name}: refused in ${ms} ms, heap +${mb.toFixed(0)} MB`);
			if (
				!/"To" has .* recipients; one item sends to at most 1000/.test(error) ||
				!error.endsWith('(item 0)')
			)
				problems.push(`${c.name}: ${error.slice(0, 200) || 'not refused'}`);
		}
		expect(sim.calls).toHaveLength(0);
		recordCase({
			group: GROUP,
			name: `recipients per item bounded at ${MAX_RECIPIENTS_PER_ITEM}`,
			cases: cases.length,
			outcomes: {
				'refused, field and item named': cases.length - problems.length,
				other: problems.length,
			},
			lost: 0,
			duplicated: 0,
			misreported: problems.length,
			notes,
		});
		expect(problems).toEqual([]);
	});
});

describe('the sent ledger of one run that never ends', () => {
	test(`holds at most ${MAX_ENTRIES_PER_RUN} entries; a retry of a forgotten message is not sent blind`, async () => {
		const run = runKey({ executionId: 'endless', nodeName: 'WeChat Gateway', runIndex: 0 });
		const sent = (i: number) => ({
			state: 'sent' as const,
			result: {
				NewMsgId: String(7234567890123457789n + BigInt(i)),
				ClientMsgId: `c${i}`,
				Ret: 0,
				ErrMsg: '',
			},
		});
		const total = 300_000;
		const store = new InProcessStore();
		const before = await settledHeap();
		for (let i = 0; i < total; i++) await store.recordInRun(run, i, 'wxid_to', sent(i));
		const retainedMb = ((await settledHeap()) - before) / 2 ** 20;
		expect(store.ledger.size.entries).toBeLessThanOrEqual(MAX_ENTRIES_PER_RUN);
		// About 400 bytes an entry: 50,000 of them, not 300,000 (117 MB).
		expect(retainedMb).toBeLessThan(60);
		// The newest are remembered as sent; the oldest are "unknown", never "not sent".
		expect((await store.lookupInRun(run, total - 1, 'wxid_to'))?.state).toBe('sent');
		const forgotten = await store.lookupInRun(run, 0, 'wxid_to');
		expect(forgotten?.state).toBe('uncertain');

		// n8n's Retry On Fail runs the node again: the forgotten message is reported, not resent.
		const client = new GatewayClient({
			baseUrl: sim.url,
			wxid: SENDER,
			timeoutSeconds: 1,
			allowUnauthorizedCerts: false,
		});
		const options = { ...DEFAULT_SEND_OPTIONS, messageInterval: 0, maxRecipientsPerMinute: 0 };
		const error = await deliver({ client, options, run, store }, 0, 'wxid_to', {
			call: appMsgCall('wxid_to', '<appmsg/>'),
			readReply: readSentMessage,
		}).then(
			() => undefined,
			(e: unknown) => e,
		);
		await client.close();
		expect(error).toBeInstanceOf(GatewayError);
		expect((error as GatewayError).delivery).toBe('unknown');
		expect((error as GatewayError).message).toMatch(
			/no longer remembers whether this one went out/,
		);
		expect(sim.calls).toHaveLength(0);
		recordCase({
			group: 'Load',
			name: `sent ledger: one run of ${total.toLocaleString('en')} messages`,
			cases: 1,
			outcomes: {
				[`held ${store.ledger.size.entries.toLocaleString('en')} entries, ${retainedMb.toFixed(0)} MB retained; a forgotten one reported unknown, not resent`]: 1,
			},
			lost: 0,
			duplicated: 0,
			misreported: 0,
		});
	}, 120_000); // 300,000 writes: seconds alone, longer beside the other suites on 2 cores
});

describe('pacing history', () => {
	test('accounts not used for a minute are forgotten; a busy one is kept', async () => {
		let now = 1_000_000;
		const store = new InProcessStore({ now: () => now, random: () => 0 });
		const waitForTurn = (account: string) =>
			store.reserveTurn(account, 'wxid_to', { intervalMs: 1000, maxRecipientsPerMinute: 12 });
		for (let i = 0; i < 10_000; i++) {
			await waitForTurn(`account-${i}`);
			now += 100; // 10,000 accounts over about 17 minutes
		}
		const afterMany = store.paces.size;
		// About the accounts of the last two minutes remain, not all 10,000.
		expect(afterMany).toBeLessThanOrEqual(1300);
		await waitForTurn('busy');
		now += 61_000;
		await waitForTurn('newcomer');
		now += 30_000;
		await waitForTurn('busy');
		expect(store.paces.size).toBeLessThanOrEqual(3);
		recordCase({
			group: 'Load',
			name: 'pacing history of 10,000 accounts seen over 17 minutes',
			cases: 1,
			outcomes: { [`${afterMany} accounts kept (idle ones forgotten)`]: 1 },
			lost: 0,
			duplicated: 0,
			misreported: 0,
		});
	});
});
