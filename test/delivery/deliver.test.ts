/**
 * The retry rules and the sent ledger on their own, with a scripted client: what is retried,
 * what is never sent twice, and what an interrupted retry reports.
 */
import { deliver, type SendContext } from '../../nodes/WeChatGateway/delivery/deliver';
import { DEFAULT_SEND_OPTIONS, type SendOptions } from '../../nodes/WeChatGateway/delivery/options';
import { PacingAbortedError } from '../../nodes/WeChatGateway/delivery/pacer';
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { runKey } from '../../nodes/WeChatGateway/coordination/store';
import { appMsgCall, type GatewayClient } from '../../nodes/WeChatGateway/transport/client';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import {
	readSentMessage,
	type CgiReply,
	type SentMessage,
} from '../../nodes/WeChatGateway/transport/reply';

const OK: SentMessage = {
	NewMsgId: '7234567890123457789',
	ClientMsgId: 'c1',
	Ret: 0,
	ErrMsg: '',
};
const notSent = () => new GatewayError('refused', 'refused', 'notSent');
const unknown = () => new GatewayError('dropped', 'dropped after writing', 'unknown');
const rejected = (ret: number) => new GatewayError('ret', `Ret ${ret}`, 'rejected', { ret });

/** A client that answers from a script: a sent message's answer, or an error to throw. */
function scripted(...answers: Array<SentMessage | Error>) {
	const callCgi = jest.fn(async (): Promise<CgiReply> => {
		const next = answers.shift();
		if (!next) throw new Error('no more scripted answers');
		if (next instanceof Error) throw next;
		const { Ret, ErrMsg, NewMsgId, ClientMsgId } = next;
		return { Ret, ErrMsg, ResponseData: { NewMsgId, ClientMsgId } };
	});
	return {
		client: {
			settings: { baseUrl: 'http://gw', wxid: 'wxid_s' },
			call: callCgi,
		} as unknown as GatewayClient,
		callCgi,
	};
}

/** An app message, as the send loop hands it to deliver(). */
const message = (xml: string) => ({
	call: appMsgCall('wxid_a', xml),
	readReply: readSentMessage,
});

function delivery(
	client: GatewayClient,
	options: Partial<SendOptions> = {},
	extra: Partial<SendContext> = {},
): SendContext {
	return {
		client,
		options: {
			...DEFAULT_SEND_OPTIONS,
			messageInterval: 0,
			maxRecipientsPerMinute: 0,
			retryDelay: 1,
			...options,
		},
		store,
		...extra,
	};
}

const RUN = runKey({ executionId: 'e1', nodeName: 'WeChat', runIndex: 0 });

/** This process's memory, fresh for each test. */
let store = new InProcessStore();
beforeEach(() => {
	store = new InProcessStore();
});

describe('retries', () => {
	test('not sent (connection failed before writing): retried up to "Retries" times', async () => {
		const { client, callCgi } = scripted(notSent(), notSent(), OK);
		await expect(
			deliver(delivery(client, { retries: 2 }), 0, 'wxid_a', message('<x/>')),
		).resolves.toMatchObject({ fields: { NewMsgId: OK.NewMsgId }, possibleDuplicate: false });
		expect(callCgi).toHaveBeenCalledTimes(3);
	});

	test('not sent every time: the last error after retries + 1 attempts', async () => {
		const { client, callCgi } = scripted(notSent(), notSent(), notSent());
		await expect(
			deliver(delivery(client, { retries: 2 }), 0, 'wxid_a', message('<x/>')),
		).rejects.toMatchObject({ delivery: 'notSent' });
		expect(callCgi).toHaveBeenCalledTimes(3);
	});

	test.each([-1, -2, -13, -24, -100, -200])('Ret %i is not retried', async (ret) => {
		const { client, callCgi } = scripted(rejected(ret), OK);
		await expect(
			deliver(delivery(client, { retries: 3 }), 0, 'wxid_a', message('<x/>')),
		).rejects.toMatchObject({ delivery: 'rejected' });
		expect(callCgi).toHaveBeenCalledTimes(1);
	});

	test('Ret -34 and HTTP 429 are retried (with backoff)', async () => {
		const tooMany = new GatewayError('http', 'HTTP 429', 'rejected', { httpStatus: 429 });
		const { client, callCgi } = scripted(rejected(-34), tooMany, OK);
		await expect(
			deliver(delivery(client, { retries: 2 }), 0, 'wxid_a', message('<x/>')),
		).resolves.toMatchObject({ fields: { NewMsgId: OK.NewMsgId } });
		expect(callCgi).toHaveBeenCalledTimes(3);
	});

	test('at most once (default): an unknown outcome is never retried', async () => {
		const { client, callCgi } = scripted(unknown(), OK);
		await expect(
			deliver(delivery(client, { retries: 5 }), 0, 'wxid_a', message('<x/>')),
		).rejects.toMatchObject({ delivery: 'unknown' });
		expect(callCgi).toHaveBeenCalledTimes(1);
	});

	test('at least once: an unknown outcome is retried, and the result says it may be a duplicate', async () => {
		const { client, callCgi } = scripted(unknown(), OK);
		await expect(
			deliver(
				delivery(client, { retries: 1, guarantee: 'atLeastOnce' }),
				0,
				'wxid_a',
				message('<x/>'),
			),
		).resolves.toMatchObject({ possibleDuplicate: true });
		expect(callCgi).toHaveBeenCalledTimes(2);
	});

	test('at least once: unknown, then surely not sent, retries used up: the outcome is still unknown', async () => {
		const { client } = scripted(unknown(), notSent(), notSent());
		await expect(
			deliver(
				delivery(client, { retries: 2, guarantee: 'atLeastOnce' }),
				0,
				'wxid_a',
				message('<x/>'),
			),
		).rejects.toMatchObject({ delivery: 'unknown' });
	});

	test('stopped during the backoff after an unknown outcome: reports that outcome, not "not sent"', async () => {
		const controller = new AbortController();
		const { client } = scripted(unknown(), OK);
		const pending = deliver(
			delivery(
				client,
				{ retries: 1, retryDelay: 10_000, guarantee: 'atLeastOnce' },
				{ signal: controller.signal },
			),
			0,
			'wxid_a',
			message('<x/>'),
		);
		setTimeout(() => controller.abort(), 20);
		await expect(pending).rejects.toMatchObject({ delivery: 'unknown' });
	});

	test('stopped during the backoff after "not sent": reports the stop', async () => {
		const controller = new AbortController();
		const { client, callCgi } = scripted(notSent(), OK);
		const pending = deliver(
			delivery(client, { retries: 1, retryDelay: 10_000 }, { signal: controller.signal }),
			0,
			'wxid_a',
			message('<x/>'),
		);
		setTimeout(() => controller.abort(), 20);
		await expect(pending).rejects.toBeInstanceOf(PacingAbortedError);
		expect(callCgi).toHaveBeenCalledTimes(1);
	});
});

describe('the sent ledger (n8n Retry On Fail)', () => {
	test('a message sent in an earlier try of the run returns its first result, without a call', async () => {
		const first = scripted(OK);
		await deliver(delivery(first.client, {}, { run: RUN }), 3, 'wxid_a', message('<x/>'));
		const again = scripted(OK);
		// The XML may render differently on the retry (a time in an expression): still the same message.
		await expect(
			deliver(delivery(again.client, {}, { run: RUN }), 3, 'wxid_a', message('<x changed="1"/>')),
		).resolves.toEqual({ fields: OK, possibleDuplicate: false });
		expect(again.callCgi).not.toHaveBeenCalled();
	});

	test('at most once: an unknown outcome in an earlier try is reported again, not sent blind', async () => {
		const first = scripted(unknown());
		await expect(
			deliver(delivery(first.client, {}, { run: RUN }), 0, 'wxid_a', message('<x/>')),
		).rejects.toMatchObject({ delivery: 'unknown' });
		const again = scripted(OK);
		await expect(
			deliver(delivery(again.client, {}, { run: RUN }), 0, 'wxid_a', message('<x/>')),
		).rejects.toMatchObject({ delivery: 'unknown' });
		expect(again.callCgi).not.toHaveBeenCalled();
	});

	test('a rejected or unsent message is sent on the retry', async () => {
		const first = scripted(rejected(-1));
		await expect(
			deliver(delivery(first.client, {}, { run: RUN }), 0, 'wxid_a', message('<x/>')),
		).rejects.toMatchObject({ delivery: 'rejected' });
		const again = scripted(OK);
		await expect(
			deliver(delivery(again.client, {}, { run: RUN }), 0, 'wxid_a', message('<x/>')),
		).resolves.toEqual({ fields: OK, possibleDuplicate: false });
		expect(again.callCgi).toHaveBeenCalledTimes(1);
	});

	test("another run index (a loop's next round) or another recipient is another message", async () => {
		await deliver(delivery(scripted(OK).client, {}, { run: RUN }), 0, 'wxid_a', message('<x/>'));
		const nextRound = scripted(OK);
		await deliver(
			delivery(
				nextRound.client,
				{},
				{ run: runKey({ executionId: 'e1', nodeName: 'WeChat', runIndex: 1 }) },
			),
			0,
			'wxid_a',
			message('<x/>'),
		);
		expect(nextRound.callCgi).toHaveBeenCalledTimes(1);
		const otherRecipient = scripted(OK);
		await deliver(delivery(otherRecipient.client, {}, { run: RUN }), 0, 'wxid_b', message('<x/>'));
		expect(otherRecipient.callCgi).toHaveBeenCalledTimes(1);
	});

	test('a forgotten run keeps nothing', async () => {
		await deliver(delivery(scripted(OK).client, {}, { run: RUN }), 0, 'wxid_a', message('<x/>'));
		expect(store.ledger.size).toEqual({ runs: 1, entries: 1 });
		await store.forgetRun(RUN);
		expect(store.ledger.size).toEqual({ runs: 0, entries: 0 });
	});
});
