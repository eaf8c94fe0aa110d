/**
 * The auth header's value goes to the gateway and nowhere else: not into an error, an output
 * item, the run data n8n keeps, or a log line, in every fault case, including gateways and
 * proxies that echo the header back in their answer.
 */

import { type NodeRun, batch, sendBatch } from '../support/engine';
import { recordCase } from '../support/accounting';
import { TEST_TLS, closedPort, useSimulators, type FaultRule } from '../support/simulators';
import { captured, safeDump } from '../support/leaks';

/** Has characters that JSON escapes and URL encoding changes, so every spelling is tried. */
const SECRET = 'Bearer sk_live_9f8E7d6C5b4A"q\\b+z/=&%~';
const HEADER = 'X-Gateway-Key';
/** Every spelling of it, and a distinctive 12-character piece, which catches a cut-off prefix. */
const SPELLINGS = [
	SECRET,
	JSON.stringify(SECRET).slice(1, -1),
	encodeURIComponent(SECRET),
	'sk_live_9f8E',
];

const sims = useSimulators(
	{
		plain: { authHeader: { name: HEADER, value: SECRET } },
		tls: { authHeader: { name: HEADER, value: SECRET }, tls: TEST_TLS, keepAlive: false },
	},
	{ clientGraceMs: 300 },
);

interface SecretCase {
	name: string;
	target: 'plain' | 'tls' | 'refused' | 'dns';
	rules?: FaultRule[];
	/** Whether the request reaches the gateway (then the secret must be in its headers). */
	reaches: boolean;
}

const toSecond = (rule: FaultRule): FaultRule => ({ ...rule, toUserName: 'wxid_to1' });
const cases: SecretCase[] = [
	{ name: 'no fault', target: 'plain', reaches: true },
	{
		name: 'proxy echoes the request headers (HTTP 400)',
		target: 'plain',
		rules: [toSecond({ action: 'echoHeaders', status: 400 })],
		reaches: true,
	},
	{
		name: 'proxy echoes the request headers (HTTP 502)',
		target: 'plain',
		rules: [toSecond({ action: 'echoHeaders', status: 502 })],
		reaches: true,
	},
	// The error quotes the first 120 characters of a body: the secret straddles that cut.
	{
		name: 'secret split across the cut of a long body',
		target: 'plain',
		rules: [toSecond({ action: 'http', status: 500, body: `${'x'.repeat(100)}${SECRET}` })],
		reaches: true,
	},
	{
		name: 'ErrMsg quoting the secret (Ret -1)',
		target: 'plain',
		rules: [toSecond({ action: 'ret', ret: -1, errMsg: `bad key ${SECRET}` })],
		reaches: true,
	},
	{
		name: 'ErrMsg quoting the secret (Ret -34, retried)',
		target: 'plain',
		rules: [toSecond({ action: 'ret', ret: -34, errMsg: `slow down ${SECRET}` })],
		reaches: true,
	},
	{
		name: 'HTML page with the secret',
		target: 'plain',
		rules: [
			toSecond({
				action: 'http',
				status: 200,
				contentType: 'text/html',
				body: `<html>key=${SECRET}</html>`,
			}),
		],
		reaches: true,
	},
	{
		name: 'JSON without CgiBaseResponse, with the secret',
		target: 'plain',
		rules: [toSecond({ action: 'json', body: JSON.stringify({ echo: SECRET }) })],
		reaches: true,
	},
	{
		name: 'URL-encoded secret in a 403 body',
		target: 'plain',
		rules: [
			toSecond({ action: 'http', status: 403, body: `denied for ${encodeURIComponent(SECRET)}` }),
		],
		reaches: true,
	},
	{ name: 'empty body', target: 'plain', rules: [toSecond({ action: 'empty' })], reaches: true },
	{
		name: 'dropped after sending',
		target: 'plain',
		rules: [toSecond({ action: 'drop' })],
		reaches: true,
	},
	{
		name: 'dropped before sending',
		target: 'plain',
		rules: [toSecond({ action: 'dropBeforeSend' })],
		reaches: true,
	},
	{
		name: 'gateway never answers',
		target: 'plain',
		rules: [toSecond({ action: 'hang' })],
		reaches: true,
	},
	{
		name: 'answer never ends',
		target: 'plain',
		rules: [toSecond({ action: 'dribble', intervalMs: 100 })],
		reaches: true,
	},
	{
		name: 'answer of several megabytes',
		target: 'plain',
		rules: [toSecond({ action: 'oversized', bytes: 2 * 1024 * 1024 })],
		reaches: true,
	},
	{
		name: 'TLS connection dropped before writing',
		target: 'tls',
		rules: [{ action: 'dropConnection', nth: 2, times: 3 }],
		reaches: true,
	},
	{ name: 'connection refused', target: 'refused', reaches: false },
	{ name: 'DNS failure', target: 'dns', reaches: false },
];

async function baseUrlFor(target: SecretCase['target']): Promise<string> {
	if (target === 'plain') return sims.plain.url;
	if (target === 'tls') return sims.tls.url;
	if (target === 'refused') return `http://127.0.0.1:${await closedPort()}`;
	return 'http://gateway.invalid:8080';
}

let checked = 0;
let leaks = 0;
afterAll(() => {
	recordCase({
		group: 'Secrets',
		name: `auth header value in errors, outputs, run data, logs (${cases.length} faults × 2)`,
		cases: checked,
		outcomes: { 'secret nowhere': checked - leaks, 'secret leaked': leaks },
		lost: 0,
		duplicated: 0,
		misreported: leaks,
	});
});

describe.each(cases)('$name', (c) => {
	test.each([true, false])(
		'continueOnFail=%s: the secret appears nowhere but at the gateway',
		async (continueOnFail) => {
			const sim = c.target === 'tls' ? sims.tls : sims.plain;
			for (const rule of c.rules ?? []) sim.addFault(rule);
			const baseUrl = await baseUrlFor(c.target);
			const { result: run, logs } = await captured<NodeRun>(() =>
				sendBatch(batch('s', 3), {
					baseUrl,
					continueOnFail,
					options: { retries: 1 },
					credentials: {
						authentication: 'header',
						authHeaderName: HEADER,
						authHeaderSecret: SECRET,
					},
				}),
			);
			checked++;
			// It was used: the gateway got it.
			if (c.reaches)
				expect(sim.calls.some((call) => call.headers[HEADER.toLowerCase()] === SECRET)).toBe(true);
			// Something went wrong as planned (except the control case).
			if (c.name !== 'no fault')
				expect(run.error ?? run.items.find((i) => i.json.error)).toBeDefined();

			const places: Record<string, string> = {
				'output items': JSON.stringify(run.items),
				'node error': safeDump(run.error),
				'run data': safeDump(run.run.data),
				logs: logs.join('\n'),
			};
			const found = Object.entries(places).flatMap(([where, text]) =>
				SPELLINGS.filter((s) => text.includes(s)).map((s) => `${where}: ${JSON.stringify(s)}`),
			);
			if (found.length) leaks++;
			expect(found).toEqual([]);
		},
	);
});
