/**
 * The simulator's OpenAI-compatible model endpoint (simulator/openai.js), as n8n's OpenAI Chat
 * Model reaches it: /v1/models, /v1/chat/completions plain and streamed, scripted tool calls and
 * the answer after a tool's result, a 401 without a key, a 404 for the Responses API.
 */
import { startSimulator, type Simulator } from '../support/simulators';

interface ModelEndpoint {
	script(rules: unknown): unknown;
	requests: Array<{ method: string; path: string; body: { messages?: unknown[] } }>;
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
