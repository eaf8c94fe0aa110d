/**
 * When a message is claimed across executions (the sent records behind n8n's Retry and Skip
 * Duplicates Within): on its turn, just before the call, not while it waits for the turn. A
 * worker killed while waiting leaves nothing that would make the next execution report the
 * message as possibly delivered and not send it; two executions racing with one message still
 * send it once, and the one that finds the other's claim on its turn gives the turn back.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { RedisStore } from '../../nodes/WeChatGateway/coordination/redisStore';
import type { CoordinationStore, PacingPolicy } from '../../nodes/WeChatGateway/coordination/store';
import { deliver, type SendContext } from '../../nodes/WeChatGateway/delivery/deliver';
import { DEFAULT_SEND_OPTIONS } from '../../nodes/WeChatGateway/delivery/options';
import { appMsgCall, type GatewayClient } from '../../nodes/WeChatGateway/transport/client';
import { readSentMessage, type CgiReply } from '../../nodes/WeChatGateway/transport/reply';
import { recordCase } from '../support/accounting';
import { startRedis, type RedisServer } from '../support/redis';

jest.setTimeout(60_000);

let redis: RedisServer;
const redisStores: RedisStore[] = [];
const redisStore = () => {
	const store = new RedisStore(redis.url);
	redisStores.push(store);
	return store;
};
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await Promise.all(redisStores.map((store) => store.close()));
	await redis.remove();
});

/** The account deliver() paces: the client's Base URL and wxid. */
const ACCOUNT = 'http://gw\u0000wxid_s';

/** A gateway that sends every message, each with its own id. */
function gateway(baseUrl = 'http://gw') {
	let sent = 0;
	const callCgi = jest.fn(async (): Promise<CgiReply> => {
		sent += 1;
		return {
			Ret: 0,
			ErrMsg: '',
			ResponseData: { NewMsgId: `72345678901234${sent}`, ClientMsgId: `c${sent}` },
		};
	});
	const client = {
		settings: { baseUrl, wxid: 'wxid_s' },
		call: callCgi,
	} as unknown as GatewayClient;
	return { client, callCgi };
}

function sendIn(
	executionId: string,
	store: CoordinationStore,
	client: GatewayClient,
	pacing: { messageInterval: number; maxRecipientsPerMinute: number },
	xml = '<appmsg><title>waits</title></appmsg>',
) {
	const context: SendContext = {
		client,
		store,
		options: { ...DEFAULT_SEND_OPTIONS, skipDuplicatesWithin: 10, ...pacing },
		executions: {
			windowMs: 10 * 60_000,
			executionId,
			workflowId: 'wf-dies',
			nodeName: 'WeChat',
			retry: false,
			retryOfReachable: true,
		},
	};
	return deliver(context, 0, 'wxid_a', {
		call: appMsgCall('wxid_a', xml),
		readReply: readSentMessage,
	});
}

test('a worker killed while its message waits for the turn leaves it unclaimed: the same payload again sends it, once', async () => {
	const store = redisStore();
	// the account is busy for a minute: the dying worker's message waits for its turn
	const busy: PacingPolicy = { intervalMs: 60_000, maxRecipientsPerMinute: 0, jitterRatio: 0 };
	await store.reserveTurn(ACCOUNT, 'wxid_other', busy);
	const child = spawn(
		process.execPath,
		[path.join(__dirname, 'waitingSender.child.js'), redis.url, 'exec-dies'],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let err = '';
	child.stderr.on('data', (chunk) => (err += chunk));
	await new Promise<void>((resolve, reject) => {
		child.stdout.on('data', (chunk) => String(chunk).includes('waiting') && resolve());
		child.on('exit', () => reject(new Error(`the worker ended before its turn: ${err}`)));
	});
	const exited = once(child, 'exit');
	child.kill('SIGKILL');
	await exited;

	// the recovery: the same message in a new execution, Skip Duplicates Within on
	const { client, callCgi } = gateway();
	const again = await sendIn('exec-again', store, client, {
		messageInterval: 0,
		maxRecipientsPerMinute: 0,
	});
	expect(again.skipped).toBeUndefined();
	expect(again.fields.NewMsgId).toBe('723456789012341');
	expect(callCgi).toHaveBeenCalledTimes(1);
	recordCase({
		group: "n8n's Retry of a failed execution",
		name: 'worker killed while its message waited for the turn; the same payload again (Redis)',
		cases: 1,
		outcomes: { 'sent by this execution': 1 },
		lost: 0,
		duplicated: 0,
		misreported: 0,
	});
});

/** Counts the turns given back. */
function counted(store: CoordinationStore) {
	const tally = { givenBack: 0 };
	const reserveTurn = store.reserveTurn.bind(store);
	store.reserveTurn = async (...args) => {
		const turn = await reserveTurn(...args);
		return {
			...turn,
			giveBack: async () => {
				tally.givenBack += 1;
				await turn.giveBack();
			},
		};
	};
	return tally;
}

describe.each([
	['in this process', () => new InProcessStore() as CoordinationStore],
	['in Redis', () => redisStore() as CoordinationStore],
])('two executions racing with one message, paced, %s', (_name, open) => {
	test('the first whose turn comes sends it; the other finds its claim then, skips it and gives its turn back', async () => {
		const store = open();
		const tally = counted(store);
		// an account of its own: the killed worker's turn keeps the other busy for a minute
		const { client, callCgi } = gateway('http://gw-race');
		const pacing = { messageInterval: 1000, maxRecipientsPerMinute: 0 };
		const results = await Promise.all([
			sendIn('exec-race-1', store, client, pacing, '<appmsg><title>race</title></appmsg>'),
			sendIn('exec-race-2', store, client, pacing, '<appmsg><title>race</title></appmsg>'),
		]);
		expect(callCgi).toHaveBeenCalledTimes(1);
		// which one goes first is the turns' order (a late turn is taken anew behind the other)
		const sender = results.findIndex((result) => result.skipped === undefined);
		const [sent, skipped] = [results[sender], results[1 - sender]];
		expect(sent.fields.NewMsgId).toBe('723456789012341');
		expect(skipped.skipped).toMatchObject({
			foundBy: 'window',
			entry: { executionId: `exec-race-${sender + 1}`, state: 'sent' },
		});
		expect(skipped.fields.NewMsgId).toBe(sent.fields.NewMsgId);
		expect(tally.givenBack).toBeGreaterThanOrEqual(1);
	});
});
