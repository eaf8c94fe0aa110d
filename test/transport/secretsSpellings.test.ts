/**
 * The header secret echoed back under other spellings than its own: form-encoded (`+` for a
 * space, lower-case `%2f`), JSON with `\/`, lower-cased, HTML entities, base64, cut short, and in
 * the ClientMsgId of a successful answer. None of it reaches an error, an output item, the run
 * data or a log; 401, 403 and 407 bodies are not quoted at all.
 */
import { secretRedactor } from '../../nodes/WeChatGateway/transport/redact';
import { setClientGraceMs } from '../support/node';
import { type NodeRun, batch, sendBatch } from '../support/engine';
import { recordCase } from '../support/accounting';
import { startFresh, startSimulator, type FaultRule, type Simulator } from '../support/simulators';
import { captured, safeDump } from '../support/leaks';

const SECRET = 'Bearer sk_live_9f8E7d6C5b4A"q\\b+z/=&%~é';
const HEADER = 'X-Gateway-Key';

const formEncoded = encodeURIComponent(SECRET).replace(/%20/g, '+').toLowerCase();
const html = SECRET.replace(/[&"<>'\\]/g, (c) => `&#${c.charCodeAt(0)};`).replace(
	/[a-z]/g,
	(c) => `&#x${c.charCodeAt(0).toString(16)};`,
);
const jsonSlashes = JSON.stringify(SECRET).slice(1, -1).replace(/\//g, '\\/');
const base64 = Buffer.from(`user:${SECRET}`, 'latin1').toString('base64');
const base64Url = Buffer.from(SECRET, 'latin1').toString('base64url');

/** Every form the test looks for in what the node produced. */
const LOOKED_FOR = [
	SECRET,
	SECRET.toLowerCase(),
	formEncoded,
	html,
	jsonSlashes,
	base64,
	base64Url,
	Buffer.from(SECRET, 'latin1').toString('base64').slice(0, 16),
];
/** Any 8 characters of the secret's distinctive middle, in any case, is a leak too. */
const CORE = 'sk_live_9f8e7d6c5b4a';
function leaksIn(text: string): string[] {
	const found = LOOKED_FOR.filter((s) => text.includes(s)).map((s) => JSON.stringify(s));
	const lower = text.toLowerCase();
	for (let at = 0; at + 8 <= CORE.length; at++)
		if (lower.includes(CORE.slice(at, at + 8))) found.push(`piece "${CORE.slice(at, at + 8)}"`);
	return found;
}

const MARKER = 'quoted-body-marker';
const successWith = (clientMsgId: string) =>
	JSON.stringify({
		CgiBaseResponse: { Ret: 0, ErrMsg: '' },
		ResponseData: { NewMsgId: 7234567890123456789, ClientMsgId: clientMsgId },
	});

interface SpellingCase {
	name: string;
	rule: FaultRule;
	/** The body must not be quoted at all (a refusal of the credential). */
	unquoted?: boolean;
}

const toSecond = (rule: FaultRule): FaultRule => ({ ...rule, toUserName: 'wxid_to1' });
const cases: SpellingCase[] = [
	{
		name: 'form-encoded (+, lower-case %2f) in a 400 body',
		rule: { action: 'http', status: 400, body: `key=${formEncoded}&x=1` },
	},
	{
		name: 'JSON with \\/ in a 502 body',
		rule: { action: 'http', status: 502, body: `{"echo":"${jsonSlashes}"}` },
	},
	{ name: 'lower-cased in ErrMsg', rule: { action: 'ret', ret: -1, errMsg: SECRET.toLowerCase() } },
	{
		name: 'HTML entities in a 500 page',
		rule: { action: 'http', status: 500, contentType: 'text/html', body: `<p>${html}</p>` },
	},
	{
		name: 'base64 (Basic) in a 400 body',
		rule: { action: 'http', status: 400, body: `Authorization: Basic ${base64}` },
	},
	{
		name: 'base64url in ErrMsg',
		rule: { action: 'ret', ret: -2, errMsg: `token ${base64Url}` },
	},
	{
		name: 'cut short (first 16 characters) in ErrMsg',
		rule: { action: 'ret', ret: -1, errMsg: `bad key ${SECRET.slice(0, 16)}` },
	},
	{
		name: 'JSON-escaped and percent-encoded twice in a 400 body',
		rule: {
			action: 'http',
			status: 400,
			body: JSON.stringify({ q: encodeURIComponent(encodeURIComponent(SECRET)) }),
		},
	},
	{
		name: 'ClientMsgId of a successful answer',
		rule: { action: 'json', body: successWith(SECRET) },
	},
	{
		name: 'ClientMsgId lower-cased and form-encoded',
		rule: { action: 'json', body: successWith(formEncoded) },
	},
	...[401, 403, 407].map((status) => ({
		name: `HTTP ${status} body not quoted`,
		rule: { action: 'http' as const, status, body: `${MARKER} ${SECRET}` },
		unquoted: true,
	})),
];

let sim: Simulator;
beforeAll(async () => {
	setClientGraceMs(300);
	sim = await startSimulator({ authHeader: { name: HEADER, value: SECRET } });
});
afterAll(async () => {
	setClientGraceMs();
	await sim.close();
});
beforeEach(() => startFresh(sim));

let checked = 0;
let leaks = 0;
afterAll(() => {
	recordCase({
		group: 'Secrets',
		name: `auth header value under other spellings, ClientMsgId, 401/403/407 bodies (${cases.length} × 2)`,
		cases: checked,
		outcomes: { 'secret nowhere': checked - leaks, 'secret leaked': leaks },
		lost: 0,
		duplicated: 0,
		misreported: leaks,
	});
});

describe.each(cases)('$name', (c) => {
	test.each([true, false])(
		'continueOnFail=%s: no spelling of the secret leaks',
		async (continueOnFail) => {
			sim.addFault(toSecond(c.rule));
			const { result: run, logs } = await captured<NodeRun>(() =>
				sendBatch(batch('sp', 3), {
					baseUrl: sim.url,
					continueOnFail,
					credentials: {
						authentication: 'header',
						authHeaderName: HEADER,
						authHeaderSecret: SECRET,
					},
				}),
			);
			checked++;
			expect(sim.calls.some((call) => call.headers[HEADER.toLowerCase()] === SECRET)).toBe(true);
			const places: Record<string, string> = {
				'output items': JSON.stringify(run.items),
				'node error': safeDump(run.error),
				'run data': safeDump(run.run.data),
				logs: logs.join('\n'),
			};
			const found = Object.entries(places).flatMap(([where, text]) =>
				leaksIn(text).map((s) => `${where}: ${s}`),
			);
			if (c.unquoted)
				for (const [where, text] of Object.entries(places))
					if (text.includes(MARKER)) found.push(`${where}: quotes the ${c.rule.action} body`);
			if (found.length) leaks++;
			expect(found).toEqual([]);
		},
	);
});

describe('secretRedactor, the function the trigger will share', () => {
	const redact = secretRedactor(SECRET, 'proxy-pass-123');
	test.each([
		['verbatim', SECRET],
		['lower case', SECRET.toUpperCase()],
		['form-encoded', formEncoded],
		['HTML entities', html],
		['JSON with \\/', jsonSlashes],
		['base64', base64],
		['base64url', base64Url],
		['a 10-character window', SECRET.slice(9, 19)],
		['the second secret, percent-encoded', encodeURIComponent('proxy-pass-123')],
	])('%s', (_label, spelled) => {
		const out = redact(`before ${spelled} after`);
		expect(out).toContain('[redacted]');
		expect(out.startsWith('before ')).toBe(true);
		expect(out.endsWith(' after')).toBe(true);
		expect(leaksIn(out)).toEqual([]);
	});
	test('text without the secret is unchanged; 100 KB (12 times what an error quotes) in well under seconds', () => {
		const text = `The gateway said: ${'a/b%2F+c&amp;\\u0041 '.repeat(5_000)}`;
		const started = Date.now();
		expect(redact(text)).toBe(text);
		expect(Date.now() - started).toBeLessThan(3000);
	});
});
