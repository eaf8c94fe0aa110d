/**
 * The fault table for Send Text, Reply With Quote and Call Gateway Command: the third of five
 * items meets each fault, with and without Continue On Fail, through n8n's engine against the
 * simulator; what reached the gateway is counted against what the node reported.
 */
import type { IDataObject } from 'n8n-workflow';

import { runWeChatNode, type NodeRun, FAST, SENDER } from '../support/engine';
import { setClientGraceMs } from '../support/node';
import { account, recordAccounting, violations, type Slot } from '../support/accounting';
import {
	startFresh,
	startSimulator,
	type FaultRule,
	type SimMessage,
	type Simulator,
} from '../support/simulators';

const ITEMS = 5;
const FAILING = 2;
const FAILING_TO = `wxid_to${FAILING}`;
const GROUP =
	'Talk-back operations (5 items, the 3rd meets the fault; with and without Continue On Fail)';

let sim: Simulator;
beforeAll(async () => {
	setClientGraceMs(300);
	sim = await startSimulator({ firstMsgId: '9007199254740993' });
});
afterAll(async () => {
	setClientGraceMs();
	await sim.close();
});
beforeEach(() => startFresh(sim));

interface Operation {
	name: string;
	parameters: IDataObject;
	/** Which gateway record is this slot's message. */
	belongs(slot: Slot, message: SimMessage): boolean;
	/** The output item as the accounting reads it: NewMsgId at the top. */
	report?(json: IDataObject): IDataObject;
}

const operations: Operation[] = [
	{
		name: 'sendText',
		parameters: {
			operation: 'sendText',
			toUserName: '={{ $json.to }}',
			text: '={{ $json.title }}',
		},
		belongs: (slot, m) => m.toUserName === slot.recipient && m.content === slot.title,
	},
	{
		name: 'replyWithQuote',
		parameters: {
			operation: 'replyWithQuote',
			toUserName: '={{ $json.to }}',
			text: '={{ $json.title }}',
			quotedNewMsgId: '7400409546359626802',
			quotedSenderWxid: '={{ $json.to }}',
			quotedMsgType: 1,
			quotedContent: 'the quoted text',
		},
		belongs: (slot, m) =>
			m.toUserName === slot.recipient &&
			(m.appMsgXml ?? '').includes(`<title>${slot.title}</title>`),
	},
	{
		name: 'callGatewayCommand',
		parameters: {
			operation: 'callGatewayCommand',
			cgiCmd: 594,
			cgiRequest: '={{ JSON.stringify({ ToUserName: $json.to, Tag: $json.title }) }}',
		},
		belongs: (slot, m) =>
			m.toUserName === slot.recipient && (m.request ?? '').includes(`"Tag":"${slot.title}"`),
		// A command's id is the one its ResponseData names (the simulator's echo issues one).
		report: (json) =>
			json.error === undefined
				? { ...json, NewMsgId: (json.ResponseData as IDataObject | undefined)?.NewMsgId }
				: json,
	},
];

interface FaultCase {
	name: string;
	rules: FaultRule[];
	options?: IDataObject;
	/** The third item's delivery, or `sent` when a safe retry got it through. */
	expect: 'sent' | 'rejected' | 'unknown' | 'notSent';
}

const toFailing = (rule: FaultRule): FaultRule => ({ ...rule, toUserName: FAILING_TO });
const cases: FaultCase[] = [
	{ name: 'Ret -2', rules: [toFailing({ action: 'ret', ret: -2 })], expect: 'rejected' },
	{
		name: 'Ret -34 once: backed off and retried',
		rules: [toFailing({ action: 'ret', ret: -34, times: 1 })],
		expect: 'sent',
	},
	{ name: 'HTTP 502', rules: [toFailing({ action: 'http', status: 502 })], expect: 'unknown' },
	{
		name: 'connection dropped after sending',
		rules: [toFailing({ action: 'drop', times: 1 })],
		expect: 'unknown',
	},
	{
		name: 'gateway closes the connection without sending (request written)',
		rules: [toFailing({ action: 'dropBeforeSend', times: 1 })],
		// The request was written before the close: unknown to the node, so not sent again (at most once).
		expect: 'unknown',
	},
	{ name: 'gateway hangs (timeout)', rules: [toFailing({ action: 'hang' })], expect: 'unknown' },
];

function slots(tag: string): Slot[] {
	return Array.from({ length: ITEMS }, (_, i) => ({
		itemIndex: i,
		recipient: `wxid_to${i}`,
		title: `${tag}-${i}`,
	}));
}

async function runCase(op: Operation, c: FaultCase, continueOnFail: boolean) {
	startFresh(sim);
	for (const rule of c.rules) sim.addFault(rule);
	const tag = `${op.name}-${continueOnFail ? 'c' : 'f'}`;
	const b = slots(tag);
	const run = await runWeChatNode({
		credentials: { baseUrl: sim.url, wxid: SENDER, timeout: 1 },
		items: b.map((s) => ({ to: s.recipient, title: s.title })),
		continueOnFail,
		parameters: { ...op.parameters, options: { ...FAST, ...c.options } },
	});
	const reported: NodeRun = op.report
		? { ...run, items: run.items.map((item) => ({ ...item, json: op.report!(item.json) })) }
		: run;
	return { run, accounting: account(b, reported, sim.messages, { belongs: op.belongs }) };
}

describe.each(cases)('$name', (c) => {
	const totals = new Map<string, ReturnType<typeof account>>();
	afterAll(() => {
		for (const [name, total] of totals) recordAccounting(GROUP, name, total);
	});

	test.each(operations.flatMap((op) => [true, false].map((cof) => [op, cof] as const)))(
		'%s, continueOnFail=%s: nothing lost or doubled, the third item says what happened',
		async (op, continueOnFail) => {
			const { run, accounting } = await runCase(op, c, continueOnFail);
			const key = `${op.name}: ${c.name}`;
			const earlier = totals.get(key);
			totals.set(
				key,
				earlier
					? {
							slots: [...earlier.slots, ...accounting.slots],
							outcomes: Object.fromEntries(
								[
									...new Set([
										...Object.keys(earlier.outcomes),
										...Object.keys(accounting.outcomes),
									]),
								].map((k) => [k, (earlier.outcomes[k] ?? 0) + (accounting.outcomes[k] ?? 0)]),
							),
							lost: earlier.lost + accounting.lost,
							duplicated: earlier.duplicated + accounting.duplicated,
							misreported: earlier.misreported + accounting.misreported,
							strays: earlier.strays + accounting.strays,
						}
					: accounting,
			);
			expect(violations(accounting)).toEqual([]);
			const third = accounting.slots[FAILING];
			if (c.expect === 'sent') {
				expect(third.outcome).toBe('sent');
				expect(run.error).toBeUndefined();
			} else if (continueOnFail) {
				expect(third.outcome).toMatch(new RegExp(`^error:${c.expect}`));
				const item = run.items.find((i) => (i.pairedItem as { item: number }).item === FAILING);
				expect(String(item?.json.error)).toContain(`(item ${FAILING}, to ${FAILING_TO})`);
			} else {
				expect(run.error?.message).toContain(`(item ${FAILING}, to ${FAILING_TO})`);
				expect((run.error as { errorResponse?: IDataObject }).errorResponse?.delivery).toBe(
					c.expect,
				);
			}
		},
	);
});
