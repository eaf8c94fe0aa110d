/**
 * The simulator's OpenAI-compatible model endpoint (simulator/openai.js), as n8n's OpenAI Chat
 * Model reaches it: /v1/models, /v1/chat/completions plain and streamed, scripted tool calls and
 * the answer after a tool's result, a 401 without a key, a 404 for the Responses API; and
 * /v1/audio/transcriptions as n8n's OpenAI node sends it (multipart), reading the WAV it got.
 */
import { startSimulator, type Simulator } from '../support/simulators';
import { silkToWav } from '../../nodes/WeChatGateway/media/voiceAudio';
import { toneSilk } from '../support/voice';

interface ModelEndpoint {
	script(rules: unknown): unknown;
	transcribeAs(texts: string | string[]): unknown;
	requests: Array<{
		method: string;
		path: string;
		body: { messages?: unknown[]; model?: string; file?: { name: string; size: number } };
	}>;
}

let simulator: Simulator & { openai: ModelEndpoint };
beforeAll(async () => {
	simulator = (await startSimulator()) as Simulator & { openai: ModelEndpoint };
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

const KEY = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };
const TOOLS = [
	{ type: 'function', function: { name: 'Send_WeChat_text', parameters: { type: 'object' } } },
];

async function complete(body: Record<string, unknown>, headers: Record<string, string> = KEY) {
	const response = await fetch(`${simulator.url}/v1/chat/completions`, {
		method: 'POST',
		headers,
		body: JSON.stringify({ model: 'sim-chat', ...body }),
	});
	return { status: response.status, text: await response.text() };
}

test('GET /v1/models lists the models, as the credential test and the model list ask', async () => {
	const response = await fetch(`${simulator.url}/v1/models`, { headers: KEY });
	expect(response.status).toBe(200);
	const { data } = (await response.json()) as { data: Array<{ id: string; object: string }> };
	expect(data.map((m) => m.id)).toEqual(['sim-chat', 'sim-chat-mini']);
	expect(data.every((m) => m.object === 'model')).toBe(true);
});

test('without a rule, the answer echoes the latest user message; the request is recorded', async () => {
	const { status, text } = await complete({
		messages: [
			{ role: 'system', content: 'be brief' },
			{ role: 'user', content: 'first' },
			{ role: 'assistant', content: 'Echo: first' },
			{ role: 'user', content: [{ type: 'text', text: 'second' }] },
		],
	});
	expect(status).toBe(200);
	const answer = JSON.parse(text);
	expect(answer).toMatchObject({
		object: 'chat.completion',
		model: 'sim-chat',
		choices: [{ message: { role: 'assistant', content: 'Echo: second' }, finish_reason: 'stop' }],
	});
	expect(answer.usage.total_tokens).toBeGreaterThan(0);
	expect(simulator.openai.requests).toHaveLength(1);
	expect(simulator.openai.requests[0]).toMatchObject({
		method: 'POST',
		path: '/v1/chat/completions',
	});
	expect(simulator.openai.requests[0].body.messages).toHaveLength(4);
});

test('a matching rule answers with its tool call; the request with the tool result gets the rule’s reply', async () => {
	simulator.openai.script([
		{
			match: 'tell Alice',
			toolCalls: [{ arguments: { chatId: 'wxid_a', text: 'ready' } }],
			reply: 'Told her',
		},
	]);
	const first = JSON.parse(
		(await complete({ messages: [{ role: 'user', content: 'please tell Alice' }], tools: TOOLS }))
			.text,
	);
	expect(first.choices[0].finish_reason).toBe('tool_calls');
	const [call] = first.choices[0].message.tool_calls;
	expect(call).toMatchObject({ type: 'function', function: { name: 'Send_WeChat_text' } });
	expect(JSON.parse(call.function.arguments)).toEqual({ chatId: 'wxid_a', text: 'ready' });
	const second = JSON.parse(
		(
			await complete({
				messages: [
					{ role: 'user', content: 'please tell Alice' },
					{ role: 'assistant', content: null, tool_calls: [call] },
					{ role: 'tool', tool_call_id: call.id, content: '[{"newMsgId":"1"}]' },
				],
				tools: TOOLS,
			})
		).text,
	);
	expect(second.choices[0].message.content).toBe('Told her');
});

test('a rule naming a tool the request does not offer is a 400 that says so', async () => {
	simulator.openai.script({ match: 'x', toolCalls: [{ name: 'Nope', arguments: {} }] });
	const { status, text } = await complete({
		messages: [{ role: 'user', content: 'x' }],
		tools: TOOLS,
	});
	expect(status).toBe(400);
	expect(JSON.parse(text).error.message).toMatch(/"Nope".*Send_WeChat_text/);
});

test('stream: true answers in server-sent events, tool calls with their index, usage when asked', async () => {
	simulator.openai.script({ toolCalls: [{ arguments: { chatId: 'wxid_a', text: 'hi' } }] });
	const { status, text } = await complete({
		messages: [{ role: 'user', content: 'go' }],
		tools: TOOLS,
		stream: true,
		stream_options: { include_usage: true },
	});
	expect(status).toBe(200);
	const events = text
		.split('\n\n')
		.filter(Boolean)
		.map((event) => event.replace(/^data: /, ''));
	expect(events.at(-1)).toBe('[DONE]');
	const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
	expect(chunks[0].choices[0].delta.tool_calls[0]).toMatchObject({
		index: 0,
		function: { name: 'Send_WeChat_text', arguments: '{"chatId":"wxid_a","text":"hi"}' },
	});
	expect(chunks[1].choices[0].finish_reason).toBe('tool_calls');
	expect(chunks[2].usage.total_tokens).toBeGreaterThan(0);
});

test('no API key is a 401; the Responses API and other paths are a 404, as on /chat/completions-only servers', async () => {
	const noKey = await complete(
		{ messages: [{ role: 'user', content: 'x' }] },
		{
			'content-type': 'application/json',
		},
	);
	expect(noKey.status).toBe(401);
	const responses = await fetch(`${simulator.url}/v1/responses`, {
		method: 'POST',
		headers: KEY,
		body: '{}',
	});
	expect(responses.status).toBe(404);
	expect(((await responses.json()) as { error: { message: string } }).error.message).toMatch(
		/use POST \/v1\/chat\/completions/,
	);
});

async function transcribe(file: Buffer, name: string, fields: Record<string, string> = {}) {
	const form = new FormData();
	for (const [key, value] of Object.entries({ model: 'whisper-1', ...fields }))
		form.append(key, value);
	form.append('file', new Blob([file]), name);
	const response = await fetch(`${simulator.url}/v1/audio/transcriptions`, {
		method: 'POST',
		headers: { authorization: 'Bearer sk-test' },
		body: form,
	});
	return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('POST /v1/audio/transcriptions', () => {
	test('a WAV is transcribed as what it holds (length and pitch); the request is recorded with its file', async () => {
		const wav = await silkToWav(await toneSilk(2, 440), 'voice');
		const { status, json } = await transcribe(wav, 'voice.wav', { language: 'zh' });
		expect(status).toBe(200);
		expect(json).toEqual({ text: 'a voice message of 2.0 s at 440 Hz' });
		const [request] = simulator.openai.requests;
		expect(request.path).toBe('/v1/audio/transcriptions');
		expect(request.body).toMatchObject({
			model: 'whisper-1',
			language: 'zh',
			file: { name: 'voice.wav', size: wav.length },
		});
	});

	test('scripted transcripts answer in order, then the audio is described again', async () => {
		simulator.openai.transcribeAs(['你好', 'second']);
		const wav = await silkToWav(await toneSilk(0.5, 300), 'voice');
		expect((await transcribe(wav, 'a.wav')).json.text).toBe('你好');
		expect((await transcribe(wav, 'b.wav')).json.text).toBe('second');
		expect((await transcribe(wav, 'c.wav')).json.text).toMatch(/^a voice message of 0\.5 s/);
	});

	test("WeChat's SILK is refused as OpenAI refuses it: speech-to-text needs the WAV", async () => {
		const { status, json } = await transcribe(await toneSilk(1, 440), 'voice.silk');
		expect(status).toBe(400);
		expect(JSON.stringify(json)).toMatch(/Invalid file format\. Supported formats: \[\\"wav\\"/);
	});

	test('without a file or a model: a 400 naming it', async () => {
		const form = new FormData();
		form.append('model', 'whisper-1');
		const response = await fetch(`${simulator.url}/v1/audio/transcriptions`, {
			method: 'POST',
			headers: { authorization: 'Bearer sk-test' },
			body: form,
		});
		expect(response.status).toBe(400);
		expect(await response.text()).toMatch(/'file' is required/);
		const noModel = await transcribe(await silkToWav(await toneSilk(0.5, 300), 'voice'), 'a.wav', {
			model: '',
		});
		expect(noModel.status).toBe(400);
	});
});
