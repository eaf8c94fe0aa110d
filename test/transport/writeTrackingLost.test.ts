/**
 * Write tracking that stops working (say, an undici upgrade that no longer calls the hooks it
 * rides on) is noticed, said, kept to the client it happened to, and lifted once tracking is seen
 * working again: it never turns every later failure of the process into "may have been sent".
 * Here undici's Agent is made to skip the hooks for chosen requests, which is what such a change
 * would look like from the client.
 */
import { Agent, type Dispatcher } from 'undici';

import { GatewayClient, appMsgCall } from '../../nodes/WeChatGateway/transport/client';
import { readSentMessage } from '../../nodes/WeChatGateway/transport/reply';
import { TEST_TLS, startFresh, startSimulator, type Simulator } from '../support/simulators';

const XML =
	'<appmsg appid="" sdkver="0"><title>t</title><type>5</type><url>https://example.com/</url></appmsg>';

/** How many of the next requests undici dispatches without calling their write hooks. */
let untracked = 0;
const dispatch = Agent.prototype.dispatch;
let sim: Simulator;
beforeAll(async () => {
	jest.spyOn(Agent.prototype, 'dispatch').mockImplementation(function (
		this: Agent,
		options: Dispatcher.DispatchOptions,
		handler: Dispatcher.DispatchHandler,
	) {
		if (untracked === 0) return dispatch.call(this, options, handler);
		untracked--;
		// The handler's other hooks stay its own, wherever it keeps them (on itself or its class).
		const blind = Object.assign(Object.create(handler) as object, {
			onConnect: () => {},
			onRequestSent: () => {},
		});
		return dispatch.call(this, options, blind as Dispatcher.DispatchHandler);
	});
	// TLS and a connection per call: a connection dropped on accept is surely before the write.
	sim = await startSimulator({ tls: TEST_TLS, keepAlive: false });
});
afterAll(async () => {
	jest.restoreAllMocks();
	await sim.close();
});

const clients: GatewayClient[] = [];
beforeEach(() => startFresh(sim));
afterEach(async () => {
	untracked = 0;
	await Promise.all(clients.splice(0).map((client) => client.close()));
});

function clientOf(warnings: string[] = []): GatewayClient {
	const client = new GatewayClient(
		{ baseUrl: sim.url, wxid: 'wxid_s', timeoutSeconds: 1, allowUnauthorizedCerts: true },
		{ graceMs: 300, warn: (message) => warnings.push(message) },
	);
	clients.push(client);
	return client;
}

const send = async (client: GatewayClient, to: string) =>
	readSentMessage(await client.callCgi(appMsgCall(to, XML)));

/** A call whose connection is dropped on accept, before anything could be written. */
async function droppedBeforeTheWrite(client: GatewayClient) {
	sim.addFault({ action: 'dropConnection', nth: 1 });
	return send(client, 'wxid_dropped').then(
		() => {
			throw new Error('the dropped call succeeded');
		},
		(error: unknown) => error,
	);
}

test('lost tracking is said once, marks the failures it judges, and is lifted when tracking works again', async () => {
	const warnings: string[] = [];
	const client = clientOf(warnings);

	untracked = 1;
	await expect(send(client, 'wxid_a')).resolves.toMatchObject({ Ret: 0 });
	expect(client.writeTrackingLost).toBe(true);
	expect(warnings).toEqual([expect.stringMatching(/write tracking does not work/)]);

	// Unprovable while tracking is lost: possibly sent, never retried, and the error says why.
	await expect(droppedBeforeTheWrite(client)).resolves.toMatchObject({
		reason: 'dropped',
		delivery: 'unknown',
		details: { writeTracking: 'lost' },
	});

	await expect(send(client, 'wxid_b')).resolves.toMatchObject({ Ret: 0 });
	expect(client.writeTrackingLost).toBe(false);
	expect(warnings).toHaveLength(2);
	expect(warnings[1]).toMatch(/works again/);

	const after = await droppedBeforeTheWrite(client);
	expect(after).toMatchObject({ reason: 'dropped', delivery: 'notSent' });
	expect((after as { details: object }).details).toEqual({});
});

test("one client's lost tracking does not spread to another client", async () => {
	const troubled = clientOf();
	untracked = 1;
	await send(troubled, 'wxid_a');
	expect(troubled.writeTrackingLost).toBe(true);

	const other = clientOf();
	expect(other.writeTrackingLost).toBe(false);
	await expect(droppedBeforeTheWrite(other)).resolves.toMatchObject({
		reason: 'dropped',
		delivery: 'notSent',
	});
});
