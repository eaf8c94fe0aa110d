/**
 * n8n's own "Retry On Fail" runs the whole node again with the same items. A message that
 * already went out in an earlier try must not go out again: its first result comes back. Runs
 * through n8n-core's WorkflowExecute, whose retry loop is the one a server uses.
 */
import { processStores } from '../../nodes/WeChatGateway/coordination/settings';
import { account, recordAccounting, violations } from '../support/accounting';
import { batch, sendBatch, slotsOf } from '../support/engine';
import { TEST_TLS, useSimulators, type Simulator } from '../support/simulators';

const GROUP = "n8n's Retry On Fail (engine; the gateway fails the 3rd item once)";
/** n8n turns a wait of 0 into 1000 ms; 1 ms keeps the tests quick. */
const RETRY = { maxTries: 3, waitBetweenTries: 1 };

const sims = useSimulators(
	{ plain: {}, tls: { tls: TEST_TLS, keepAlive: false } },
	{ clientGraceMs: 300 },
);

/** NewMsgId per slot, in slot order, as the gateway recorded them. */
function gatewayIds(s: Simulator, tag: string) {
	return s.messages.filter((m) => m.appMsgXml.includes(`<title>${tag}-`)).map((m) => m.newMsgId);
}

test('a rejected 3rd item (Ret -1) is sent on the retry; items 1-2 return their first results, unsent again', async () => {
	sims.plain.addFault({ action: 'ret', ret: -1, nth: 3 });
	const b = batch('rej', 5);
	const run = await sendBatch(b, { baseUrl: sims.plain.url, retryOnFail: RETRY });
	const accounting = recordAccounting(
		GROUP,
		'Ret -1 once, at most once',
		account(slotsOf(b), run, sims.plain.messages),
	);
	expect(violations(accounting)).toEqual([]);
	expect(run.error).toBeUndefined();
	// 5 messages, 6 calls: the refused one was the only call made twice.
	expect(sims.plain.messages).toHaveLength(5);
	expect(sims.plain.calls).toHaveLength(6);
	expect(sims.plain.calls.map((c) => c.toUserName)).toEqual([
		'wxid_to0',
		'wxid_to1',
		'wxid_to2',
		'wxid_to2',
		'wxid_to3',
		'wxid_to4',
	]);
	// The first two results are the very ones of the first try.
	expect(run.items.map((i) => [i.json.NewMsgId, i.json.ClientMsgId])).toEqual(
		sims.plain.messages.map((m) => [m.newMsgId, m.clientMsgId]),
	);
	expect(processStores().inProcess.ledger.size.entries).toBe(0); // the run succeeded: nothing more to remember
});

test('a 3rd item whose connection dropped before it was written is sent on the retry', async () => {
	// retries 0: the node's own retry would get it through; this is about n8n's.
	sims.tls.addFault({ action: 'dropConnection', nth: 3 });
	const b = batch('pre', 5);
	const run = await sendBatch(b, {
		baseUrl: sims.tls.url,
		retryOnFail: RETRY,
		options: { retries: 0 },
	});
	const accounting = recordAccounting(
		GROUP,
		'dropped before written once, retries 0',
		account(slotsOf(b), run, sims.tls.messages),
	);
	expect(violations(accounting)).toEqual([]);
	expect(run.error).toBeUndefined();
	expect(sims.tls.messages).toHaveLength(5);
	expect(sims.tls.stats().droppedConnections).toBe(1);
});

test('at most once: a 3rd item whose answer was lost is not sent again by any retry, and the node says so', async () => {
	sims.plain.addFault({ action: 'drop', nth: 3 });
	const b = batch('amo', 5);
	const run = await sendBatch(b, { baseUrl: sims.plain.url, retryOnFail: RETRY });
	const accounting = recordAccounting(
		GROUP,
		'answer lost, at most once',
		account(slotsOf(b), run, sims.plain.messages),
	);
	expect(violations(accounting)).toEqual([]);
	expect(run.error?.message).toMatch(/may or may not have been sent \(item 2, to wxid_to2\)/);
	expect(run.error?.description).toContain(
		'Sent before this error in this run: 2 messages (items 0, 1)',
	);
	// Three tries, and the only calls are the first try's three: later tries replayed 1-2 and refused 3 blind.
	expect(sims.plain.calls.map((c) => c.toUserName)).toEqual(['wxid_to0', 'wxid_to1', 'wxid_to2']);
	expect(gatewayIds(sims.plain, 'amo')).toHaveLength(3);
});

test('at least once (opt-in): the 3rd item is sent again and flagged as a possible duplicate', async () => {
	sims.plain.addFault({ action: 'drop', nth: 3 });
	const b = batch('alo', 5);
	const run = await sendBatch(b, {
		baseUrl: sims.plain.url,
		retryOnFail: RETRY,
		options: { delivery: 'atLeastOnce', retries: 0 },
	});
	const accounting = account(slotsOf(b), run, sims.plain.messages, { allowDuplicates: true });
	const doubled = accounting.slots.filter((s) => s.messagesAtGateway > 1).length;
	recordAccounting(GROUP, 'answer lost, at least once (opt-in)', accounting, {
		allowedDuplicates: doubled,
	});
	expect(violations(accounting)).toEqual([]);
	expect(run.error).toBeUndefined();
	expect(doubled).toBe(1);
	expect(run.items[2].json.possibleDuplicate).toBe(true);
	expect(run.items.filter((i) => i.json.possibleDuplicate)).toHaveLength(1);
	// Items 1-2 were not sent again; only the uncertain one was.
	expect(sims.plain.calls.map((c) => c.toUserName)).toEqual([
		'wxid_to0',
		'wxid_to1',
		'wxid_to2',
		'wxid_to2',
		'wxid_to3',
		'wxid_to4',
	]);
});

test('Continue On Fail + Retry On Fail: n8n retries when the first item is an error; the others are not sent again', async () => {
	sims.plain.addFault({ action: 'ret', ret: -1, nth: 1 });
	const b = batch('cof', 5);
	const run = await sendBatch(b, {
		baseUrl: sims.plain.url,
		retryOnFail: RETRY,
		continueOnFail: true,
	});
	const accounting = recordAccounting(
		GROUP,
		'Continue On Fail, 1st item rejected once',
		account(slotsOf(b), run, sims.plain.messages),
	);
	expect(violations(accounting)).toEqual([]);
	expect(run.items.every((i) => typeof i.json.NewMsgId === 'string')).toBe(true);
	expect(sims.plain.messages).toHaveLength(5);
	expect(sims.plain.calls.map((c) => c.toUserName)).toEqual([
		'wxid_to0',
		'wxid_to1',
		'wxid_to2',
		'wxid_to3',
		'wxid_to4',
		'wxid_to0',
	]);
});

test('Continue On Fail + Retry On Fail, first item refused every time: every other message still goes out once', async () => {
	sims.plain.addFault({ action: 'ret', ret: -2, toUserName: 'wxid_to0' });
	const b = batch('cof2', 5);
	const run = await sendBatch(b, {
		baseUrl: sims.plain.url,
		retryOnFail: RETRY,
		continueOnFail: true,
	});
	const accounting = recordAccounting(
		GROUP,
		'Continue On Fail, 1st item rejected every try',
		account(slotsOf(b), run, sims.plain.messages),
	);
	expect(violations(accounting)).toEqual([]);
	expect(run.items[0].json.error).toMatch(/Ret -2 .*\(item 0, to wxid_to0\)/);
	expect(sims.plain.calls.filter((c) => c.toUserName === 'wxid_to0')).toHaveLength(3); // one per try
	expect(sims.plain.messages).toHaveLength(4);
	// n8n stops retrying after maxTries; the run is over, but its first item is an error, so
	// n8n could have retried: the ledger keeps it until it ages out.
	expect(processStores().inProcess.ledger.size.entries).toBe(4);
});

test('several recipients and concurrency: drops after sending never lead to a second send on retry', async () => {
	for (const nth of [2, 7, 11]) sims.plain.addFault({ action: 'drop', nth });
	const b = batch('multi', 6, (i) => [`wxid_a${i}`, `wxid_b${i}`, `${1000 + i}@chatroom`]);
	const run = await sendBatch(b, {
		baseUrl: sims.plain.url,
		retryOnFail: RETRY,
		continueOnFail: true,
		options: { concurrency: 3 },
	});
	const accounting = recordAccounting(
		GROUP,
		'3 recipients per item, concurrency 3, 3 answers lost',
		account(slotsOf(b), run, sims.plain.messages),
	);
	expect(violations(accounting)).toEqual([]);
	expect(accounting.outcomes['error:unknown, was sent']).toBe(3);
	expect(sims.plain.messages).toHaveLength(18);
});

test('the same items in a new execution are new messages: the ledger is per execution', async () => {
	const b = batch('again', 2);
	const first = await sendBatch(b, { baseUrl: sims.plain.url, executionId: 'exec-1' });
	const second = await sendBatch(b, { baseUrl: sims.plain.url, executionId: 'exec-2' });
	expect(first.error).toBeUndefined();
	expect(second.error).toBeUndefined();
	expect(sims.plain.messages).toHaveLength(4);
	expect(second.items.map((i) => i.json.NewMsgId)).not.toEqual(
		first.items.map((i) => i.json.NewMsgId),
	);
});
