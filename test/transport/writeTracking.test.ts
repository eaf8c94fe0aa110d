/**
 * Whether a request may have reached the gateway decides whether a retry can duplicate it.
 * These tests pin the classification where it is hardest: requests that wait in undici's pool
 * queue for a connection, several in flight at once, and connections that die before or after
 * the request was written.
 */
import { GatewayClient, appMsgCall } from '../../nodes/WeChatGateway/transport/client';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import { readSentMessage } from '../../nodes/WeChatGateway/transport/reply';
import { TEST_TLS, startSimulator, type Simulator } from '../support/simulators';

const XML =
	'<appmsg appid="" sdkver="0"><title>t</title><type>5</type><url>https://example.com/</url></appmsg>';

let sims: Simulator[] = [];
let clients: GatewayClient[] = [];
afterEach(async () => {
	await Promise.all(clients.map((c) => c.close()));
	await Promise.all(sims.map((s) => s.close()));
	sims = [];
	clients = [];
});

async function simulator(options: Parameters<typeof startSimulator>[0]) {
	const sim = await startSimulator(options);
	sims.push(sim);
	return sim;
}

/** A client of `sim`, closed after the test; it waits 300 ms beyond the gateway's timeout, not 5 s. */
function clientOf(
	sim: Simulator,
	options: { connections?: number; allowUnauthorizedCerts?: boolean } = {},
) {
	const client = new GatewayClient(
		{
			baseUrl: sim.url,
			wxid: 'wxid_s',
			timeoutSeconds: 1,
			allowUnauthorizedCerts: options.allowUnauthorizedCerts ?? false,
		},
		{ connections: options.connections, graceMs: 300 },
	);
	clients.push(client);
	return client;
}

/** One cgi 222 of XML to `to`, read as a sent message. */
async function sendAppMsg(client: GatewayClient, to: string) {
	return readSentMessage(await client.callCgi(appMsgCall(to, XML)));
}

async function outcomes(
	client: GatewayClient,
	lanes: number,
	perLane: number,
): Promise<Array<'ok' | GatewayError['delivery']>> {
	const results: Array<'ok' | GatewayError['delivery']> = [];
	const lane = async (l: number) => {
		for (let i = 0; i < perLane; i++) {
			try {
				await sendAppMsg(client, `wxid_l${l}_${i}`);
				results.push('ok');
			} catch (error) {
				if (!(error instanceof GatewayError)) throw error;
				results.push(error.delivery);
			}
		}
	};
	await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
	return results;
}

test.each([
	{ connections: 1, lanes: 3 },
	{ connections: 2, lanes: 2 },
	{ connections: 2, lanes: 4 },
])(
	'a connection closed after the gateway sent is never "notSent" ($connections connections, $lanes in flight)',
	async ({ connections, lanes }) => {
		const sim = await simulator({});
		for (let nth = 2; nth <= 40; nth += 3) sim.addFault({ action: 'drop', nth });
		const results = await outcomes(clientOf(sim, { connections }), lanes, 10);
		const dropped = sim.calls.filter((c) => c.fault === 'drop').length;
		expect(dropped).toBeGreaterThan(0);
		// Every dropped call was sent by the gateway: calling any of them notSent would let a retry double it.
		expect(results.filter((r) => r === 'notSent')).toHaveLength(0);
		expect(results.filter((r) => r === 'unknown')).toHaveLength(dropped);
		expect(results.filter((r) => r === 'ok')).toHaveLength(sim.messages.length - dropped);
	},
);

test('a TLS connection dropped on accept is "notSent": the request cannot have been written', async () => {
	const sim = await simulator({ tls: TEST_TLS, keepAlive: false });
	sim.addFault({ action: 'dropConnection', nth: 2, times: 2 });
	const client = clientOf(sim, { connections: 2, allowUnauthorizedCerts: true });
	const results = await outcomes(client, 2, 3);
	expect(sim.stats().droppedConnections).toBe(2);
	expect(results.filter((r) => r === 'notSent')).toHaveLength(2);
	expect(results.filter((r) => r === 'ok')).toHaveLength(sim.messages.length);
	expect(sim.messages).toHaveLength(4);
});

test('a plain connection reset on accept is "unknown": the client had already written', async () => {
	const sim = await simulator({ keepAlive: false });
	sim.addFault({ action: 'dropConnection', nth: 1 });
	const client = clientOf(sim);
	await expect(sendAppMsg(client, 'wxid_a')).rejects.toMatchObject({
		reason: 'dropped',
		delivery: 'unknown',
	});
});

test('a self-signed certificate without "Ignore SSL Issues" is refused before anything is written', async () => {
	const sim = await simulator({ tls: TEST_TLS });
	const client = clientOf(sim);
	await expect(sendAppMsg(client, 'wxid_a')).rejects.toMatchObject({
		reason: 'tls',
		delivery: 'notSent',
	});
	expect(sim.calls).toHaveLength(0);
});
