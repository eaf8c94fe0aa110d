/**
 * Turns when this process wakes up late for them, on a shared store (Redis, n8n's queue mode)
 * and on this process's own alike: a late turn is given back and a new one taken, at most
 * MAX_LATE_TURNS times, and then the message fails as not sent instead of taking turns for
 * ever. Turns are spaced beyond the interval by twice the lateness allowed, so a turn used that
 * late cannot land closer than the interval to the next one. The store here is this process's,
 * marked shared or not and counted; the lateness is real: the event loop is blocked past the
 * turn, so a loaded machine can only add late turns, never remove them.
 */
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import {
	CoordinationUnavailableError,
	runKey,
	type PacingPolicy,
	type Turn,
} from '../../nodes/WeChatGateway/coordination/store';
import { deliver } from '../../nodes/WeChatGateway/delivery/deliver';
import { MAX_LATE_TURNS, turnLatenessMs } from '../../nodes/WeChatGateway/delivery/memory';
import { DEFAULT_SEND_OPTIONS } from '../../nodes/WeChatGateway/delivery/options';
import { appMsgCall, type GatewayClient } from '../../nodes/WeChatGateway/transport/client';
import { readSentMessage, type CgiReply } from '../../nodes/WeChatGateway/transport/reply';
import { recordCase } from '../support/accounting';

const INTERVAL = 1000;
const RUN = runKey({ executionId: 'late-1', nodeName: 'WeChat', runIndex: 0 });

/** Blocks this process's event loop, as other executions on a busy worker do. */
function busy(ms: number): void {
	const until = performance.now() + ms;
	while (performance.now() < until);
}

/** A store whose turns come 20 ms ahead; `lateFor` of them find the process busy. */
class CountedStore extends InProcessStore {
	override readonly shared: boolean;
	readonly policies: PacingPolicy[] = [];
	givenBack = 0;
	constructor(
		private lateFor: number,
		shared: boolean,
	) {
		super({ random: () => 0 });
		this.shared = shared;
	}
	override async reserveTurn(account: string, recipient: string, policy: PacingPolicy) {
		this.policies.push(policy);
		const turn = await super.reserveTurn(account, recipient, policy);
		if (this.lateFor-- > 0) setImmediate(() => busy(20 + turnLatenessMs(INTERVAL) + 100));
		const counted: Turn = {
			...turn,
			waitMs: 20,
			giveBack: async () => {
				this.givenBack++;
				await turn.giveBack();
			},
		};
		return counted;
	}
}

function gateway() {
	const callCgi = jest.fn(
		async (): Promise<CgiReply> => ({
			Ret: 0,
			ErrMsg: '',
			ResponseData: { NewMsgId: '7234567890123457789', ClientMsgId: 'c1' },
		}),
	);
	const client = {
		settings: { baseUrl: 'http://gw', wxid: 'wxid_s' },
		call: callCgi,
	} as unknown as GatewayClient;
	return { client, callCgi };
}

const send = (store: InProcessStore, client: GatewayClient) =>
	deliver(
		{
			client,
			store,
			run: RUN,
			options: { ...DEFAULT_SEND_OPTIONS, messageInterval: INTERVAL, maxRecipientsPerMinute: 0 },
		},
		0,
		'wxid_a',
		{ call: appMsgCall('wxid_a', '<appmsg/>'), readReply: readSentMessage },
	);

/** A row of the fault table (npm run test:faults): one message, what became of it. */
const row = (name: string, outcome: string) =>
	recordCase({
		group: 'Pacing',
		name,
		cases: 1,
		outcomes: { [outcome]: 1 },
		lost: 0,
		duplicated: 0,
		misreported: 0,
	});

describe.each([
	['a shared store', true],
	["this process's store", false],
])('%s', (name, shared) => {
	test('turns are spaced beyond the interval by twice the lateness a turn may be used with', async () => {
		const store = new CountedStore(0, shared);
		await send(store, gateway().client);
		expect(store.policies[0].intervalMs).toBe(INTERVAL + 2 * turnLatenessMs(INTERVAL));
	});

	test('a late turn is given back and a new one taken; the message goes once, on a turn in time', async () => {
		const store = new CountedStore(1, shared);
		const { client, callCgi } = gateway();
		const sent = await send(store, client);
		expect(sent.fields.NewMsgId).toBe('7234567890123457789');
		expect(callCgi).toHaveBeenCalledTimes(1);
		// every turn but the one used went back (a loaded machine may add a late one of its own)
		expect(store.givenBack).toBeGreaterThanOrEqual(1);
		expect(store.policies).toHaveLength(store.givenBack + 1);
		row(`a turn woken up late for, ${name}: given back, taken anew`, 'sent once, on time');
	});

	test(`late for ${MAX_LATE_TURNS} turns in a row: not sent, every turn given back, the ledger clean`, async () => {
		const store = new CountedStore(Number.POSITIVE_INFINITY, shared);
		const { client, callCgi } = gateway();
		const failure = await send(store, client).then(
			() => undefined,
			(error: unknown) => error,
		);
		expect(failure).toBeInstanceOf(CoordinationUnavailableError);
		expect(String((failure as Error).message)).toMatch(
			new RegExp(`late for ${MAX_LATE_TURNS} turns in a row .*Nothing was sent`),
		);
		expect(callCgi).not.toHaveBeenCalled();
		expect(store.policies).toHaveLength(MAX_LATE_TURNS);
		expect(store.givenBack).toBe(MAX_LATE_TURNS);
		// the entry written ahead of the send is taken back: a retry sends it, not "uncertain"
		expect(await store.lookupInRun(RUN, 0, 'wxid_a')).toBeUndefined();
		row(
			`late for ${MAX_LATE_TURNS} turns in a row, ${name}`,
			'error:notSent, every turn given back',
		);
	});
});
