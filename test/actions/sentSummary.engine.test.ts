/**
 * The "Sent before this error in this run" summary counts every message that went out, also
 * those of other recipients still under way when one recipient failed (Concurrent Recipients).
 */
import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { runWeChatNode } from '../support/engine';
import { startSimulator, type Simulator } from '../support/simulators';

const SENDER = 'wxid_sender01';

let gateway: Simulator;
beforeAll(async () => {
	gateway = await startSimulator({ accounts: [SENDER] });
});
afterAll(async () => gateway.close());
beforeEach(() => {
	gateway.reset();
	freshProcessStores();
});

test('one recipient refused while two others are with the gateway: the summary counts both', async () => {
	gateway.addFault({ action: 'ret', ret: -2, errMsg: 'bad argument', toUserName: 'wxid_first' });
	// The others are answered well after the refusal; they are sent all the same.
	for (const toUserName of ['wxid_second', 'wxid_third'])
		gateway.addFault({ action: 'delay', delayMs: 400, toUserName });
	const { error } = await runWeChatNode({
		credentials: { baseUrl: gateway.url, wxid: SENDER, timeout: 10 },
		parameters: {
			operation: 'sendText',
			toUserName: 'wxid_first, wxid_second, wxid_third',
			text: 'hello',
			options: { messageInterval: 0, maxRecipientsPerMinute: 0, concurrency: 3, retries: 0 },
		},
	});
	expect(gateway.messages.map((message) => message.toUserName).sort()).toEqual([
		'wxid_second',
		'wxid_third',
	]);
	expect(error?.message).toMatch(/\(item 0, to wxid_first\)/);
	expect(error?.description).toContain('Sent before this error in this run: 2 messages (item 0)');
});
