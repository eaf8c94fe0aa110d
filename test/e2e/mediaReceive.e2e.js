'use strict';
/**
 * End-to-end: received media as n8n binary data, in one real `n8n start` with two ACTIVE
 * workflows against the gateway simulator's socket:
 *
 * - the example "voice message → download → reply" as shipped: the trigger (Download Media on)
 *   gets the voice message's SILK bytes through /v2/cdndownload and the Media Download URL, and
 *   Send Voice sends them back from binary: the bytes at the gateway are the bytes pushed;
 * - "sticker → Download Media → Send Sticker": the action's Download Media fetches the sticker
 *   from its cdnurl (the credential allows the simulator's loopback address), and Send Sticker
 *   sends it back by its MD5 and the downloaded size, which the gateway checks against the sticker.
 *
 *   npx jest test/e2e/mediaReceive.e2e.js --selectProjects e2e     (E2E_KEEP=1 keeps the n8n folder)
 */
const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');

const BOT = 'wxid_e2e_media_bot';
const FRIEND = 'wxid_friend42';
const OWNER = { email: 'media-e2e@example.com', password: 'E2e-Passw0rd' };
const CREDENTIAL = { id: 'e2eMediaCred0001', name: 'e2e media gateway' };
const NODE = 'n8n-nodes-wechat-gateway.weChatGateway';
const TRIGGER = lib.TRIGGER_TYPE;

const log = lib.timedLog('media e2e');

/** A shipped example with its WeChat nodes on this suite's credential and pacing off. */
function example(file) {
	const { workflow } = lib.loadExampleWorkflows().find((entry) => entry.file.endsWith(`/${file}`));
	const nodes = workflow.nodes.map((node) => {
		if (!node.credentials?.weChatGatewayApi) return node;
		const parameters =
			node.type === NODE
				? { ...node.parameters, options: { messageInterval: 0, maxRecipientsPerMinute: 0 } }
				: node.parameters;
		return { ...node, parameters, credentials: { weChatGatewayApi: CREDENTIAL } };
	});
	return { ...workflow, nodes };
}

const VOICE_WORKFLOW = example('voice-message-download-reply.json');

const node = (name, type, parameters, x) => ({
	id: `e2e-media-${x}`,
	name,
	type,
	typeVersion: 1,
	position: [x, 0],
	parameters,
	credentials: { weChatGatewayApi: CREDENTIAL },
});
const STICKER_WORKFLOW = {
	id: 'e2eStickerBack01',
	name: 'e2e sticker → Download Media → Send Sticker',
	nodes: [
		node(
			'Sticker received',
			TRIGGER,
			{ events: ['newMessage'], messageKinds: ['emoji'], chats: 'all', options: {} },
			0,
		),
		node('Download the sticker', NODE, { operation: 'downloadMedia' }, 300),
		node(
			'Send it back',
			NODE,
			{
				operation: 'sendEmoji',
				toUserName: '={{ $json.chatId }}',
				emojiSource: 'fields',
				emojiMd5: '={{ $json.messageXml.match(/ md5="([0-9a-f]{32})"/)[1] }}',
				emojiSize: '={{ $json.downloaded.fileSize }}',
				options: { messageInterval: 0, maxRecipientsPerMinute: 0 },
			},
			600,
		),
	],
	connections: {
		'Sticker received': { main: [[{ node: 'Download the sticker', type: 'main', index: 0 }]] },
		'Download the sticker': { main: [[{ node: 'Send it back', type: 'main', index: 0 }]] },
	},
	active: false,
	settings: { executionOrder: 'v1' },
};

const ctx = {};

beforeAll(
	async () => {
		ctx.sim = await startGatewaySimulator({ accounts: [BOT], modelCommands: true });
		Object.assign(
			ctx,
			await lib.startInstance({
				name: 'media-e2e',
				credentials: [lib.simulatorCredential(CREDENTIAL, ctx.sim, BOT, { media: true })],
				workflows: [VOICE_WORKFLOW, STICKER_WORKFLOW],
				activate: [VOICE_WORKFLOW.id, STICKER_WORKFLOW.id],
				owner: OWNER,
				log,
			}),
		);
		await waitFor('both triggers to open their sockets', () => ctx.sim.ws.clients === 2, {
			timeoutMs: 30_000,
		});
		log(`n8n on ${ctx.server.url}, two workflows active against ${ctx.sim.url}`);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	if (ctx.stop) await ctx.stop();
	if (ctx.sim) await ctx.sim.close();
}, 120 * 1000);

/** The bodies of the gateway calls of one cgi, parsed, from the `from`-th call on. */
const bodiesOf = (cgi, from) =>
	ctx.sim.calls
		.slice(from)
		.map((call) => JSON.parse(call.body))
		.filter((body) => body.CgiCmd === cgi);

test('a voice message is downloaded by the trigger and sent back from binary, byte for byte', async () => {
	const { sim } = ctx;
	const from = sim.calls.length;
	const pushed = sim.push('voice', { account: BOT, from: FRIEND, frames: 150 });
	expect(pushed.reached).toBe(2);
	const [sent] = await waitFor(
		'the voice reply',
		() => bodiesOf(127, from)[0] && bodiesOf(127, from),
		{
			timeoutMs: 60_000,
		},
	);
	expect(sent.CgiRequest).toEqual({
		ToUserName: FRIEND,
		VoiceBase64: expect.any(String),
		VoiceTime: 3,
	});
	expect(Buffer.from(sent.CgiRequest.VoiceBase64, 'base64').equals(pushed.bytes)).toBe(true);
	const [download] = bodiesOf(0, from);
	expect(download.CgiRequest).toMatchObject({
		VoiceXml: pushed.content,
		FileType: 128,
		MsgId: pushed.msgId,
	});
	expect(sim.downloads.at(-1)).toMatchObject({ written: true, msgId: String(pushed.msgId) });
	// the reply came back as the account's own frame and started nothing
	await new Promise((resolve) => setTimeout(resolve, 1500));
	expect(bodiesOf(127, from)).toHaveLength(1);
});

test('a sticker is downloaded with Download Media and sent back with Send Sticker', async () => {
	const { sim } = ctx;
	const from = sim.calls.length;
	const pushed = sim.push('emoji', { account: BOT, from: FRIEND });
	const [sent] = await waitFor(
		'the sticker reply',
		() => bodiesOf(175, from)[0] && bodiesOf(175, from),
		{
			timeoutMs: 60_000,
		},
	);
	expect(sent.CgiRequest).toEqual({
		ToUserName: FRIEND,
		EmojiMd5: pushed.md5,
		EmojiLen: pushed.bytes.length,
	});
	// the gateway accepted it: the size the download measured is the sticker's own
	const answered = await waitFor(
		'the answer to the sticker',
		() => {
			const calls = sim.calls.slice(from).filter((call) => JSON.parse(call.body).CgiCmd === 175);
			return calls.every((call) => call.ret !== undefined) && calls;
		},
		{ timeoutMs: 30_000 },
	);
	expect(answered.map((call) => call.ret)).toEqual([0]);
	// no voice download for a sticker: it came from its cdnurl
	expect(bodiesOf(0, from)).toEqual([]);
});
