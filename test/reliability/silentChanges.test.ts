/**
 * A forwarded message is the message that was received, or an error: never a quietly changed
 * copy. The XML parser drops the text of processing instructions and renames elements called
 * `hasOwnProperty`, `toString` or `valueOf` (to `__hasOwnProperty`, …); such documents are
 * refused, naming the field and the item, and nothing is sent.
 */
import { runWeChatNode, FAST, SENDER } from '../support/engine';
import { recordCase } from '../support/accounting';
import { startFresh, startSimulator, type Simulator } from '../support/simulators';

const link = (inner: string, attributes = '') =>
	`<msg><appmsg appid="" sdkver="0"${attributes}><title>t</title><type>5</type><url>https://example.com/</url>${inner}</appmsg></msg>`;

const refused: Array<{ name: string; xml: string; reason: RegExp }> = [
	{
		name: 'processing instruction with text',
		xml: link('<des>a<?note keep me?>b</des>'),
		reason: /processing instruction \(<\?note …\?>\).*refused/,
	},
	{
		name: 'processing instruction before the root',
		xml: `<?xml-stylesheet href="x.xsl"?>${link('')}`,
		reason: /processing instruction/,
	},
	{
		name: 'XML declaration not first',
		xml: `${link('').slice(0, 5)}<?xml version="1.0"?>${link('').slice(5)}`,
		reason: /XML declaration .* must come first/,
	},
	...['hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'constructor'].map((name) => ({
		name: `element <${name}>`,
		xml: link(`<${name}>v</${name}>`),
		reason: new RegExp(`element named "${name}", a reserved name`),
	})),
	{
		name: 'attribute toString="…"',
		xml: link('', ' toString="v"'),
		reason: /attribute named "toString"/,
	},
];

const kept: Array<{ name: string; xml: string; reason?: undefined }> = [
	{ name: 'XML declaration first', xml: `<?xml version="1.0" encoding="UTF-8"?>${link('')}` },
	{ name: 'element <tostring> (other case)', xml: link('<tostring>v</tostring>') },
];

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({});
});
afterAll(async () => sim.close());
beforeEach(() => startFresh(sim));

test.each(['parseAppMsgXml', 'sendAppMsgXml'])(
	'%s: silent changes are refused naming the field and the item; the rest is kept',
	async (operation) => {
		const all = [...refused, ...kept];
		const run = await runWeChatNode({
			credentials: { baseUrl: sim.url, wxid: SENDER, timeout: 10 },
			items: all.map((c, i) => ({ to: `wxid_s${i}`, xml: c.xml })),
			parameters: {
				operation,
				toUserName: '={{ $json.to }}',
				messageXml: '={{ $json.xml }}',
				options: FAST,
			},
			continueOnFail: true,
		});
		const problems: string[] = [];
		all.forEach((c, i) => {
			const json = run.items.find((item) => (item.pairedItem as { item: number }).item === i)?.json;
			const error = String(json?.error ?? '');
			if (c.reason) {
				if (
					!c.reason.test(error) ||
					!error.includes('"Message XML"') ||
					!error.endsWith(`(item ${i})`)
				)
					problems.push(`${c.name}: ${error.slice(0, 200) || 'not refused'}`);
				if (sim.messages.some((m) => m.toUserName === `wxid_s${i}`))
					problems.push(`${c.name}: sent although refused`);
			} else if (error) {
				problems.push(`${c.name}: refused: ${error.slice(0, 200)}`);
			}
		});
		// What was kept arrives with the element under its own name.
		if (operation === 'sendAppMsgXml') {
			const sent = sim.messages.find((m) => m.toUserName === `wxid_s${all.length - 1}`);
			if (!sent?.appMsgXml.includes('<tostring>v</tostring>'))
				problems.push(`<tostring> did not arrive unchanged: ${sent?.appMsgXml.slice(0, 200)}`);
		}
		recordCase({
			group: 'Hostile input, crafted XML',
			name: `processing instructions, reserved element names: refused, never changed (${operation})`,
			cases: all.length,
			outcomes: {
				'refused, field and item named': refused.length,
				'kept as received': kept.length,
				'changed silently or misreported': problems.length,
			},
			lost: 0,
			duplicated: 0,
			misreported: problems.length,
		});
		expect(problems).toEqual([]);
	},
);
