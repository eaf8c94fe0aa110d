/**
 * Bad input through n8n's engine: hostile received-message XML, bad recipients (listed and
 * generated), a bad Base URL and missing credential fields. Each gets its own clear error that
 * names the field (and the item), quickly and with bounded memory, before any call is made.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { runWeChatNode, type NodeRun, FAST, SENDER, LINK_TO_EACH_ITEM } from '../support/engine';
import {
	account,
	recordAccounting,
	recordCase,
	violations,
	type Slot,
} from '../support/accounting';
import { runDirect } from '../support/direct';
import { useSimulators } from '../support/simulators';
import { hostileNonBlank } from '../support/hostile';
import { readXmlStrict, valueAt } from '../support/xmlRead';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const GROUP = 'Bad input (engine): refused before any call';

const sims = useSimulators({ plain: {} });

const credentials = () => ({ baseUrl: sims.plain.url, wxid: SENDER, timeout: 10 });
const LINK =
	'<appmsg appid="" sdkver="0"><title>t</title><des>d</des><type>5</type><url>https://example.com/</url></appmsg>';

function errorsByItem(run: NodeRun): Map<number, IDataObject> {
	return new Map(run.items.map((i) => [(i.pairedItem as { item: number }).item, i.json]));
}

/** Samples the heap while `work` runs; returns its result, the peak growth and the time taken. */
async function measured<T>(
	work: () => Promise<T>,
): Promise<{ result: T; peakGrowthMb: number; ms: number }> {
	const base = process.memoryUsage().heapUsed;
	let peak = base;
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 2);
	const started = Date.now();
	try {
		const result = await work();
		peak = Math.max(peak, process.memoryUsage().heapUsed);
		return { result, peakGrowthMb: (peak - base) / 2 ** 20, ms: Date.now() - started };
	} finally {
		clearInterval(timer);
	}
}

describe('Message XML that must never be parsed or sent', () => {
	const deep = (levels: number) =>
		`<msg><appmsg appid="" sdkver="0">${'<a>'.repeat(levels)}x${'</a>'.repeat(levels)}<type>5</type></appmsg></msg>`;
	const laughs = [
		'<?xml version="1.0"?>',
		'<!DOCTYPE lolz [',
		'<!ENTITY lol "lol">',
		...Array.from(
			{ length: 9 },
			(_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
		),
		']>',
		'<msg><appmsg appid="" sdkver="0"><title>&lol9;</title><type>5</type><url>https://e.com</url></appmsg></msg>',
	].join('\n');
	const cases: Array<{ name: string; xml: string; error: RegExp }> = [
		{
			name: 'DOCTYPE',
			xml: `<!DOCTYPE msg><msg>${LINK}</msg>`,
			error: /DOCTYPE or ENTITY declaration/,
		},
		{
			name: 'external entity (XXE)',
			xml: `<?xml version="1.0"?><!DOCTYPE msg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><msg><appmsg appid="" sdkver="0"><title>&xxe;</title><type>5</type><url>https://e.com</url></appmsg></msg>`,
			error: /DOCTYPE or ENTITY declaration/,
		},
		{
			name: 'external DTD',
			xml: `<!DOCTYPE msg SYSTEM "http://127.0.0.1:1/evil.dtd"><msg>${LINK}</msg>`,
			error: /DOCTYPE or ENTITY declaration/,
		},
		{
			name: 'entity-expansion bomb (billion laughs)',
			xml: laughs,
			error: /DOCTYPE or ENTITY declaration/,
		},
		{
			name: 'ENTITY without DOCTYPE',
			xml: `<!ENTITY x "y"><msg>${LINK}</msg>`,
			error: /DOCTYPE or ENTITY declaration/,
		},
		{ name: 'nesting 65 deep', xml: deep(63), error: /nests elements more than 64 deep/ },
		{ name: 'nesting 100,000 deep', xml: deep(100_000), error: /nests elements more than 64 deep/ },
		{
			name: '__proto__ element',
			xml: `<msg><appmsg appid="" sdkver="0"><__proto__><polluted>1</polluted></__proto__><title>t</title><type>5</type><url>https://e.com</url></appmsg></msg>`,
			error: /__proto__/,
		},
		{
			name: 'constructor element',
			xml: `<appmsg appid="" sdkver="0"><constructor><prototype>1</prototype></constructor><title>t</title><type>5</type><url>https://e.com</url></appmsg>`,
			error: /constructor/,
		},
		{
			name: 'prototype element',
			xml: `<appmsg appid="" sdkver="0"><prototype/><title>t</title><type>5</type><url>https://e.com</url></appmsg>`,
			error: /prototype/,
		},
		{
			name: '5 MB document',
			xml: `<msg><appmsg appid="" sdkver="0"><title>${'x'.repeat(5 * 1024 * 1024)}</title><type>5</type></appmsg></msg>`,
			error: /characters long; an app message is at most/,
		},
		{ name: 'not XML', xml: 'hello, world', error: /has no <appmsg> element|not well-formed/ },
		{
			name: 'JSON instead of XML',
			xml: '{"appmsg":{"title":"t"}}',
			error: /has no <appmsg> element|not well-formed/,
		},
		{ name: 'unclosed element', xml: '<msg><appmsg><title>t</title>', error: /not well-formed/ },
		{ name: 'two roots', xml: `${LINK}${LINK}`, error: /not well-formed|has no <appmsg>/ },
		{ name: 'empty', xml: '', error: /is empty/ },
		{ name: 'blank', xml: ' \n\t ', error: /is empty/ },
		{
			name: 'control character',
			xml: `<msg><appmsg appid="" sdkver="0"><title>a\u0001b</title><type>5</type></appmsg></msg>`,
			error: /contains the character U\+0001/,
		},
		{
			name: 'no type',
			xml: '<appmsg appid="" sdkver="0"><title>t</title></appmsg>',
			error: /has no numeric <type>/,
		},
	];

	test(`${cases.length} hostile documents: each refused naming the field and the item, quickly, with bounded memory`, async () => {
		const {
			result: run,
			peakGrowthMb,
			ms,
		} = await measured(() =>
			runWeChatNode({
				credentials: credentials(),
				items: cases.map((c, i) => ({ to: `wxid_x${i}`, xml: c.xml })),
				parameters: {
					operation: 'sendAppMsgXml',
					toUserName: '={{ $json.to }}',
					messageXml: '={{ $json.xml }}',
					options: FAST,
				},
				continueOnFail: true,
			}),
		);
		const errors = errorsByItem(run);
		const problems = cases.flatMap((c, i) => {
			const error = String(errors.get(i)?.error ?? '');
			const ok =
				c.error.test(error) && error.includes('"Message XML"') && error.endsWith(`(item ${i})`);
			return ok ? [] : [`${c.name} (item ${i}): ${error.slice(0, 200) || 'no error'}`];
		});
		recordCase({
			group: GROUP,
			name: 'Message XML: DOCTYPE, XXE, entity bomb, deep nesting, __proto__, 5 MB, not XML',
			cases: cases.length,
			outcomes: {
				'refused, field and item named': cases.length - problems.length,
				other: problems.length,
			},
			lost: 0,
			duplicated: 0,
			misreported: sims.plain.messages.length,
		});
		expect(problems).toEqual([]);
		expect(sims.plain.calls).toHaveLength(0);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		// The whole batch, 5 MB document included, in seconds and a bounded amount of memory:
		// expanding the bomb alone would take gigabytes.
		expect(ms).toBeLessThan(10_000);
		expect(peakGrowthMb).toBeLessThan(400);
	}, 30_000);

	test("an entity that is not one of XML's five is never expanded: it arrives as the literal text", async () => {
		const run = await runWeChatNode({
			credentials: credentials(),
			items: [
				{
					xml: '<appmsg appid="" sdkver="0"><title>&xxe; &amp;lt; &#x41;</title><type>5</type><url>https://e.com/</url></appmsg>',
				},
			],
			parameters: {
				operation: 'sendAppMsgXml',
				toUserName: 'wxid_lit',
				messageXml: '={{ $json.xml }}',
				options: FAST,
			},
			continueOnFail: true,
		});
		if (run.items[0].json.error) {
			expect(run.items[0].json.error).toMatch(/"Message XML".*\(item 0\)/);
			expect(sims.plain.calls).toHaveLength(0);
		} else {
			expect(valueAt(readXmlStrict(sims.plain.messages[0].appMsgXml), ['title'])).toBe(
				'&xxe; &lt; A',
			);
		}
	});

	test(`generated text inside a received message is forwarded exactly (1,000 cases, seed ${SEED})`, async () => {
		const escape = (s: string) =>
			s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
		const escapeAttr = (s: string) =>
			escape(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
		const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
		const cases = fc.sample(fc.tuple(hostileNonBlank, hostileNonBlank, hostileNonBlank), {
			numRuns: 1000,
			seed: SEED,
		});
		// CR inside CDATA cannot survive any XML parser (line ends are normalised), so a received
		// message never holds one there; the description uses CDATA only for text without CR.
		const inCdata = (des: string) => !des.includes('\r');
		const items = cases.map(([title, des, appid], i) => ({
			to: `wxid_m${i}`,
			title,
			des,
			appid,
			xml: `<msg><appmsg appid="${escapeAttr(appid)}" sdkver="0"><title>${escape(title)}</title><des>${
				inCdata(des) ? cdata(des) : escape(des)
			}</des><type>5</type><url>https://example.com/</url></appmsg><fromusername>wxid_someone</fromusername></msg>`,
		}));
		const run = await runDirect({
			credentials: credentials(),
			items,
			parameters: {
				operation: 'sendAppMsgXml',
				toUserName: (item: IDataObject) => item.to,
				messageXml: (item: IDataObject) => item.xml,
				options: FAST,
			},
			continueOnFail: true,
		});
		const slots: Slot[] = items.map((item, itemIndex) => ({
			itemIndex,
			recipient: item.to,
			title: '',
		}));
		const accounting = account(
			slots,
			{ ...run, run: undefined as never, tries: 1 } as NodeRun,
			sims.plain.messages,
			{
				belongs: (slot, m) => m.toUserName === slot.recipient,
			},
		);
		const byTo = new Map(sims.plain.messages.map((m) => [m.toUserName, m]));
		const mismatches = items.flatMap((item, i) => {
			const message = byTo.get(item.to);
			if (!message)
				return [`item ${i}: not sent: ${String(errorsByItem(run as NodeRun).get(i)?.error)}`];
			const root = readXmlStrict(message.appMsgXml);
			const got = [valueAt(root, ['title']), valueAt(root, ['des']), valueAt(root, ['@appid'])];
			return got[0] === item.title && got[1] === item.des && got[2] === item.appid
				? []
				: [`item ${i}: ${JSON.stringify(got).slice(0, 300)}`];
		});
		recordAccounting(
			'Hostile input, generated (fast-check)',
			'Message XML: generated text in a received message, forwarded (1,000 × 3 fields)',
			accounting,
			{
				cases: 3000,
				misreported: accounting.misreported + mismatches.length,
			},
		);
		expect(mismatches.slice(0, 10)).toEqual([]);
		expect(violations(accounting)).toEqual([]);
	}, 60_000);
});

// Text inside CDATA is content: a received article that mentions "<!DOCTYPE html>" or quotes
// many tags declares and nests nothing, and must go out.
test('a DOCTYPE spelled inside CDATA is text, not a declaration, and is forwarded', async () => {
	const xml =
		'<msg><appmsg appid="" sdkver="0"><title>HTML basics</title><des><![CDATA[Every page starts with <!DOCTYPE html>]]></des><type>5</type><url>https://example.com/</url></appmsg></msg>';
	const run = await runWeChatNode({
		credentials: credentials(),
		items: [{ xml }],
		parameters: {
			operation: 'sendAppMsgXml',
			toUserName: 'wxid_reader',
			messageXml: '={{ $json.xml }}',
			options: FAST,
		},
		continueOnFail: true,
	});
	expect(run.items[0].json.error).toBeUndefined();
	expect(valueAt(readXmlStrict(sims.plain.messages[0].appMsgXml), ['des'])).toBe(
		'Every page starts with <!DOCTYPE html>',
	);
});

test('tag-like text inside CDATA is not nesting: an article quoting 100 tags is forwarded', async () => {
	const quoted = '<div>'.repeat(100);
	const xml = `<msg><appmsg appid="" sdkver="0"><title>HTML</title><des><![CDATA[${quoted}]]></des><type>5</type><url>https://example.com/</url></appmsg></msg>`;
	const run = await runWeChatNode({
		credentials: credentials(),
		items: [{ xml }],
		parameters: {
			operation: 'sendAppMsgXml',
			toUserName: 'wxid_reader',
			messageXml: '={{ $json.xml }}',
			options: FAST,
		},
		continueOnFail: true,
	});
	expect(run.items[0].json.error).toBeUndefined();
	expect(valueAt(readXmlStrict(sims.plain.messages[0].appMsgXml), ['des'])).toBe(quoted);
});

describe('recipients', () => {
	const bad: Array<[string, IDataObject[string], RegExp]> = [
		['empty', '', /"To" is empty/],
		['blank', '   ', /"To" is empty/],
		['only separators', ' ,;，、\n ', /"To" is empty/],
		['a nickname', 'Zhang San', /"To" has "Zhang San", which is not a WeChat ID/],
		['CJK name', '张三', /"To" has "张三", which is not a WeChat ID/],
		[
			'markup',
			'<script>alert(1)</script>',
			/"To" has "<script>alert\(1\)<\/script>", which is not a WeChat ID/,
		],
		['one bad among good', 'wxid_ok1, wxid ok2', /"To" has "wxid ok2"/],
		['too long', `wxid_${'a'.repeat(130)}`, /"To" has "wxid_a+", which is not a WeChat ID/],
		['emoji', 'wxid_😀', /which is not a WeChat ID/],
		['NUL', 'wxid_a\u0000', /which is not a WeChat ID/],
		['RTL override', 'wxid_\u202eabc', /which is not a WeChat ID/],
		['an object', { id: 'wxid_a' }, /"To" must be text or a list of texts, got object/],
		[
			'a list holding an object',
			['wxid_a', { id: 'wxid_b' }],
			/"To" must be text or a list of texts, got object/,
		],
		['a boolean', true, /"To" must be text or a list of texts, got boolean/],
		['null', null, /"To" is empty/],
	];

	test(`${bad.length} bad recipients: each refused naming "To" and the item, nothing sent`, async () => {
		const run = await runWeChatNode({
			credentials: credentials(),
			items: bad.map(([, to], i) => ({ to, title: `r-${i}` })),
			parameters: {
				operation: 'sendLink',
				toUserName: '={{ $json.to }}',
				title: '={{ $json.title }}',
				url: 'https://example.com/',
				options: FAST,
			},
			continueOnFail: true,
		});
		const errors = errorsByItem(run);
		const problems = bad.flatMap(([name, , pattern], i) => {
			const error = String(errors.get(i)?.error ?? '');
			return pattern.test(error) && error.endsWith(`(item ${i})`)
				? []
				: [`${name}: ${error || 'no error'}`];
		});
		recordCase({
			group: GROUP,
			name: 'recipients: empty, nickname, markup, too long, emoji, NUL, objects',
			cases: bad.length,
			outcomes: {
				'refused, field and item named': bad.length - problems.length,
				other: problems.length,
			},
			lost: 0,
			duplicated: 0,
			misreported: sims.plain.messages.length,
		});
		expect(problems).toEqual([]);
		expect(sims.plain.calls).toHaveLength(0);
	});

	test(`generated recipient lists (1,000, seed ${SEED}): sent to exactly the valid IDs, once each, or refused naming "To"`, async () => {
		const id = fc.stringMatching(/^[A-Za-z0-9_@.-]{1,20}$/);
		const junk = fc.oneof(
			hostileNonBlank,
			fc.constantFrom('nick name', '张三', '', ' ', 'a'.repeat(129), 'wxid_a!'),
		);
		const part = fc.oneof({ weight: 4, arbitrary: id }, { weight: 1, arbitrary: junk });
		const separator = fc.constantFrom(',', ';', '\n', '\r\n', '，', '、', '；', ' , ', ',,');
		const list = fc
			.tuple(fc.array(part, { minLength: 0, maxLength: 4 }), separator)
			.map(([parts, sep]) => parts.join(sep));
		const cases = fc.sample(list, { numRuns: 1000, seed: SEED });
		/** An independent reading of the documented rule. */
		const expected = (text: string): { ids: string[] } | { error: true } => {
			const parts = text
				.split(/[,;\n\r，、；]/)
				.map((p) => p.trim())
				.filter((p) => p !== '');
			const ids = [...new Set(parts)];
			if (ids.length === 0 || ids.some((p) => !/^[A-Za-z0-9_@.-]{1,128}$/.test(p)))
				return { error: true };
			return { ids };
		};
		const items = cases.map((to, i) => ({ to, title: `g-${i}` }));
		const run = await runDirect({
			credentials: credentials(),
			items,
			parameters: {
				operation: 'sendLink',
				toUserName: (item: IDataObject) => item.to,
				title: (item: IDataObject) => item.title,
				url: 'https://example.com/',
				options: FAST,
			},
			continueOnFail: true,
		});
		const problems: string[] = [];
		const slots: Slot[] = [];
		items.forEach((item, i) => {
			const want = expected(item.to);
			const outputs = run.items.filter((o) => (o.pairedItem as { item: number }).item === i);
			const sent = sims.plain.messages.filter((m) => m.appMsgXml.includes(`<title>g-${i}</title>`));
			if ('error' in want) {
				if (
					outputs.length !== 1 ||
					!/"To" (is empty|has ")/.test(String(outputs[0].json.error)) ||
					!String(outputs[0].json.error).endsWith(`(item ${i})`)
				) {
					problems.push(
						`item ${i} ${JSON.stringify(item.to)}: expected a "To" error, got ${JSON.stringify(outputs.map((o) => o.json.error ?? o.json.ToUserName))}`,
					);
				}
				if (sent.length) problems.push(`item ${i}: refused but sent`);
				return;
			}
			for (const recipient of want.ids) slots.push({ itemIndex: i, recipient, title: `g-${i}` });
			const order = sent.map((m) => m.toUserName);
			if (JSON.stringify(order) !== JSON.stringify(want.ids))
				problems.push(
					`item ${i} ${JSON.stringify(item.to)}: sent to ${JSON.stringify(order)}, expected ${JSON.stringify(want.ids)}`,
				);
		});
		const accounting = account(
			slots,
			{ items: run.items, run: undefined as never, tries: 1 },
			sims.plain.messages,
		);
		recordAccounting(
			'Hostile input, generated (fast-check)',
			'recipient lists: valid IDs, junk, every separator (1,000)',
			accounting,
			{
				cases: 1000,
				outcomes: {
					...accounting.outcomes,
					'refused ("To")': items.filter((it) => 'error' in expected(it.to)).length,
				},
				misreported: accounting.misreported + problems.length,
			},
		);
		expect(problems.slice(0, 10)).toEqual([]);
		expect(violations(accounting)).toEqual([]);
	}, 60_000);
});

describe('credentials: a clear error naming the field, before any connection', () => {
	const cases: Array<[string, Record<string, unknown>, RegExp]> = [
		['Base URL missing', { baseUrl: undefined }, /"Gateway Base URL" is empty/],
		['Base URL blank', { baseUrl: '   ' }, /"Gateway Base URL" is empty/],
		['Base URL not a URL', { baseUrl: 'gateway on port 8080' }, /"Gateway Base URL" is not a URL/],
		[
			'Base URL ftp',
			{ baseUrl: 'ftp://127.0.0.1/' },
			/"Gateway Base URL" must start with http:\/\/ or https:\/\//,
		],
		[
			'Base URL javascript:',
			{ baseUrl: 'javascript:alert(1)' },
			/"Gateway Base URL" must start with http:\/\/ or https:\/\//,
		],
		[
			'Base URL file:',
			{ baseUrl: 'file:///etc/passwd' },
			/"Gateway Base URL" must start with http:\/\/ or https:\/\//,
		],
		[
			'Base URL with a query',
			{ baseUrl: 'http://127.0.0.1:8080/?x=1' },
			/"Gateway Base URL" must not contain a query/,
		],
		[
			'Base URL with a fragment',
			{ baseUrl: 'http://127.0.0.1:8080/#x' },
			/"Gateway Base URL" must not contain a query \(\?…\) or fragment/,
		],
		[
			'Base URL with user and password',
			{ baseUrl: 'http://admin:hunter2@127.0.0.1:8080' },
			/"Gateway Base URL" must not contain a user name or password/,
		],
		['wxid missing', { wxid: undefined }, /"Sending Account wxid" is empty/],
		['wxid with a space', { wxid: 'wxid a' }, /"Sending Account wxid" must be a WeChat ID/],
		[
			'wxid with a query',
			{ wxid: 'wxid_a&wxid=wxid_b' },
			/"Sending Account wxid" must be a WeChat ID/,
		],
		['timeout 0', { timeout: 0 }, /"Timeout \(Seconds\)" must be a whole number from 1 to 300/],
		['timeout 301', { timeout: 301 }, /"Timeout \(Seconds\)" must be a whole number from 1 to 300/],
		['timeout text', { timeout: 'soon' }, /"Timeout \(Seconds\)" must be a whole number/],
		[
			'header name missing',
			{ authentication: 'header', authHeaderName: '', authHeaderSecret: 's3cret' },
			/"Header Name" must be a valid HTTP header name/,
		],
		[
			'header name invalid',
			{ authentication: 'header', authHeaderName: 'X Api Key', authHeaderSecret: 's3cret' },
			/"Header Name" must be a valid HTTP header name/,
		],
		[
			'header secret missing',
			{ authentication: 'header', authHeaderName: 'Authorization', authHeaderSecret: '' },
			/"Header Value" is empty/,
		],
		[
			'header secret with a line break',
			{
				authentication: 'header',
				authHeaderName: 'Authorization',
				authHeaderSecret: 'Bearer a\r\nX-Evil: 1',
			},
			/"Header Value" contains a line break/,
		],
	];

	test.each(cases)('%s', async (name, override, pattern) => {
		const before = sims.plain.stats().connections;
		for (const continueOnFail of [false, true]) {
			const run = await runWeChatNode({
				credentials: { ...credentials(), ...override },
				items: [{ to: 'wxid_a' }, { to: 'wxid_b' }],
				parameters: LINK_TO_EACH_ITEM,
				continueOnFail,
			});
			expect(run.error?.message).toMatch(pattern);
			expect(run.error?.message).toMatch(/^WeChat Gateway API credential: /);
			expect(run.error?.description).toMatch(/Open the credential and fix "/);
			// The secret a bad header would have carried is not repeated.
			expect(JSON.stringify(run.error)).not.toContain('X-Evil');
			expect(JSON.stringify(run.error)).not.toContain('hunter2');
		}
		expect(sims.plain.calls).toHaveLength(0);
		expect(sims.plain.stats().connections).toBe(before);
		recordCase({
			group: GROUP,
			name: `credential: ${name}`,
			cases: 2,
			outcomes: { 'refused, field named': 2 },
			lost: 0,
			duplicated: 0,
			misreported: sims.plain.messages.length,
		});
	});
});
