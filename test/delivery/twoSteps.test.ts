/**
 * A message in two steps (upload, then send) is one message: what the first step's answer
 * makes is sent second, a failed first step means nothing reached the chat (so it is retried
 * like any message surely not sent), and a failed second step says that the first went through.
 * A read is repeatable: an answer that never came is asked for again even at most once.
 */
import { deliver, type SendContext } from '../../nodes/WeChatGateway/delivery/deliver';
import { DEFAULT_SEND_OPTIONS } from '../../nodes/WeChatGateway/delivery/options';
import { InProcessStore } from '../../nodes/WeChatGateway/coordination/inProcessStore';
import { runKey } from '../../nodes/WeChatGateway/coordination/store';
import {
	appMsgCall,
	type GatewayCall,
	type GatewayClient,
} from '../../nodes/WeChatGateway/transport/client';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import { readSentMessage, type CgiReply } from '../../nodes/WeChatGateway/transport/reply';

const UPLOADED = '<appmsg appid="" sdkver="0"><title>a.pdf</title><type>6</type></appmsg>';
const SENT: CgiReply = {
	Ret: 0,
	ErrMsg: '',
	ResponseData: { NewMsgId: '9223372036854775001', ClientMsgId: 'c1' },
};
const uploaded: CgiReply = { Ret: 0, ErrMsg: '', ResponseData: {}, ResponseText: UPLOADED };
const unknown = () => new GatewayError('dropped', 'dropped after writing', 'unknown');
const refused = () => new GatewayError('ret', 'WeChat refused the upload: Ret -1', 'rejected');

/** A gateway answering from a script, in order, whatever the call; it keeps what it was asked. */
function scripted(...answers: Array<CgiReply | Error>) {
	const calls: GatewayCall[] = [];
	const client = {
		settings: { baseUrl: 'http://gw', wxid: 'wxid_s' },
		call: jest.fn(async (call: GatewayCall) => {
			calls.push(call);
			const next = answers.shift();
			if (!next) throw new Error('no more scripted answers');
			if (next instanceof Error) throw next;
			return next;
		}),
	} as unknown as GatewayClient;
	return { client, calls };
}

const upload: GatewayCall = {
	path: '/v2/cdnupload',
	CgiCmd: 0,
	CgiRequest: { ToUserName: 'wxid_a', FileType: 5, FileName: 'a.pdf', FileUrl: 'https://e.x/a' },
};
const fileMessage = {
	call: upload,
	then: (reply: CgiReply) => {
		if (!reply.ResponseText) throw new Error('the upload answered no <appmsg>');
		return appMsgCall('wxid_a', reply.ResponseText);
	},
	steps: ['upload', 'send'] as const,
	readReply: readSentMessage,
};

let store = new InProcessStore();
beforeEach(() => {
	store = new InProcessStore();
});
const context = (client: GatewayClient, retries = 2): SendContext => ({
	client,
	options: {
		...DEFAULT_SEND_OPTIONS,
		messageInterval: 0,
		maxRecipientsPerMinute: 0,
		retryDelay: 1,
		retries,
	},
	store,
	run: runKey({ executionId: 'e1', nodeName: 'WeChat', runIndex: 0 }),
});

test("the first step's answer makes the second, and the second's answer is the message's", async () => {
	const { client, calls } = scripted(uploaded, SENT);
	const delivered = await deliver(context(client), 0, 'wxid_a', fileMessage);
	expect(calls).toEqual([upload, appMsgCall('wxid_a', UPLOADED)]);
	expect(delivered.fields).toMatchObject({ NewMsgId: '9223372036854775001' });
});

test('a first step that failed in any way sent nothing: retried, and said so when it stays', async () => {
	const { client, calls } = scripted(unknown(), uploaded, SENT);
	await deliver(context(client), 0, 'wxid_a', fileMessage);
	expect(calls.map((c) => ('path' in c ? c.path : 'api'))).toEqual([
		'/v2/cdnupload',
		'/v2/cdnupload',
		'api',
	]);

	const again = scripted(refused(), refused(), refused());
	const error = await deliver(context(again.client, 1), 1, 'wxid_a', fileMessage).catch(
		(e: unknown) => e,
	);
	expect(error).toMatchObject({
		delivery: 'notSent',
		message: 'Nothing was sent: the upload failed: WeChat refused the upload: Ret -1',
	});
	expect(again.calls).toHaveLength(2);
});

test('a first answer that cannot make the second step is the first step failing', async () => {
	const { client, calls } = scripted({ ...uploaded, ResponseText: undefined });
	const error = await deliver(context(client, 0), 0, 'wxid_a', fileMessage).catch(
		(e: unknown) => e,
	);
	expect(error).toMatchObject({
		delivery: 'notSent',
		message: 'Nothing was sent: the upload failed: the upload answered no <appmsg>',
	});
	expect(calls).toHaveLength(1);
});

test('a second step whose answer never came: unknown, not sent again, and the upload named', async () => {
	const { client, calls } = scripted(uploaded, unknown(), uploaded, SENT);
	const error = await deliver(context(client), 0, 'wxid_a', fileMessage).catch((e: unknown) => e);
	expect(error).toMatchObject({
		delivery: 'unknown',
		message: 'The upload went through, but the send failed: dropped after writing',
	});
	expect(calls).toHaveLength(2);
});

test('a read whose answer never came is asked again, even at most once', async () => {
	const info: CgiReply = { Ret: 0, ErrMsg: '', ResponseData: { WeChatUsers: [] } };
	const { client, calls } = scripted(unknown(), info);
	const read = { method: 'GET', path: '/v2/wechatinfo' } as const;
	const delivered = await deliver(context(client), 0, '', {
		call: read,
		repeatable: true,
		unpaced: true,
		readReply: (reply: CgiReply) => reply.ResponseData,
	});
	expect(calls).toEqual([read, read]);
	expect(delivered.fields).toEqual({ WeChatUsers: [] });
});
