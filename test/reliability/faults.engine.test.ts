/**
 * Every gateway fault the issue names, through n8n's engine against the simulator: the third of
 * five items meets the fault. Each case runs twice, with and without Continue On Fail, and
 * counts what reached the gateway against what the node reported.
 */
import type { IDataObject } from 'n8n-workflow';

import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { type NodeRun, batch, sendBatch, slotsOf } from '../support/engine';
import { account, recordAccounting, violations, type Accounting } from '../support/accounting';
import {
	TEST_TLS,
	closedPort,
	useSimulators,
	waitUntil,
	type FaultRule,
	type Simulator,
} from '../support/simulators';

const ITEMS = 5;
const FAILING = 2;
const FAILING_TO = `wxid_to${FAILING}`;

const sims = useSimulators(
	{
		plain: {},
		/** https, a new connection per call: connection faults hit the call they are aimed at. */
		tls: { tls: TEST_TLS, keepAlive: false },
	},
	{ clientGraceMs: 300 },
);

interface FaultCase {
	name: string;
	/** The simulator to use, or a base URL with nothing (or no name) behind it. */
	target: 'plain' | 'tls' | 'refused' | 'dns';
	/** Applied before each run; aimed at the third item. */
	rules?: FaultRule[];
	options?: IDataObject;
	/** What the third item's outcome must be. `sent` when a safe retry got it through. */
	expect:
		| { sent: true; calls?: number }
		| {
				sent?: false;
				delivery: 'notSent' | 'rejected' | 'unknown';
				/** GatewayError.reason, as the node's error reports it. */
				reason: string;
				message: RegExp;
				atGateway: 0 | 1;
		  };
	/** Every item fails (the gateway cannot be reached at all). */
	allFail?: boolean;
	/** The gateway finishes late work after the run; wait until this holds before counting. */
	settle?: (sim: Simulator) => boolean;
}

const toFailing = (rule: FaultRule): FaultRule => ({ ...rule, toUserName: FAILING_TO });

const cases: FaultCase[] = [
	...[-1, -2, -13, -24, -100, -200].map(
		(ret): FaultCase => ({
			name: `Ret ${ret}`,
			target: 'plain',
			rules: [toFailing({ action: 'ret', ret, errMsg: `simulated ${ret}` })],
			expect: {
				delivery: 'rejected',
				reason: 'ret',
				message: new RegExp(`WeChat refused the message: Ret ${ret} \\(simulated ${ret}\\)`),
				atGateway: 0,
			},
		}),
	),
	{
		name: 'Ret -34 (too frequent) once: backed off and retried',
		target: 'plain',
		rules: [toFailing({ action: 'ret', ret: -34, times: 1 })],
		expect: { sent: true, calls: 2 },
	},
	{
		name: 'Ret -34 every time: retries used up',
		target: 'plain',
		rules: [toFailing({ action: 'ret', ret: -34 })],
		expect: { delivery: 'rejected', reason: 'ret', message: /Ret -34/, atGateway: 0 },
	},
	{
		name: 'Ret -1 with a network word in ErrMsg',
		target: 'plain',
		rules: [toFailing({ action: 'ret', ret: -1, errMsg: 'upstream ECONNRESET' })],
		expect: {
			delivery: 'rejected',
			reason: 'ret',
			message: /Ret -1 \(upstream ECONNRESET\)/,
			atGateway: 0,
		},
	},
	...[400, 401, 403, 404, 413].map(
		(status): FaultCase => ({
			name: `HTTP ${status}`,
			target: 'plain',
			rules: [toFailing({ action: 'http', status })],
			expect: {
				delivery: 'rejected',
				reason: 'http',
				message: new RegExp(`The gateway answered HTTP ${status}`),
				atGateway: 0,
			},
		}),
	),
	{
		name: 'HTTP 429 once: backed off and retried',
		target: 'plain',
		rules: [toFailing({ action: 'http', status: 429, times: 1 })],
		expect: { sent: true, calls: 2 },
	},
	...[500, 502, 503, 504].map(
		(status): FaultCase => ({
			name: `HTTP ${status}`,
			target: 'plain',
			rules: [toFailing({ action: 'http', status })],
			expect: {
				delivery: 'unknown',
				reason: 'http',
				message: new RegExp(`The gateway answered HTTP ${status}`),
				atGateway: 0,
			},
		}),
	),
	{
		name: 'HTML body',
		target: 'plain',
		rules: [toFailing({ action: 'html' })],
		expect: {
			delivery: 'unknown',
			reason: 'notJson',
			message: /answer is not JSON: "<!doctype html>/,
			atGateway: 0,
		},
	},
	{
		name: 'empty body',
		target: 'plain',
		rules: [toFailing({ action: 'empty' })],
		expect: {
			delivery: 'unknown',
			reason: 'notJson',
			message: /not JSON with an empty body/,
			atGateway: 0,
		},
	},
	{
		name: 'JSON without CgiBaseResponse',
		target: 'plain',
		rules: [toFailing({ action: 'json', body: '{"code":0,"msg":"ok"}' })],
		expect: {
			delivery: 'unknown',
			reason: 'badResponse',
			message: /without "CgiBaseResponse"/,
			atGateway: 0,
		},
	},
	{
		name: 'Ret 0 without NewMsgId',
		target: 'plain',
		rules: [
			toFailing({
				action: 'json',
				body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{}}',
			}),
		],
		expect: {
			delivery: 'unknown',
			reason: 'badResponse',
			message: /no numeric "ResponseData.NewMsgId"/,
			atGateway: 0,
		},
	},
	{
		name: 'connection dropped before the request was written, once: retried',
		target: 'tls',
		rules: [{ action: 'dropConnection', nth: FAILING + 1 }],
		expect: { sent: true, calls: ITEMS },
	},
	{
		name: 'connection dropped before the request was written, every try',
		target: 'tls',
		// retries 2: the third item's three connections are dropped
		rules: [{ action: 'dropConnection', nth: FAILING + 1, times: 3 }],
		expect: {
			delivery: 'notSent',
			reason: 'dropped',
			message: /dropped before the request was sent; nothing was sent/,
			atGateway: 0,
		},
	},
	{
		name: 'connection dropped after the request was written, not sent',
		target: 'plain',
		rules: [toFailing({ action: 'dropBeforeSend' })],
		expect: {
			delivery: 'unknown',
			reason: 'dropped',
			message: /closed the connection after the request was sent .*may or may not have been sent/,
			atGateway: 0,
		},
	},
	{
		name: 'connection dropped after the request was written, sent',
		target: 'plain',
		rules: [toFailing({ action: 'drop' })],
		expect: {
			delivery: 'unknown',
			reason: 'dropped',
			message: /closed the connection after the request was sent .*may or may not have been sent/,
			atGateway: 1,
		},
	},
	{
		name: 'gateway slower than the timeout (sends late)',
		target: 'plain',
		rules: [toFailing({ action: 'delay', delayMs: 1800 })],
		expect: {
			delivery: 'unknown',
			reason: 'timeout',
			message: /did not answer within 1 s .*may or may not have been sent/,
			atGateway: 1,
		},
		// undici's coarse timers may end the wait up to half a second early: wait for the late send.
		settle: (sim) => sim.messages.some((m) => m.toUserName === FAILING_TO),
	},
	{
		name: 'gateway never answers',
		target: 'plain',
		rules: [toFailing({ action: 'hang' })],
		expect: {
			delivery: 'unknown',
			reason: 'timeout',
			message: /did not answer within 1 s/,
			atGateway: 0,
		},
	},
	{
		name: 'answer that never ends',
		target: 'plain',
		rules: [toFailing({ action: 'dribble', intervalMs: 100 })],
		expect: {
			delivery: 'unknown',
			reason: 'timeout',
			message: /did not finish answering within 1 s/,
			atGateway: 1,
		},
	},
	{
		name: 'answer of several megabytes',
		target: 'plain',
		rules: [toFailing({ action: 'oversized', bytes: 3 * 1024 * 1024 })],
		expect: {
			delivery: 'unknown',
			reason: 'badResponse',
			message: /larger than 1 MB/,
			atGateway: 0,
		},
	},
	{
		name: 'proxy error page echoing the request',
		target: 'plain',
		rules: [toFailing({ action: 'echoHeaders', status: 400 })],
		expect: {
			delivery: 'rejected',
			reason: 'http',
			message: /HTTP 400: "Bad request/,
			atGateway: 0,
		},
	},
	{
		name: 'connection refused',
		target: 'refused',
		allFail: true,
		expect: {
			delivery: 'notSent',
			reason: 'refused',
			message: /Connection refused by 127\.0\.0\.1:\d+/,
			atGateway: 0,
		},
	},
	{
		name: 'DNS failure',
		target: 'dns',
		allFail: true,
		expect: {
			delivery: 'notSent',
			reason: 'dns',
			message: /"gateway\.invalid" could not be resolved \(DNS\)/,
			atGateway: 0,
		},
	},
];

async function baseUrlFor(target: FaultCase['target']): Promise<string> {
	if (target === 'plain') return sims.plain.url;
	if (target === 'tls') return sims.tls.url;
	if (target === 'refused') return `http://127.0.0.1:${await closedPort()}`;
	return 'http://gateway.invalid:8080';
}

function simulatorFor(target: FaultCase['target']): Simulator {
	return target === 'tls' ? sims.tls : sims.plain;
}

function merge(a: Accounting, b: Accounting): Accounting {
	const outcomes = { ...a.outcomes };
	for (const [k, v] of Object.entries(b.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
	return {
		slots: [...a.slots, ...b.slots],
		outcomes,
		lost: a.lost + b.lost,
		duplicated: a.duplicated + b.duplicated,
		misreported: a.misreported + b.misreported,
		strays: a.strays + b.strays,
	};
}

async function runCase(c: FaultCase, continueOnFail: boolean) {
	const sim = simulatorFor(c.target);
	sim.reset();
	freshProcessStores();
	for (const rule of c.rules ?? []) sim.addFault(rule);
	const b = batch(`${continueOnFail ? 'c' : 'f'}`, ITEMS);
	const started = Date.now();
	const run = await sendBatch(b, {
		baseUrl: await baseUrlFor(c.target),
		continueOnFail,
		options: c.options,
	});
	const elapsed = Date.now() - started;
	if (c.settle) await waitUntil(() => c.settle!(sim), 5_000, 'the late send');
	const accounting = account(slotsOf(b), run, sim.messages);
	return { run, accounting, elapsed, sim };
}

function errorOf(run: NodeRun, continueOnFail: boolean, itemIndex: number) {
	if (continueOnFail) {
		const item = run.items.find((i) => (i.pairedItem as { item: number }).item === itemIndex);
		return {
			message: String(item?.json.error ?? ''),
			delivery: item?.json.delivery,
			to: item?.json.ToUserName,
		};
	}
	const error = run.error as
		| (NodeRun['error'] & { errorResponse?: Record<string, unknown> })
		| undefined;
	return {
		message: error?.message ?? '',
		delivery: error?.errorResponse?.delivery,
		reason: error?.errorResponse?.reason,
		to: error?.errorResponse?.ToUserName,
	};
}

describe.each(cases)('$name', (c) => {
	let total: Accounting | undefined;
	afterAll(() => {
		if (total)
			recordAccounting(
				'Gateway faults (5 items, the 3rd meets the fault; with and without Continue On Fail)',
				c.name,
				total,
			);
	});

	test.each([true, false])(
		'continueOnFail=%s: named error, nothing lost or doubled',
		async (continueOnFail) => {
			const { run, accounting, elapsed, sim } = await runCase(c, continueOnFail);
			total = total ? merge(total, accounting) : accounting;
			expect(violations(accounting)).toEqual([]);
			// Never hanging: the slowest case is one timeout deadline per item that meets it.
			expect(elapsed).toBeLessThan(15_000);

			const expectation = c.expect;
			if (expectation.sent) {
				expect(run.error).toBeUndefined();
				expect(run.items.map((i) => i.json.NewMsgId)).toEqual(sim.messages.map((m) => m.newMsgId));
				expect(sim.messages).toHaveLength(ITEMS);
				if (expectation.calls !== undefined && c.target !== 'tls') {
					expect(sim.calls.filter((call) => call.toUserName === FAILING_TO)).toHaveLength(
						expectation.calls,
					);
				}
				return;
			}

			const failingItem = c.allFail ? 0 : FAILING;
			const failingTo = `wxid_to${failingItem}`;
			const error = errorOf(run, continueOnFail, failingItem);
			expect(error.message).toMatch(expectation.message);
			expect(error.message).toContain(`(item ${failingItem}, to ${failingTo})`);
			expect(error.delivery).toBe(expectation.delivery);
			// An error item carries no reason; the node's error does.
			if (!continueOnFail) expect(error).toMatchObject({ reason: expectation.reason });
			const atGateway = sim.messages.filter((m) => m.toUserName === failingTo).length;
			expect(atGateway).toBe(
				c.target === 'refused' || c.target === 'dns' ? 0 : expectation.atGateway,
			);

			if (continueOnFail) {
				// The other items still go out.
				const others = run.items.filter(
					(i) => (i.pairedItem as { item: number }).item !== failingItem,
				);
				expect(others).toHaveLength(ITEMS - 1);
				for (const other of others) {
					if (c.allFail) expect(other.json.delivery).toBe(expectation.delivery);
					else expect(other.json.NewMsgId).toMatch(/^\d+$/);
				}
			} else if (!c.allFail) {
				// n8n stops at the failing item; the error says what had already gone out.
				expect(run.error?.description).toContain(
					`Sent before this error in this run: ${FAILING} messages (items 0, 1)`,
				);
				expect(
					sim.messages.filter((m) => m.toUserName === 'wxid_to3' || m.toUserName === 'wxid_to4'),
				).toHaveLength(0);
			}
		},
	);
});
