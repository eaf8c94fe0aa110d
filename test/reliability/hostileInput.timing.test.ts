/**
 * Crafted Message XML at the size limit costs milliseconds, not the event loop. The trigger will
 * parse XML that any stranger can send to the account, and a check that grows with the square of
 * the input (the comment stripping and nesting scan before the parser once took about 70 s on a
 * megabyte of `<!--`) stops every workflow of the n8n process while it runs. Each document is
 * timed in-process (the time the event loop is blocked) and sent through n8n's engine, where it
 * must be refused naming the field and the item, with an error of bounded size, or parsed.
 */
import { MAX_MESSAGE_XML_CHARS, parseAppMsgXml } from '../../nodes/WeChatGateway/appmsg/parse';
import { runWeChatNode, FAST, SENDER } from '../support/engine';
import { recordCase } from '../support/accounting';
import { startFresh, startSimulator, type Simulator } from '../support/simulators';

/**
 * Far above what the linear checks need (a few ms; the parser itself needs about 100 ms for a
 * megabyte of text, over a second on a machine loaded many times over), far below what the
 * quadratic checks took (a minute for 200 KB of `<!--`; more than 400 s for the megabyte).
 */
const BLOCKING_LIMIT_MS = 5000;
/** An error quotes a few hundred characters of the input at most. */
const ERROR_LIMIT_CHARS = 600;

const HEAD =
	'<msg><appmsg appid="" sdkver="0"><type>5</type><title>t</title><url>https://example.com/</url>';
const TAIL = '</appmsg></msg>';

/** `head`, then `unit` repeated, then `tail`, at exactly the size limit (padded with spaces). */
function atLimit(head: string, unit: string, tail = ''): string {
	const room = MAX_MESSAGE_XML_CHARS - head.length - tail.length;
	const body = unit.repeat(Math.floor(room / unit.length));
	return `${head}${body}${' '.repeat(room - body.length)}${tail}`;
}

const manyAttributes = (() => {
	const parts: string[] = [];
	let length = HEAD.length + TAIL.length + 20;
	for (let i = 0; length < MAX_MESSAGE_XML_CHARS - 20; i++) {
		const attribute = ` a${i.toString(36)}="${i}"`;
		parts.push(attribute);
		length += attribute.length;
	}
	return `${HEAD}<x${parts.join('')}/>${TAIL}`;
})();

interface HostileCase {
	name: string;
	xml: string;
	/** What must happen: refused with this reason, or parsed. */
	expect: RegExp | 'parsed';
}

const cases: HostileCase[] = [
	{
		name: 'unclosed comment (<!-- repeated)',
		xml: atLimit(HEAD, '<!--'),
		expect: /comment \(<!--\) is never closed/,
	},
	{
		name: 'unclosed CDATA (<![CDATA[ repeated)',
		xml: atLimit(HEAD, '<![CDATA['),
		expect: /CDATA section .* is never closed/,
	},
	{ name: 'unclosed tag (<a repeated)', xml: atLimit(HEAD, '<a'), expect: /in a tag/ },
	{
		name: 'unclosed tag, attributes repeated (<a b="" b="" …)',
		xml: atLimit(`${HEAD}<a`, ' b=""'),
		expect: /attribute "b" is repeated/,
	},
	{
		name: 'many attributes on one element',
		xml: manyAttributes,
		expect: /more than 64 attributes on one element/,
	},
	{
		name: 'many elements of 64 attributes',
		xml: atLimit(HEAD, `<x ${Array.from({ length: 64 }, (_, i) => `b${i}=""`).join(' ')}/>`, TAIL),
		expect: /more than 10000 attributes/,
	},
	{
		name: 'one attribute value of a megabyte',
		xml: `<msg><appmsg appid="${'x'.repeat(MAX_MESSAGE_XML_CHARS - 200)}" sdkver="0"><type>5</type><title>t</title><url>https://example.com/</url>${TAIL}`,
		expect: 'parsed',
	},
	{
		name: 'long attribute values, 1 KB each',
		xml: atLimit(HEAD, `<x b="${'x'.repeat(1000)}"/>`, TAIL),
		expect: 'parsed',
	},
	{
		name: 'unclosed attribute value',
		xml: atLimit('<msg><appmsg appid="', 'x>'),
		expect: /value of attribute "appid" is never closed/,
	},
	{
		name: 'many empty elements',
		xml: atLimit(HEAD, '<a/>', TAIL),
		expect: /more than 10000 elements/,
	},
	{
		name: 'open tags, nesting without end',
		xml: atLimit(HEAD, '<a>'),
		expect: /nests elements more than 64 deep/,
	},
	{ name: 'many closed comments', xml: atLimit(HEAD, '<!---->', TAIL), expect: 'parsed' },
	{
		name: 'bare ampersands',
		xml: atLimit(`${HEAD}<des>`, '&', `</des>${TAIL}`),
		expect: /"&" starts no/,
	},
	{
		name: 'one text of a megabyte',
		xml: atLimit(`${HEAD}<des>`, 'x', `</des>${TAIL}`),
		expect: 'parsed',
	},
];

/** The slowest of three runs, so one lucky run does not hide a slow check. */
function timeParse(xml: string): { ms: number; outcome: string } {
	let slowest = 0;
	let outcome = '';
	for (let run = 0; run < 3; run++) {
		const started = process.hrtime.bigint();
		try {
			parseAppMsgXml(xml, 'Message XML');
			outcome = 'parsed';
		} catch (error) {
			outcome = (error as Error).message;
		}
		slowest = Math.max(slowest, Number(process.hrtime.bigint() - started) / 1e6);
	}
	return { ms: slowest, outcome };
}

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({});
});
afterAll(async () => sim.close());
beforeEach(() => startFresh(sim));

test('every case is at the size limit', () => {
	for (const c of cases) {
		expect(c.xml.length).toBeLessThanOrEqual(MAX_MESSAGE_XML_CHARS);
		expect(c.xml.length).toBeGreaterThan(MAX_MESSAGE_XML_CHARS - 300);
	}
});

test(`${cases.length} hostile documents at 1 MB: each refused or parsed in milliseconds, errors short`, async () => {
	const timings = cases.map((c) => ({ c, ...timeParse(c.xml) }));
	const problems = timings.flatMap(({ c, ms, outcome }) => {
		const found: string[] = [];
		if (ms > BLOCKING_LIMIT_MS) found.push(`${c.name}: ${ms.toFixed(0)} ms`);
		if (c.expect === 'parsed' ? outcome !== 'parsed' : !c.expect.test(outcome))
			found.push(`${c.name}: ${outcome.slice(0, 200)}`);
		if (outcome.length > ERROR_LIMIT_CHARS)
			found.push(`${c.name}: an error of ${outcome.length} characters`);
		return found;
	});

	// The same documents through n8n: refused ones name the field and the item, nothing is sent.
	const run = await runWeChatNode({
		credentials: { baseUrl: sim.url, wxid: SENDER, timeout: 10 },
		items: cases.map((c, i) => ({ to: `wxid_h${i}`, xml: c.xml })),
		parameters: {
			operation: 'sendAppMsgXml',
			toUserName: '={{ $json.to }}',
			messageXml: '={{ $json.xml }}',
			options: FAST,
		},
		continueOnFail: true,
	});
	cases.forEach((c, i) => {
		const json = run.items.find((item) => (item.pairedItem as { item: number }).item === i)?.json;
		const error = String(json?.error ?? '');
		if (c.expect === 'parsed') {
			// A parsed document still has to be a message the gateway accepts; the point is time.
			return;
		}
		if (!c.expect.test(error) || !error.includes('"Message XML"') || !error.endsWith(`(item ${i})`))
			problems.push(`${c.name} through n8n: ${error.slice(0, 200) || 'no error'}`);
		if (error.length > ERROR_LIMIT_CHARS)
			problems.push(`${c.name} through n8n: an error of ${error.length} characters`);
		if (sim.messages.some((m) => m.toUserName === `wxid_h${i}`))
			problems.push(`${c.name}: sent although refused`);
	});

	const refused = timings.filter((t) => t.outcome !== 'parsed').length;
	recordCase({
		group: 'Hostile input, crafted XML at the 1 MB limit',
		name: `unclosed comment/CDATA/tag, many attributes, long values (${cases.length} documents)`,
		cases: cases.length,
		outcomes: {
			[`refused in under ${BLOCKING_LIMIT_MS} ms`]: refused,
			[`parsed in under ${BLOCKING_LIMIT_MS} ms`]: timings.length - refused,
			'slow, wrong or long error': problems.length,
		},
		lost: 0,
		duplicated: 0,
		misreported: problems.length,
		notes: timings.map(
			({ c, ms, outcome }) =>
				`${c.name}: ${ms.toFixed(1)} ms, ${outcome === 'parsed' ? 'parsed' : `refused (${outcome.length}-char error)`}`,
		),
	});
	expect(problems).toEqual([]);
});
