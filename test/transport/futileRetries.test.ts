/**
 * Only what can succeed is retried. A certificate that is not accepted, or a request undici
 * refuses to make, fails the same way every time: such a failure is reported at once (retrying
 * it only costs back-off and handshakes per item), still as "not sent", and what can pass (a
 * refused connection, a gateway that comes back) is still retried.
 */
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { deliver } from '../../nodes/WeChatGateway/delivery/deliver';
import { DEFAULT_SEND_OPTIONS } from '../../nodes/WeChatGateway/delivery/options';
import { GatewayClient, appMsgCall } from '../../nodes/WeChatGateway/transport/client';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import { readSentMessage } from '../../nodes/WeChatGateway/transport/reply';
import { account, recordAccounting, violations } from '../support/accounting';
import { batch, sendBatch, slotsOf } from '../support/engine';
import { TEST_TLS, startFresh, startSimulator, type Simulator } from '../support/simulators';

/** Long, so one back-off would show in the time however busy the machine is. */
const RETRY_DELAY_MS = 5000;

let tls: Simulator;
let plain: Simulator;
beforeAll(async () => {
	tls = await startSimulator({ tls: TEST_TLS, keepAlive: false });
	plain = await startSimulator({});
});
afterAll(async () => {
	await tls.close();
	await plain.close();
});
beforeEach(() => startFresh(tls, plain));

test('a certificate failure is reported at once: one handshake per item, no back-off', async () => {
	const b = batch('cert', 3);
	const connectionsBefore = tls.stats().connections;
	const started = Date.now();
	const run = await sendBatch(b, {
		baseUrl: tls.url,
		credentials: { ignoreSslIssues: false },
		continueOnFail: true,
		options: { retries: 2, retryDelay: RETRY_DELAY_MS },
	});
	const ms = Date.now() - started;
	const handshakes = tls.stats().connections - connectionsBefore;
	const accounting = recordAccounting(
		'Gateway faults',
		`self-signed certificate not accepted: not retried (3 items, ${handshakes} handshakes, ${ms} ms)`,
		account(slotsOf(b), run, tls.messages),
	);
	expect(violations(accounting)).toEqual([]);
	for (const item of run.items) {
		expect(item.json.delivery).toBe('notSent');
		expect(String(item.json.error)).toMatch(/certificate was not accepted/);
	}
	expect(handshakes).toBe(3);
	expect(ms).toBeLessThan(RETRY_DELAY_MS);
});

test('a request undici refuses to make is not retried; a refused connection still is', async () => {
	// Past the credential check (which refuses it), a header value undici cannot send.
	const invalid = new GatewayClient({
		baseUrl: plain.url,
		wxid: 'wxid_sender01',
		timeoutSeconds: 1,
		authHeader: { name: 'x-key', value: 'a\u0000b' },
		allowUnauthorizedCerts: false,
	});
	const options = {
		...DEFAULT_SEND_OPTIONS,
		messageInterval: 0,
		maxRecipientsPerMinute: 0,
		retries: 2,
		retryDelay: RETRY_DELAY_MS,
	};
	const started = Date.now();
	const error = await deliver(
		{ client: invalid, options, store: new InProcessStore() },
		0,
		'wxid_a',
		{
			call: appMsgCall('wxid_a', '<appmsg/>'),
			readReply: readSentMessage,
		},
	).then(
		() => undefined,
		(e: unknown) => e,
	);
	const ms = Date.now() - started;
	await invalid.close();
	expect(error).toBeInstanceOf(GatewayError);
	expect((error as GatewayError).reason).toBe('invalid');
	expect((error as GatewayError).delivery).toBe('notSent');
	expect((error as GatewayError).message).not.toContain('a\u0000b');
	expect(ms).toBeLessThan(RETRY_DELAY_MS);
	expect(plain.calls).toHaveLength(0);

	// Control: a refused connection can pass next time, so it is retried with back-off.
	const refused = new GatewayClient({
		baseUrl: 'http://127.0.0.1:1',
		wxid: 'wxid_sender01',
		timeoutSeconds: 1,
		allowUnauthorizedCerts: false,
	});
	const retriedStart = Date.now();
	const retried = await deliver(
		{ client: refused, options: { ...options, retryDelay: 100 }, store: new InProcessStore() },
		0,
		'wxid_a',
		{ call: appMsgCall('wxid_a', '<appmsg/>'), readReply: readSentMessage },
	).then(
		() => undefined,
		(e: unknown) => e,
	);
	await refused.close();
	expect((retried as GatewayError).reason).toBe('refused');
	expect(Date.now() - retriedStart).toBeGreaterThanOrEqual(100 + 200);
});
