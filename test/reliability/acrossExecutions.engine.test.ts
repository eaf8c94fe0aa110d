/**
 * Exactly once across executions: n8n's Retry of a failed execution (a new execution in mode
 * 'retry' that continues the failed one's data, as execution.service.js retry() starts it) and
 * a webhook called twice with one payload (two executions of one workflow) send nothing twice.
 * Runs through n8n-core's WorkflowExecute; every count comes from the gateway simulator.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import {
	type NodeRun,
	batch,
	sendBatch,
	slotsOf,
	type Batch,
	type SendOptions,
} from '../support/engine';
import { setClientGraceMs } from '../support/node';
import {
	account,
	recordAccounting,
	violations,
	type Accounting,
	type Slot,
} from '../support/accounting';
import { startFresh, startSimulator, type Simulator } from '../support/simulators';

const RETRY_GROUP =
	"n8n's Retry of a failed execution (engine; 5 items, the 3rd fails; then the execution is retried)";
const REPEAT_GROUP =
	'The same input again as a new execution (engine; a webhook called twice with one payload)';

let sim: Simulator;
beforeAll(async () => {
	setClientGraceMs(300);
	sim = await startSimulator({});
});
afterAll(async () => {
	setClientGraceMs();
	await sim.close();
});
beforeEach(() => startFresh(sim));

/**
 * The accounting of the last execution against everything the gateway received in all of them:
 * a slot is fine only when the gateway has it once in total. A slot the last execution skipped
 * is named so in the outcomes.
 */
function accountAcross(slots: Slot[], last: NodeRun): Accounting {
	const accounting = account(slots, last, sim.messages);
	for (const entry of accounting.slots) {
		const item = last.items.find(
			(i: INodeExecutionData) =>
				(i.pairedItem as { item: number }).item === entry.slot.itemIndex &&
				i.json.ToUserName === entry.slot.recipient,
		);
		if (item?.json.skippedDuplicate === true && entry.verdict === 'ok')
			entry.outcome =
				item.json.delivery === 'unknown'
					? 'skipped: fate unknown in the earlier execution, not resent'
					: 'skipped: sent by the earlier execution (its NewMsgId returned)';
		else if (entry.verdict === 'ok' && entry.outcome === 'sent')
			entry.outcome = 'sent by this execution';
	}
	accounting.outcomes = {};
	for (const entry of accounting.slots)
		accounting.outcomes[entry.outcome] = (accounting.outcomes[entry.outcome] ?? 0) + 1;
	return accounting;
}

const idsAtGateway = (b: Batch) =>
	sim.messages
		.filter((m) => m.appMsgXml.includes(`<title>${b.tag}-`))
		.map((m) => [m.toUserName, m.newMsgId]);

async function failThenRetry(b: Batch, send: Omit<SendOptions, 'baseUrl'>) {
	const failed = await sendBatch(b, { baseUrl: sim.url, executionId: `failed-${b.tag}`, ...send });
	const retried = await sendBatch(b, {
		baseUrl: sim.url,
		executionId: `retry-${b.tag}`,
		...send,
		retryOf: { executionId: `failed-${b.tag}`, run: failed.run },
	});
	return { failed, retried };
}

test("n8n's Retry of an execution that failed at item 3 (Ret -1) sends items 3-5 and skips 1-2, returning their first ids", async () => {
	sim.addFault({ action: 'ret', ret: -1, nth: 3 });
	const b = batch('retry', 5);
	const { failed, retried } = await failThenRetry(b, {});

	expect(failed.error?.message).toMatch(/Ret -1.*\(item 2, to wxid_to2\)/);
	expect(failed.error?.description).toContain(
		'Sent before this error in this run: 2 messages (items 0, 1); neither Retry On Fail nor a Retry of this execution within 24 h sends them again, unless n8n restarts before it (remembered in this n8n process).',
	);
	expect(retried.run.data.resultData.error).toBeUndefined();
	const accounting = recordAccounting(
		RETRY_GROUP,
		'Ret -1 at item 3; Retry (retryOf from n8n), window off',
		accountAcross(slotsOf(b), retried),
	);
	expect(violations(accounting)).toEqual([]);
	// 5 messages, 6 calls: only the refused one was called twice.
	expect(sim.messages).toHaveLength(5);
	expect(sim.calls.map((c) => c.toUserName)).toEqual([
		'wxid_to0',
		'wxid_to1',
		'wxid_to2',
		'wxid_to2',
		'wxid_to3',
		'wxid_to4',
	]);
	expect(retried.items.map((i) => i.json.skippedDuplicate === true)).toEqual([
		true,
		true,
		false,
		false,
		false,
	]);
	expect(retried.items.map((i) => [i.json.ToUserName, i.json.NewMsgId])).toEqual(idsAtGateway(b));
	expect(retried.items[0].json.duplicateOf).toMatchObject({
		executionId: 'failed-retry',
		foundBy: 'retry',
	});
});

test('the same Retry when n8n does not expose which execution it retries: the workflow node’s last send of each item is used', async () => {
	sim.addFault({ action: 'ret', ret: -2, nth: 3 });
	const b = batch('noref', 5);
	const { retried } = await failThenRetry(b, { hideRetryOf: true });
	const accounting = recordAccounting(
		RETRY_GROUP,
		'Ret -2 at item 3; Retry (no retryOf: by workflow), window off',
		accountAcross(slotsOf(b), retried),
	);
	expect(violations(accounting)).toEqual([]);
	expect(sim.messages).toHaveLength(5);
	expect(retried.items.map((i) => i.json.skippedDuplicate === true)).toEqual([
		true,
		true,
		false,
		false,
		false,
	]);
});

test('at most once: an item whose answer was lost is skipped by the Retry and reported uncertain, not resent', async () => {
	sim.addFault({ action: 'drop', nth: 3 });
	const b = batch('lost', 5);
	const { failed, retried } = await failThenRetry(b, { options: { retries: 0 } });
	expect(failed.error?.message).toMatch(/\(item 2, to wxid_to2\)/);
	const accounting = recordAccounting(
		RETRY_GROUP,
		'answer lost at item 3 (fate unknown); Retry',
		accountAcross(slotsOf(b), retried),
	);
	expect(violations(accounting)).toEqual([]);
	expect(sim.messages).toHaveLength(5); // the lost answer's message went out, once
	expect(retried.items[2].json).toMatchObject({
		ToUserName: 'wxid_to2',
		skippedDuplicate: true,
		delivery: 'unknown',
	});
	expect(retried.items[2].json.NewMsgId).toBeUndefined();
	expect(retried.items[2].json.error).toBeUndefined();
});

test('a Retry of a Retry: each failed execution’s sends carry over, and only what never went out is sent', async () => {
	// Fails at item 3 in the first execution and at item 4 in its retry.
	sim.addFault({ action: 'ret', ret: -1, nth: 3 });
	sim.addFault({ action: 'ret', ret: -1, nth: 5 });
	const b = batch('chain', 5);
	const { retried: first } = await failThenRetry(b, {});
	expect(first.error?.message).toMatch(/\(item 3, to wxid_to3\)/);
	expect(first.error?.description).toContain(
		'Sent before this error in this run: 1 message (item 2);',
	);
	expect(first.error?.description).toContain(
		'Not sent in this run because an earlier execution already sent them: items 0, 1.',
	);
	const second = await sendBatch(b, {
		baseUrl: sim.url,
		executionId: 'retry-2-chain',
		retryOf: { executionId: 'retry-chain', run: first.run },
	});
	const accounting = recordAccounting(
		RETRY_GROUP,
		'fails at item 3, its Retry fails at item 4; Retry of the Retry',
		accountAcross(slotsOf(b), second),
	);
	expect(violations(accounting)).toEqual([]);
	expect(sim.messages).toHaveLength(5);
	expect(second.items.map((i) => i.json.skippedDuplicate === true)).toEqual([
		true,
		true,
		true,
		false,
		false,
	]);
	expect(second.items.map((i) => [i.json.ToUserName, i.json.NewMsgId])).toEqual(idsAtGateway(b));
});

test('a webhook called twice with one payload, Skip Duplicates Within 10 min: the second execution sends nothing', async () => {
	const b = batch('hook', 5);
	const options = { skipDuplicatesWithin: 10 };
	const first = await sendBatch(b, { baseUrl: sim.url, options, workflowId: 'webhook-wf' });
	const second = await sendBatch(b, { baseUrl: sim.url, options, workflowId: 'webhook-wf' });
	expect(first.error).toBeUndefined();
	const accounting = recordAccounting(
		REPEAT_GROUP,
		'same payload twice, window 10 min',
		accountAcross(slotsOf(b), second),
	);
	expect(violations(accounting)).toEqual([]);
	expect(sim.messages).toHaveLength(5);
	expect(second.items.every((i) => i.json.skippedDuplicate === true)).toBe(true);
	expect(second.items.map((i) => [i.json.NewMsgId, i.json.ClientMsgId])).toEqual(
		first.items.map((i) => [i.json.NewMsgId, i.json.ClientMsgId]),
	);
	expect(second.items[0].json.duplicateOf).toMatchObject({ foundBy: 'window' });
});

test('the same payload twice at the same moment: each message goes out once', async () => {
	const b = batch('race', 6);
	const options = { skipDuplicatesWithin: 10 };
	const [one, two] = await Promise.all([
		sendBatch(b, { baseUrl: sim.url, options }),
		sendBatch(b, { baseUrl: sim.url, options }),
	]);
	expect(sim.messages).toHaveLength(6);
	for (const run of [one, two]) {
		const accounting = account(slotsOf(b), run, sim.messages);
		expect(accounting.duplicated + accounting.lost + accounting.strays).toBe(0);
	}
	recordAccounting(
		REPEAT_GROUP,
		'same payload twice at once, window 10 min (second execution)',
		accountAcross(slotsOf(b), two),
	);
	const skipped = [...one.items, ...two.items].filter((i) => i.json.skippedDuplicate === true);
	expect(skipped).toHaveLength(6);
});

test('with the window off, a second execution of the same payload sends again (the documented default)', async () => {
	const b = batch('again', 3);
	await sendBatch(b, { baseUrl: sim.url });
	const second = await sendBatch(b, { baseUrl: sim.url });
	expect(sim.messages).toHaveLength(6);
	expect(second.items.some((i) => i.json.skippedDuplicate === true)).toBe(false);
});

test('identical means the same account, chat and content: another chat, another text or another account is sent', async () => {
	const options = { skipDuplicatesWithin: 10 };
	const b = batch('ident', 2);
	await sendBatch(b, { baseUrl: sim.url, options });
	const otherChat = await sendBatch(
		batch('ident', 2, (i) => [`wxid_other${i}`]),
		{
			baseUrl: sim.url,
			options,
		},
	);
	const otherText = await sendBatch(batch('ident2', 2), { baseUrl: sim.url, options });
	const otherAccount = await sendBatch(b, {
		baseUrl: sim.url,
		options,
		credentials: { wxid: 'wxid_sender02' },
	});
	for (const run of [otherChat, otherText, otherAccount])
		expect(run.items.some((i) => i.json.skippedDuplicate === true)).toBe(false);
	expect(sim.messages).toHaveLength(8);
});

test("Retry On Fail with the window on still sends the refused item in the node's next try", async () => {
	sim.addFault({ action: 'ret', ret: -1, nth: 3 });
	const b = batch('rof', 4);
	const run = await sendBatch(b, {
		baseUrl: sim.url,
		options: { skipDuplicatesWithin: 10 },
		retryOnFail: { maxTries: 2, waitBetweenTries: 1 },
	});
	expect(run.error).toBeUndefined();
	expect(sim.messages).toHaveLength(4);
	expect(run.items.some((i) => i.json.skippedDuplicate === true)).toBe(false);
	expect(violations(account(slotsOf(b), run, sim.messages))).toEqual([]);
});

test('a Retry skips only what the execution it retries sent, not what another execution of the workflow sent', async () => {
	const b = batch('narrow', 3);
	const other = await sendBatch(b, { baseUrl: sim.url, executionId: 'narrow-other' });
	expect(other.error).toBeUndefined();
	sim.addFault({ action: 'ret', ret: -1, nth: 1 }); // the next execution fails at its first item
	const failed = await sendBatch(b, { baseUrl: sim.url, executionId: 'narrow-failed' });
	expect(failed.error?.message).toMatch(/\(item 0, to wxid_to0\)/);
	expect(failed.error?.description ?? '').not.toContain('Sent before this error');
	const retried = await sendBatch(b, {
		baseUrl: sim.url,
		executionId: 'narrow-retry',
		retryOf: { executionId: 'narrow-failed', run: failed.run },
	});
	// The failed execution sent nothing, so its Retry sends all three (the window is off).
	expect(retried.items.some((i) => i.json.skippedDuplicate === true)).toBe(false);
	expect(sim.messages).toHaveLength(6);
});
