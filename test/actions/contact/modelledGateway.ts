/**
 * The node through n8n's engine against a simulator that answers cgi 182, 179, 594 and 849 as
 * the gateway does (`modelCommands`), for the contact, group, revoke and pat tests.
 */
import { runWeChatNode, type RunOptions } from '../../support/engine';
import { startMediaSimulator, type MediaSimulator } from '../../simulator/api';
import { startFresh } from '../../support/simulators';

export const SENDER = 'wxid_sender01';
/** The simulator's seeded group and its members. */
export const GROUP = '6949093048@chatroom';
export const MEMBERS = ['wxid_member7', 'wxid_lin99', 'wxid_friend42', 'wxid_spammer01'];
export const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0, retryDelay: 1 };

export function useModelledGateway() {
	let gateway: MediaSimulator;
	beforeAll(async () => {
		gateway = await startMediaSimulator({ accounts: [SENDER], modelCommands: true });
	});
	afterAll(async () => gateway.close());
	beforeEach(() => startFresh(gateway));
	return {
		get gateway() {
			return gateway;
		},
		/** The bodies the gateway received, parsed. */
		bodies: () =>
			gateway.calls.map(
				(call) => JSON.parse(call.body) as { CgiCmd: number; CgiRequest: Record<string, unknown> },
			),
		run: (resource: string, parameters: RunOptions['parameters'], more: Partial<RunOptions> = {}) =>
			runWeChatNode({
				credentials: { baseUrl: gateway.url, wxid: SENDER, timeout: 10 },
				...more,
				parameters: { resource, options: FAST, ...parameters },
			}),
	};
}
