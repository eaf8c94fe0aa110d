/**
 * The gateway behind the proxy n8n's environment names (HTTP_PROXY / HTTPS_PROXY), through a
 * real local CONNECT proxy: "Ignore SSL Issues" works behind it; its 407 is a proxy refusal
 * naming the proxy, not "the execution was stopped"; a proxy URL that does not parse is a clear
 * error without its password that honours Continue On Fail; a dead or unknown proxy is blamed
 * on the proxy, not the gateway. The proxy's password appears nowhere.
 */
import { setClientGraceMs } from '../support/node';
import { type NodeRun, batch, sendBatch, slotsOf } from '../support/engine';
import { account, recordAccounting, violations } from '../support/accounting';
import {
	TEST_TLS,
	closedPort,
	startFresh,
	startSimulator,
	type Simulator,
} from '../support/simulators';
import { captured, safeDump } from '../support/leaks';
import { startProxy, type TestProxy } from '../support/proxy';

const PROXY_PASSWORD = 'pa55-proxy-Secret';
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];

let plain: Simulator;
let tls: Simulator;
let open: TestProxy;
let guarded: TestProxy;
beforeAll(async () => {
	setClientGraceMs(300);
	plain = await startSimulator({});
	tls = await startSimulator({ tls: TEST_TLS });
	open = await startProxy();
	guarded = await startProxy({ user: 'n8n', password: PROXY_PASSWORD });
});
afterAll(async () => {
	setClientGraceMs();
	await Promise.all([plain.close(), tls.close(), open.close(), guarded.close()]);
});
beforeEach(() => startFresh(plain, tls));
afterEach(() => {
	for (const name of PROXY_VARIABLES) delete process.env[name];
});

const withPassword = (proxy: TestProxy, password = PROXY_PASSWORD) =>
	proxy.url.replace('http://', `http://n8n:${encodeURIComponent(password)}@`);

async function run(
	b: ReturnType<typeof batch>,
	sim: Simulator,
	continueOnFail: boolean,
	credentials: Record<string, unknown> = {},
): Promise<{ run: NodeRun; everything: string }> {
	const { result, logs } = await captured(() =>
		sendBatch(b, {
			baseUrl: sim.url,
			continueOnFail,
			credentials,
			options: { retries: 2, retryDelay: 50 },
		}),
	);
	const everything = [
		JSON.stringify(result.items),
		safeDump(result.error),
		safeDump(result.run.data),
		logs.join('\n'),
	].join('\n');
	return { run: result, everything };
}

/** The error of every slot: the output items', or the node's when it stopped. */
function errorsOf(r: NodeRun): string[] {
	const fromItems = r.items.map((item) => String(item.json.error ?? ''));
	return r.error ? [r.error.message] : fromItems;
}

describe.each([true, false])('continueOnFail=%s', (continueOnFail) => {
	test('HTTPS gateway behind HTTPS_PROXY: "Ignore SSL Issues" is honoured', async () => {
		process.env.HTTPS_PROXY = open.url;
		const tunnelsBefore = open.tunnels.length;
		const b = batch('px-tls', 3);
		const { run: r } = await run(b, tls, continueOnFail, { ignoreSslIssues: true });
		const accounting = recordAccounting(
			'Gateway faults',
			'proxy: HTTPS gateway with a self-signed certificate behind HTTPS_PROXY, Ignore SSL Issues on',
			account(slotsOf(b), r, tls.messages),
		);
		expect(violations(accounting)).toEqual([]);
		expect(r.error).toBeUndefined();
		expect(tls.messages).toHaveLength(3);
		// It really went through the proxy.
		expect(open.tunnels.length).toBeGreaterThan(tunnelsBefore);
		expect(open.tunnels.at(-1)).toBe(new URL(tls.url).host);
	});

	test('HTTPS gateway behind HTTPS_PROXY, Ignore SSL Issues off: refused, once per item', async () => {
		process.env.HTTPS_PROXY = open.url;
		const b = batch('px-tls-off', 2);
		const { run: r } = await run(b, tls, continueOnFail, { ignoreSslIssues: false });
		const accounting = recordAccounting(
			'Gateway faults',
			'proxy: self-signed certificate behind HTTPS_PROXY, Ignore SSL Issues off',
			account(slotsOf(b), r, tls.messages),
		);
		expect(violations(accounting)).toEqual([]);
		for (const error of errorsOf(r)) expect(error).toMatch(/certificate was not accepted/);
		expect(tls.messages).toHaveLength(0);
	});

	test('a 407 from the proxy is a proxy refusal naming the proxy, not retried', async () => {
		process.env.HTTP_PROXY = guarded.url;
		const refusedBefore = guarded.refused;
		const b = batch('px-407', 2);
		const { run: r, everything } = await run(b, plain, continueOnFail);
		const accounting = recordAccounting(
			'Gateway faults',
			'proxy: 407 Proxy Authentication Required (no credentials in HTTP_PROXY)',
			account(slotsOf(b), r, plain.messages),
		);
		expect(violations(accounting)).toEqual([]);
		for (const error of errorsOf(r)) {
			expect(error).toContain(`proxy 127.0.0.1:${guarded.port} (from HTTP_PROXY)`);
			expect(error).toMatch(/HTTP 407 Proxy Authentication Required/);
			expect(error).not.toMatch(/execution was stopped/);
		}
		expect(plain.calls).toHaveLength(0);
		// One try per item reached the proxy: asking again without credentials cannot succeed.
		expect(guarded.refused - refusedBefore).toBe(continueOnFail ? 2 : 1);
		expect(everything).not.toContain(PROXY_PASSWORD);
	});

	test('the right proxy credentials pass; wrong ones are a 407 without the password', async () => {
		process.env.HTTP_PROXY = withPassword(guarded);
		const ok = batch('px-auth', 2);
		const passed = await run(ok, plain, continueOnFail);
		expect(passed.run.error).toBeUndefined();
		expect(plain.messages).toHaveLength(2);
		expect(passed.everything).not.toContain(PROXY_PASSWORD);

		process.env.HTTP_PROXY = withPassword(guarded, `${PROXY_PASSWORD}-wrong`);
		const b = batch('px-auth-wrong', 2);
		const { run: r, everything } = await run(b, plain, continueOnFail);
		const accounting = recordAccounting(
			'Gateway faults',
			'proxy: wrong password in HTTP_PROXY (407)',
			account(slotsOf(b), r, plain.messages.slice(2)),
		);
		expect(violations(accounting)).toEqual([]);
		for (const error of errorsOf(r)) expect(error).toMatch(/HTTP 407/);
		expect(everything).not.toContain(PROXY_PASSWORD);
		expect(everything).not.toContain(encodeURIComponent(`${PROXY_PASSWORD}-wrong`));
	});

	test('a proxy URL that does not parse: a clear error, no password, Continue On Fail honoured', async () => {
		process.env.HTTP_PROXY = `http://n8n:${PROXY_PASSWORD}@[proxy host:3128`;
		const b = batch('px-bad', 2);
		const { run: r, everything } = await run(b, plain, continueOnFail);
		const accounting = recordAccounting(
			'Gateway faults',
			'proxy: HTTP_PROXY that is not a URL (with a password)',
			account(slotsOf(b), r, plain.messages),
		);
		expect(violations(accounting)).toEqual([]);
		if (continueOnFail) {
			expect(r.error).toBeUndefined();
			expect(r.items).toHaveLength(2);
		} else {
			expect(r.error).toBeDefined();
		}
		for (const error of errorsOf(r))
			expect(error).toMatch(/proxy set in n8n's environment \(HTTP_PROXY\) is not a valid URL/);
		expect(everything).not.toContain(PROXY_PASSWORD);
		expect(everything).not.toMatch(/TypeError|Invalid URL/);
		expect(plain.calls).toHaveLength(0);
	});

	test('a dead proxy is blamed on the proxy, not the gateway', async () => {
		const port = await closedPort();
		process.env.HTTP_PROXY = `http://n8n:${PROXY_PASSWORD}@127.0.0.1:${port}`;
		const b = batch('px-dead', 2);
		const { run: r, everything } = await run(b, plain, continueOnFail);
		const accounting = recordAccounting(
			'Gateway faults',
			'proxy: nothing listening at HTTP_PROXY',
			account(slotsOf(b), r, plain.messages),
		);
		expect(violations(accounting)).toEqual([]);
		for (const error of errorsOf(r)) {
			expect(error).toContain(
				`Connection refused by the proxy 127.0.0.1:${port} (from HTTP_PROXY)`,
			);
			expect(error).not.toContain(`refused by ${new URL(plain.url).host}`);
		}
		expect(everything).not.toContain(PROXY_PASSWORD);
	});

	test('an unknown proxy host is blamed on the proxy', async () => {
		process.env.HTTP_PROXY = 'http://proxy.invalid:3128';
		const b = batch('px-dns', 1);
		const { run: r } = await run(b, plain, continueOnFail);
		const accounting = recordAccounting(
			'Gateway faults',
			'proxy: HTTP_PROXY host that does not resolve',
			account(slotsOf(b), r, plain.messages),
		);
		expect(violations(accounting)).toEqual([]);
		for (const error of errorsOf(r))
			expect(error).toMatch(
				/proxy host "proxy\.invalid" \(from HTTP_PROXY\) could not be resolved/,
			);
	});
});
