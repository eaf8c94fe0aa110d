'use strict';
/**
 * End-to-end: the shipped WeChat AI assistant (examples/workflows/ai-assistant.json) in a real
 * `n8n start`, with n8n's own AI nodes: the AI Agent, the OpenAI Chat Model, Simple Memory and
 * this package's node as the agent's tool. The workflow file is imported unchanged; only its two
 * credentials are made here, under the ids it names, pointing at the simulator: the gateway, and
 * the simulator's OpenAI-compatible endpoint (/v1/chat/completions) as the model's Base URL. No
 * network: every model request is recorded by the simulator and read back here.
 *
 *   npx jest test/e2e/aiAssistant.e2e.js --selectProjects e2e     (E2E_KEEP=1 keeps the n8n folder)
 */
const fs = require('node:fs');
const path = require('node:path');
const { XMLParser } = require('fast-xml-parser');

const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { GROUP, FRIEND, MEMBER } = require('../../simulator/frames');
const { readWav, silkCodec, toneSilk, TONE_RATE } = require('../../simulator/voice');

const { rt } = lib;
const WORKFLOW_FILE = path.join(__dirname, '../../examples/workflows/ai-assistant.json');
const BOT = 'wxid_e2e_assistant_bot';
/** A contact the tool call names (seeded in the simulator's contacts). */
const ALICE = 'wxid_lin99';
/** Someone who sends the assistant a voice message. */
const VOICE_FRIEND = 'wxid_voice_friend';
const OWNER = { email: 'assistant-e2e@example.com', password: 'E2e-Passw0rd' };

const log = lib.timedLog('ai assistant e2e');
const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false });
const shipped = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));

/** The credential a node type of the shipped workflow names ({ id, name }). */
function shippedCredential(key) {
	const node = shipped.nodes.find((n) => n.credentials?.[key]);
	return node.credentials[key];
}

const ctx = {};
const completions = () =>
	ctx.sim.openai.requests.filter((r) => r.path.endsWith('/chat/completions'));
const texts = () => ctx.sim.messages.filter((m) => m.cgiCmd === 522);
/** What the gateway sent to a chat: its log also holds the tool's look-ups (cgi 182), which send nothing. */
const sends = () => ctx.sim.messages.filter((m) => m.cgiCmd !== 182);
const lookUps = () => ctx.sim.messages.filter((m) => m.cgiCmd === 182);
const roles = (request) => request.body.messages.map((m) => m.role);
const contents = (request) =>
	request.body.messages.map((m) => (typeof m.content === 'string' ? m.content : ''));

/** Waits until n8n has no execution new or running, and returns the counts by status. */
async function settledExecutions() {
	const count = async (status) =>
		(
			await rt.rest({
				port: ctx.port,
				cookie: ctx.cookie,
				path: `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ status }))}&limit=1`,
			})
		).data.count;
	await waitFor(
		'no execution new or running',
		async () => (await count(['new', 'running'])) === 0,
		{
			timeoutMs: 60_000,
		},
	);
	return { success: await count(['success']), failed: await count(['error', 'crashed']) };
}

/**
 * A private message `ask` to which the scripted model answers with one tool call (`call`), and
 * then with the tool's result; waits for that answer (it includes `answerHas`) and checks that
 * it is the one message sent meanwhile. Returns the model's request after the tool call and the
 * tool's result in it, as n8n handed it to the model.
 */
async function refusedToolCall({ ask, call, answerHas }) {
	ctx.sim.openai.script([{ match: ask, toolCalls: [{ arguments: call }] }]);
	const before = completions().length;
	const sentBefore = sends().length;
	ctx.sim.ws.inject({ sample: 'text', message: { content: ask } });
	const done = await waitFor('the answer after the refused tool call', () =>
		texts().find((m) => m.toUserName === FRIEND && m.content.includes(answerHas)),
	);
	await ctx.sim.settledMessages(2000);
	// the one message sent is the answer to the person who asked
	expect(sends().slice(sentBefore)).toEqual([done]);
	const [, afterTool, ...more] = completions().slice(before);
	expect(more).toEqual([]);
	const toolMessage = afterTool.body.messages.at(-1);
	expect(toolMessage.role).toBe('tool');
	return { afterTool, toolMessage };
}

beforeAll(
	async () => {
		// modelCommands: the gateway answers cgi 182 (who a contact is) as it does, for Check Recipients.
		ctx.sim = await startGatewaySimulator({
			accounts: [BOT],
			firstMsgId: '9007199254740993',
			modelCommands: true,
		});
		const gateway = shippedCredential('weChatGatewayApi');
		const model = shippedCredential('openAiApi');
		Object.assign(
			ctx,
			await lib.startInstance({
				name: 'ai-assistant-e2e',
				credentials: [
					lib.simulatorCredential(gateway, ctx.sim, BOT, { media: true }),
					{
						...model,
						type: 'openAiApi',
						data: { apiKey: 'sk-simulated', url: `${ctx.sim.url}/v1` },
					},
				],
				workflows: [shipped],
				activate: [shipped.id],
				owner: OWNER,
				log,
			}),
		);
		await waitFor('the trigger to open its socket', () => ctx.sim.ws.clients === 1, {
			timeoutMs: 30_000,
		});
		log(`n8n ${ctx.runtime.version} on ${ctx.server.url}, the assistant active`);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	if (ctx.stop) await ctx.stop();
	if (ctx.sim) await ctx.sim.close();
}, 120 * 1000);

describe('the WeChat AI assistant, in n8n start with n8n’s AI nodes', () => {
	test('the workflow as shipped imports and activates with only the two credentials swapped', async () => {
		const stored = (
			await rt.rest({ port: ctx.port, cookie: ctx.cookie, path: `/rest/workflows/${shipped.id}` })
		).data;
		expect(stored.active).toBe(true);
		const strip = (nodes) =>
			nodes
				.map(({ name, type, typeVersion, parameters, credentials, onError }) => ({
					name,
					type,
					typeVersion,
					parameters,
					credentials,
					onError,
				}))
				.sort((a, b) => a.name.localeCompare(b.name));
		expect(strip(stored.nodes)).toEqual(strip(shipped.nodes));
		expect(stored.connections).toEqual(shipped.connections);
	});

	test('a private message gets an answer sent back to that chat, through /chat/completions', async () => {
		ctx.sim.ws.inject({ sample: 'text' });
		const answer = await waitFor('the answer', () => texts().find((m) => m.toUserName === FRIEND));
		expect(answer.content).toBe('Echo: hello from a friend');
		const [request, ...more] = completions();
		expect(more).toEqual([]);
		const { messages, tools, ...settings } = request.body;
		log(`n8n asked POST ${request.path} with ${JSON.stringify(settings)}, ${tools.length} tool(s)`);
		// the Responses API was never asked: the switch in the shipped workflow is off
		expect(ctx.sim.openai.requests.filter((r) => r.path.endsWith('/responses'))).toEqual([]);
		expect(request.body.model).toBe(
			shipped.nodes.find((n) => n.name === 'OpenAI Chat Model').parameters.model.value,
		);
		expect(roles(request)).toEqual(['system', 'user']);
		const system = contents(request)[0];
		expect(system).toContain(`chat ID: ${FRIEND}`);
		expect(system).toContain('a private chat');
		expect(contents(request)[1]).toBe('hello from a friend');
		expect(request.body.tools.map((t) => t.function.name)).toEqual(['Send_WeChat_text']);
		const parameters = request.body.tools[0].function.parameters;
		expect(Object.keys(parameters.properties).sort()).toEqual(['chatId', 'text']);
		expect(parameters.properties.chatId.description).toMatch(/never a name/);
	});

	test('a group message that does not mention the account starts no model call; one that does gets a quote reply', async () => {
		const before = completions().length;
		ctx.sim.ws.inject({
			sample: 'groupText',
			message: {
				content: 'just chatting',
				msgSource: '<msgsource><silence>0</silence></msgsource>',
			},
		});
		const mentioning = ctx.sim.ws.inject({ sample: 'groupText' });
		const reply = await waitFor('the quote reply', () =>
			ctx.sim.messages.find((m) => m.type === 57),
		);
		expect(reply.toUserName).toBe(GROUP);
		const appmsg = xml.parse(reply.appMsgXml).appmsg;
		expect(appmsg.title).toBe('Echo: @Bot\u2005@Lin\u2005please look at this');
		expect(appmsg.refermsg).toMatchObject({
			svrid: mentioning.newMsgId,
			// in a group WeChat's quote names the group as fromusr and the speaker as chatusr
			fromusr: GROUP,
			chatusr: MEMBER,
		});
		const asked = completions().slice(before);
		expect(asked).toHaveLength(1);
		expect(contents(asked[0])).not.toContain('just chatting');
		expect(contents(asked[0])[0]).toContain(`the group ${GROUP}`);
		expect(
			(await ctx.sim.settledMessages(2000)).filter((m) => m.toUserName === GROUP),
		).toHaveLength(1);
	});

	test("memory: the second message's model request holds the first exchange of that chat and nothing of another chat", async () => {
		const before = completions().length;
		ctx.sim.ws.inject({ sample: 'text', message: { content: 'and what did I say before?' } });
		await waitFor('the second answer', () =>
			texts().find((m) => m.content === 'Echo: and what did I say before?'),
		);
		const [request] = completions().slice(before);
		expect(roles(request)).toEqual(['system', 'user', 'assistant', 'user']);
		expect(contents(request).slice(1)).toEqual([
			'hello from a friend',
			'Echo: hello from a friend',
			'and what did I say before?',
		]);
		expect(JSON.stringify(request.body.messages)).not.toContain('please look at this');
	});

	test('a voice message is downloaded as WAV, transcribed through /audio/transcriptions, and answered in its chat', async () => {
		const silk = await toneSilk(2, 440);
		const before = completions().length;
		const pushed = ctx.sim.push('voice', { account: BOT, from: VOICE_FRIEND, silk });
		const answer = await waitFor('the answer to the voice message', () =>
			texts().find((m) => m.toUserName === VOICE_FRIEND),
		);
		// the simulator's transcript says what the WAV it received holds: the tone that was sent
		expect(answer.content).toBe('Echo: a voice message of 2.0 s at 440 Hz');
		const [transcription, ...moreTranscriptions] = ctx.sim.openai.requests.filter((r) =>
			r.path.endsWith('/audio/transcriptions'),
		);
		expect(moreTranscriptions).toEqual([]);
		expect(transcription.body).toMatchObject({
			model: 'whisper-1',
			file: { name: `${pushed.newMsgId}.wav`, type: 'audio/wav' },
		});
		const wav = readWav(Buffer.from(transcription.body.file.base64, 'base64'));
		expect(wav).toMatchObject({ format: 1, channels: 1, sampleRate: 24_000, bitsPerSample: 16 });
		expect(wav.pcm.equals(await silkCodec('decode', silk, TONE_RATE))).toBe(true);
		const [request, ...more] = completions().slice(before);
		expect(more).toEqual([]);
		expect(roles(request)).toEqual(['system', 'user']);
		expect(contents(request)[0]).toContain('kind: a voice message, transcribed');
		expect(contents(request)[0]).toContain(`chat ID: ${VOICE_FRIEND}`);
		expect(contents(request)[1]).toBe('a voice message of 2.0 s at 440 Hz');
		expect(ctx.sim.downloads).toEqual([
			expect.objectContaining({ msgId: String(pushed.msgId), written: true }),
		]);
		expect(sends().slice(-1)).toEqual([answer]);
	});

	test('a scripted tool call ("tell Alice the report is ready") sends exactly one text to that contact', async () => {
		ctx.sim.openai.script([
			{
				match: 'tell Alice',
				toolCalls: [{ arguments: { chatId: ALICE, text: 'The report is ready' } }],
			},
		]);
		const before = completions().length;
		ctx.sim.ws.inject({
			sample: 'text',
			message: { content: `please tell Alice (${ALICE}) the report is ready` },
		});
		const done = await waitFor('the answer after the tool', () =>
			texts().find((m) => m.toUserName === FRIEND && m.content.startsWith('Tool result:')),
		);
		await ctx.sim.settledMessages(2000);
		expect(
			texts()
				.filter((m) => m.toUserName === ALICE)
				.map((m) => m.content),
		).toEqual(['The report is ready']);
		const [call, afterTool, ...more] = completions().slice(before);
		expect(more).toEqual([]);
		expect(roles(call).at(-1)).toBe('user');
		expect(roles(afterTool).slice(-2)).toEqual(['assistant', 'tool']);
		const toolMessage = afterTool.body.messages.at(-1);
		const sentId = texts().find((m) => m.toUserName === ALICE).newMsgId;
		expect(toolMessage.content).toContain(sentId);
		expect(done.content).toContain(sentId);
	});

	test('a tool call with a name instead of an id sends nothing, and the model gets the error back', async () => {
		const { toolMessage, afterTool } = await refusedToolCall({
			ask: 'tell Bob lunch is at 12',
			call: { chatId: 'Bob Li', text: 'Lunch at 12?' },
			answerHas: 'Bob Li',
		});
		// n8n hands the tool's output to the model: the node's error, naming the field and what to pass
		expect(JSON.parse(toolMessage.content)).toEqual([
			{ error: expect.stringMatching(/^"To" has "Bob Li", which is not a WeChat ID: use a wxid/) },
		]);
		expect(JSON.stringify(afterTool.body)).not.toContain('sk-simulated');
	});

	test('a contact the gateway refuses to send to: nothing is sent, and the model gets the Ret code explained', async () => {
		const carol = 'wxid_carol_e2e';
		ctx.sim.contacts.seed({ UserName: carol, NickName: 'Carol' });
		ctx.sim.addFault({ action: 'ret', ret: -2, errMsg: 'no such contact', toUserName: carol });
		const { toolMessage } = await refusedToolCall({
			ask: 'tell Carol hi',
			call: { chatId: carol, text: 'Hi Carol' },
			answerHas: 'no such contact',
		});
		const [result] = JSON.parse(toolMessage.content);
		expect(result.error).toMatch(/Ret -2/);
		expect(result.error).toContain(carol);
	});

	test('a tool call with a well-formed id that is nobody (a made-up wxid_…) sends nothing, and the model gets the error back', async () => {
		const madeUp = 'wxid_made_up_by_the_model';
		const lookedUpBefore = lookUps().length;
		const { toolMessage } = await refusedToolCall({
			ask: 'tell Dave hi',
			call: { chatId: madeUp, text: 'Hi Dave' },
			answerHas: 'not a contact',
		});
		// Check Recipients (on in the shipped tool) asked the gateway who it is, and sent nothing
		expect(
			lookUps()
				.slice(lookedUpBefore)
				.map((m) => JSON.parse(m.request)),
		).toEqual([{ Wxid: [madeUp] }]);
		// the node's error item, as On Error: Continue makes it: what to pass, and the recipient
		expect(JSON.parse(toolMessage.content)).toEqual([
			{
				ToUserName: madeUp,
				error: `"To" has ${madeUp}, which is not a contact of this account (cgi 182 knows no one by that ID): use an ID from the trigger's chatId or senderWxid, never a name or a guess (item 0, to ${madeUp})`,
			},
		]);
		expect(await settledExecutions()).toEqual({ success: 8, failed: 0 });
	});
});
