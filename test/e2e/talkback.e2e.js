'use strict';
/**
 * End-to-end: talking back to what the WeChat Gateway Trigger receives, inside a real
 * `n8n start` with two ACTIVE workflows against the simulator's socket:
 *  - "trigger → reply with quote": a private text is answered with a quote of it, every quoted
 *    field mapped 1:1 from the trigger's output (no Code node);
 *  - "trigger (text mentioning the account) → send text with a mention back": a group message
 *    that @mentions the account is answered in the group, @mentioning its sender.
 * The simulator echoes each reply back to the account as its own frame, like a real gateway: the
 * counts staying exact prove neither workflow answers itself.
 *
 *   npm run test:e2e -- talkback     (E2E_KEEP=1 keeps the n8n folder)
 */
const { XMLParser } = require('fast-xml-parser');

const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { GROUP, FRIEND, MEMBER } = require('../../simulator/frames');

const { rt } = lib;
const BOT = 'wxid_e2e_talkback_bot';
const OWNER = { email: 'talkback-e2e@example.com', password: 'E2e-Passw0rd' };
const CREDENTIAL = { id: 'e2eTalkbackCred1', name: 'e2e talk-back gateway' };
const QUOTE_WORKFLOW = 'wcgwTalkQuoteE2E';
const MENTION_WORKFLOW = 'wcgwTalkMentnE2E';
/** Above 2^53: a JavaScript number would turn it into ...800. */
const QUOTED_ID = '7400409546359626802';

const log = lib.timedLog('talk-back e2e');
const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false });

const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0 };

function activeWorkflow(id, name, triggerParameters, wechatParameters) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{
				id: `${id}-trigger`,
				name: 'WeChat message',
				type: 'n8n-nodes-wechat-gateway.weChatGatewayTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: triggerParameters,
				credentials: { weChatGatewayApi: CREDENTIAL },
			},
			{
				id: `${id}-answer`,
				name: 'Answer',
				type: 'n8n-nodes-wechat-gateway.weChatGateway',
				typeVersion: 1,
				position: [300, 0],
				parameters: { ...wechatParameters, options: FAST },
				credentials: { weChatGatewayApi: CREDENTIAL },
			},
		],
		connections: { 'WeChat message': { main: [[{ node: 'Answer', type: 'main', index: 0 }]] } },
	};
}

const quoteWorkflow = () =>
	activeWorkflow(
		QUOTE_WORKFLOW,
		'e2e · trigger → reply with quote',
		{ events: ['newMessage'], messageKinds: ['text'], chats: 'private' },
		{
			operation: 'replyWithQuote',
			toUserName: '={{ $json.chatId }}',
			text: 'got it 👍',
			quotedNewMsgId: '={{ $json.newMsgId }}',
			quotedSenderWxid: '={{ $json.senderWxid }}',
			quotedSenderName: '={{ $json.senderName }}',
			quotedMsgType: '={{ $json.msgType }}',
			quotedContent: '={{ $json.content }}',
		},
	);

const mentionWorkflow = () =>
	activeWorkflow(
		MENTION_WORKFLOW,
		'e2e · trigger (mentioned in a group) → text with a mention back',
		{
			events: ['newMessage'],
			messageKinds: ['text'],
			chats: 'groups',
			options: { onlyWhenMentioned: true },
		},
		{
			operation: 'sendText',
			toUserName: '={{ $json.chatId }}',
			text: 'on it',
			mentions: "={{ $json.senderWxid + ':' + $json.senderName }}",
		},
	);

const ctx = {};

beforeAll(
	async () => {
		ctx.sim = await startGatewaySimulator({ accounts: [BOT], firstMsgId: '9007199254740993' });
		Object.assign(
			ctx,
			await lib.startInstance({
				name: 'talkback-e2e',
				credentials: [
					{
						...CREDENTIAL,
						data: {
							baseUrl: ctx.sim.url,
							wxid: BOT,
							authentication: 'none',
							timeout: 10,
							ignoreSslIssues: false,
						},
					},
				],
				workflows: [quoteWorkflow(), mentionWorkflow()],
				activate: [QUOTE_WORKFLOW, MENTION_WORKFLOW],
				owner: OWNER,
				log,
			}),
		);
		await waitFor('both triggers to open their sockets', () => ctx.sim.ws.clients === 2, {
			timeoutMs: 30_000,
		});
		log(`n8n on ${ctx.server.url}, two workflows active, both triggers connected`);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	if (ctx.stop) await ctx.stop();
	if (ctx.sim) await ctx.sim.close();
}, 120 * 1000);

describe('talking back to what the trigger receives, in n8n start', () => {
	test('trigger → reply with quote: a private text is quoted back, its 64-bit id exact, no Code node', async () => {
		const started = Date.now();
		ctx.sim.ws.inject({ sample: 'text', newMsgId: QUOTED_ID });
		const reply = await waitFor('the quote reply', () =>
			ctx.sim.messages.find((m) => m.type === 57),
		);
		log(`quote reply sent ${Date.now() - started} ms after the frame`);
		expect(reply.toUserName).toBe(FRIEND);
		const appmsg = xml.parse(reply.appMsgXml).appmsg;
		expect(appmsg.title).toBe('got it 👍');
		expect(appmsg.type).toBe('57');
		expect(appmsg.refermsg).toMatchObject({
			type: '1',
			svrid: QUOTED_ID,
			fromusr: FRIEND,
			chatusr: FRIEND,
			content: 'hello from a friend',
		});
	});

	test('trigger (mentioned in a group) → text with a mention back: @Name + U+2005 and AtUsers the sender', async () => {
		const started = Date.now();
		ctx.sim.ws.inject({ sample: 'groupText' });
		const text = await waitFor('the text back', () =>
			ctx.sim.messages.find((m) => m.cgiCmd === 522),
		);
		log(`text with a mention sent ${Date.now() - started} ms after the frame`);
		expect(text).toMatchObject({
			toUserName: GROUP,
			content: '@Mei\u2005on it',
			atUsers: [MEMBER],
		});
	});

	test('a group message that does not mention the account, and the echoes of both replies, start nothing', async () => {
		// A group text that mentions nobody (the groupTextPrefixed sample mentions everyone, which counts).
		ctx.sim.ws.inject({
			sample: 'groupText',
			message: {
				content: 'just chatting',
				msgSource: '<msgsource><silence>0</silence></msgsource>',
			},
		});
		const messages = await ctx.sim.settledMessages(2000);
		expect(messages.map((m) => m.cgiCmd)).toEqual([222, 522]);
		const executions = async (status) =>
			(
				await rt.rest({
					port: ctx.server.port,
					cookie: ctx.cookie,
					path: `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ status }))}&limit=1`,
				})
			).data.count;
		// n8n counts an execution once it has finished; one may still be writing its result
		await waitFor(
			'no execution new or running',
			async () => (await executions(['new', 'running'])) === 0,
		);
		expect(await executions(['success'])).toBe(2);
		expect(await executions(['error', 'crashed'])).toBe(0);
	});
});
