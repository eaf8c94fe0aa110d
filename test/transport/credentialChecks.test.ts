/**
 * Credential fields that cannot work are refused when the credential is read, naming the field,
 * before any connection, and without repeating a secret: a Base URL that does not parse (with a
 * password in it), header names the node or HTTP sets itself, header values with control
 * characters or text outside Latin-1.
 */
import { runWeChatNode, SENDER, LINK_TO_EACH_ITEM } from '../support/engine';
import { recordCase } from '../support/accounting';
import { startFresh, startSimulator, type Simulator } from '../support/simulators';

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({});
});
afterAll(async () => sim.close());
beforeEach(() => startFresh(sim));

const header = (name: string, value: string) => ({
	authentication: 'header',
	authHeaderName: name,
	authHeaderSecret: value,
});

interface CredentialCase {
	name: string;
	override: Record<string, unknown>;
	error: RegExp;
	field: string;
	/** Text that must appear nowhere in the error. */
	secret?: string;
}

const baseUrlCases: CredentialCase[] = [
	{
		name: 'Base URL that does not parse, with a password (port out of range)',
		override: { baseUrl: 'http://admin:S3cretPassw0rd@gateway.example:99999' },
		error: /"Gateway Base URL" is not a URL \(expected/,
		field: 'Gateway Base URL',
		secret: 'S3cretPassw0rd',
	},
	{
		name: 'Base URL that does not parse, with a password (space in the host)',
		override: { baseUrl: 'https://bob:hunter2hunter2@gate way:8080' },
		error: /"Gateway Base URL" is not a URL/,
		field: 'Gateway Base URL',
		secret: 'hunter2hunter2',
	},
	{
		name: 'Base URL that does not parse, without @, is quoted (cut short)',
		override: { baseUrl: `http://[not-an-ip]:8080/${'p'.repeat(300)}` },
		error: /"Gateway Base URL" is not a URL: "http:\/\/\[not-an-ip\]:8080\/p+…" \(expected/,
		field: 'Gateway Base URL',
	},
];

const headerCases: CredentialCase[] = [
	...[
		'Content-Length',
		'Transfer-Encoding',
		'Host',
		'Content-Type',
		'Connection',
		'accept',
		'TE',
		'Upgrade',
	].map((name) => ({
		name: `header name ${name}`,
		override: header(name, 'value-123'),
		error: new RegExp(`"Header Name" cannot be ${name}: the node sets that header itself`),
		field: 'Header Name',
	})),
	{
		name: 'header value with a tab inside is kept, with ESC refused',
		override: header('X-Key', 'abc\u001bdefSECRETPART'),
		error: /"Header Value" contains a control character \(position 4\)/,
		field: 'Header Value',
		secret: 'SECRETPART',
	},
	{
		name: 'header value with DEL',
		override: header('X-Key', 'SECRETPART\u007f'),
		error: /"Header Value" contains a control character \(position 11\)/,
		field: 'Header Value',
		secret: 'SECRETPART',
	},
	{
		name: 'header value with Chinese text',
		override: header('X-Key', 'SECRETPART密钥'),
		error: /"Header Value" contains a character outside Latin-1 \(position 11\)/,
		field: 'Header Value',
		secret: 'SECRETPART',
	},
	{
		name: 'header value with an emoji',
		override: header('Authorization', 'Bearer SECRETPART🔑'),
		error: /outside Latin-1/,
		field: 'Header Value',
		secret: 'SECRETPART',
	},
];

async function refusedBeforeAnyCall(c: CredentialCase, group: string): Promise<void> {
	const before = sim.stats().connections;
	for (const continueOnFail of [false, true]) {
		const run = await runWeChatNode({
			credentials: { baseUrl: sim.url, wxid: SENDER, timeout: 10, ...c.override },
			items: [{ to: 'wxid_a' }],
			parameters: LINK_TO_EACH_ITEM,
			continueOnFail,
		});
		expect(run.error?.message).toMatch(c.error);
		expect(run.error?.message).toMatch(/^WeChat Gateway API credential: /);
		expect(run.error?.description).toContain(`Open the credential and fix "${c.field}"`);
		if (c.secret) {
			expect(JSON.stringify(run.error)).not.toContain(c.secret);
			expect(String(run.error?.message)).not.toContain(c.secret);
		}
	}
	expect(sim.calls).toHaveLength(0);
	expect(sim.stats().connections).toBe(before);
	recordCase({
		group,
		name: `credential: ${c.name}`,
		cases: 2,
		outcomes: { 'refused, field named, nothing quoted': 2 },
		lost: 0,
		duplicated: 0,
		misreported: sim.messages.length,
	});
}

describe('a Base URL that does not parse is not quoted back with its password', () => {
	test.each(baseUrlCases)('$name', (c) =>
		refusedBeforeAnyCall(c, 'Bad input (engine): refused before any call'),
	);
});

describe('header names and values that cannot work are refused when the credential is read', () => {
	test.each(headerCases)('$name', (c) =>
		refusedBeforeAnyCall(c, 'Bad input (engine): refused before any call'),
	);

	test('a tab and Latin-1 letters in a value are fine, and arrive as given', async () => {
		const value = 'Bearer a\tb-é-ß';
		const run = await runWeChatNode({
			credentials: { baseUrl: sim.url, wxid: SENDER, timeout: 10, ...header('X-Key', value) },
			items: [{ to: 'wxid_a' }],
			parameters: LINK_TO_EACH_ITEM,
		});
		expect(run.error).toBeUndefined();
		expect(Buffer.from(String(sim.calls[0]?.headers['x-key']), 'latin1').toString('latin1')).toBe(
			value,
		);
	});
});
