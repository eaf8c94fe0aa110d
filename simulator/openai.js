// @ts-check
'use strict';
/**
 * A small OpenAI-compatible model endpoint, served by the gateway simulator under `/v1/`, so that
 * n8n's own AI nodes (the OpenAI Chat Model with its credential's Base URL pointed here) can run
 * a workflow with no network. It offers what endpoints like DeepSeek, Qwen or a local server
 * offer: `POST /v1/chat/completions` (plain JSON or `stream: true` server-sent events) and
 * `GET /v1/models`. `/v1/responses` answers 404 as such endpoints do, so a node left on the
 * Responses API fails the way it would there.
 *
 * Answers are scripted by rules, tried in order against the latest user message of a request:
 *   { match: 'tell Alice', toolCalls: [{ name?, arguments }], reply?: 'text after the tool' }
 *   { match: 'hello', reply: 'Hi!' }
 * A request whose last message is a tool result is the second half of a tool call: it is answered
 * with the rule's `reply`, or with `Tool result: <the tool message>`. Without a matching rule the
 * answer is `Echo: <the user message>`, so a test can tell which chat an answer belongs to.
 * Every request is recorded (`requests`), its body parsed, headers left out.
 *
 * `POST /v1/audio/transcriptions` (multipart, as OpenAI's and Whisper servers' speech-to-text)
 * takes the formats OpenAI takes and refuses the rest as OpenAI does (SILK among them). Its text
 * is the next scripted transcript (`transcripts`), or else what the audio is, read from a WAV:
 * `a voice message of 2.0 s at 440 Hz`, so a test can tell the very audio arrived. The request
 * is recorded with its fields and the file (`file`: name, type, size, base64).
 */

/** @typedef {{ name?: string, arguments: Record<string, unknown> }} ScriptedToolCall */
/** @typedef {{ match?: string, toolCalls?: ScriptedToolCall[], reply?: string }} ScriptRule */

const { readWav, pitchHz } = require('./voice');

const MODEL_IDS = ['sim-chat', 'sim-chat-mini'];

/** What OpenAI's speech-to-text takes, by the file's first bytes. */
const AUDIO_FORMATS = [
	['wav', /^RIFF[\s\S]{4}WAVE/],
	['mp3', /^(ID3|\xff[\xe0-\xff])/],
	['ogg', /^OggS/],
	['flac', /^fLaC/],
	['webm', /^\x1a\x45\xdf\xa3/],
	['m4a', /^[\s\S]{4}ftyp/],
];

/** The text of a chat message's content: a string, or the text parts of a list. */
function contentText(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content.map((part) => (part && typeof part.text === 'string' ? part.text : '')).join('');
	return '';
}

/** @param {{ sendJson: (res: any, status: number, text: string) => void }} parts */
function createOpenAiEndpoint({ sendJson }) {
	/** @type {ScriptRule[]} */
	let rules = [];
	/** Every request to /v1/, in order: `{ at, method, path, body }`. */
	const requests = [];
	let completionSeq = 0;
	let toolCallSeq = 0;

	const openAiError = (res, status, message, type = 'invalid_request_error') =>
		sendJson(res, status, JSON.stringify({ error: { message, type, param: null, code: null } }));

	/** @returns {{ message: Record<string, unknown>, finishReason: string }} */
	function answerFor(body) {
		const messages = Array.isArray(body.messages) ? body.messages : [];
		const last = messages[messages.length - 1];
		const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
		const userText = contentText(lastUser?.content);
		const rule = rules.find((r) => r.match === undefined || userText.includes(r.match));
		if (last && last.role === 'tool') {
			const content = rule?.reply ?? `Tool result: ${contentText(last.content)}`;
			return { message: { role: 'assistant', content }, finishReason: 'stop' };
		}
		if (rule?.toolCalls?.length) {
			const offered = (Array.isArray(body.tools) ? body.tools : []).map((t) => t?.function?.name);
			const toolCalls = rule.toolCalls.map((call) => {
				const name = call.name ?? offered[0];
				if (!name || !offered.includes(name))
					throw new Error(
						`the script calls tool "${name}", and the request offers ${offered.join(', ') || 'no tools'}`,
					);
				return {
					id: `call_sim_${++toolCallSeq}`,
					type: 'function',
					function: { name, arguments: JSON.stringify(call.arguments ?? {}) },
				};
			});
			return {
				message: { role: 'assistant', content: null, tool_calls: toolCalls },
				finishReason: 'tool_calls',
			};
		}
		const content = rule?.reply ?? `Echo: ${userText}`;
		return { message: { role: 'assistant', content }, finishReason: 'stop' };
	}

	function usageOf(body, message) {
		const prompt = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
		const completion = Math.ceil(JSON.stringify(message).length / 4);
		return {
			prompt_tokens: prompt,
			completion_tokens: completion,
			total_tokens: prompt + completion,
		};
	}

	function completion(res, body) {
		if (!Array.isArray(body.messages) || body.messages.length === 0)
			return openAiError(res, 400, "'messages' must be a non-empty array");
		if (typeof body.model !== 'string' || body.model === '')
			return openAiError(res, 400, "'model' is required");
		let answer;
		try {
			answer = answerFor(body);
		} catch (error) {
			return openAiError(res, 400, String(/** @type {Error} */ (error).message));
		}
		const id = `chatcmpl-sim-${++completionSeq}`;
		const created = Math.floor(Date.now() / 1000);
		const usage = usageOf(body, answer.message);
		if (body.stream !== true) {
			return sendJson(
				res,
				200,
				JSON.stringify({
					id,
					object: 'chat.completion',
					created,
					model: body.model,
					choices: [
						{
							index: 0,
							message: answer.message,
							finish_reason: answer.finishReason,
							logprobs: null,
						},
					],
					usage,
				}),
			);
		}
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		const chunk = (choices, extra = {}) =>
			res.write(
				`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices, ...extra })}\n\n`,
			);
		const { message } = answer;
		const delta = message.tool_calls
			? {
					role: 'assistant',
					content: null,
					tool_calls: /** @type {any[]} */ (message.tool_calls).map((call, index) => ({
						index,
						...call,
					})),
				}
			: { role: 'assistant', content: message.content };
		chunk([{ index: 0, delta, finish_reason: null }]);
		chunk([{ index: 0, delta: {}, finish_reason: answer.finishReason }]);
		if (body.stream_options?.include_usage) chunk([], { usage });
		res.end('data: [DONE]\n\n');
	}

	/** Scripted transcripts, each used once, in order. */
	let transcripts = [];

	/** What a WAV holds, as the default transcript; other formats are only named. */
	function describeAudio(format, bytes) {
		if (format !== 'wav') return `${format} audio of ${bytes.length} bytes`;
		const wav = readWav(bytes);
		const seconds = wav.pcm.length / 2 / wav.channels / wav.sampleRate;
		const hz = Math.round(pitchHz(wav.pcm, wav.sampleRate) / 10) * 10;
		return `a voice message of ${seconds.toFixed(1)} s at ${hz} Hz`;
	}

	async function transcription(req, res, bodyBytes) {
		const type = String(req.headers['content-type'] ?? '');
		if (!type.startsWith('multipart/form-data'))
			return openAiError(res, 400, 'the body must be multipart/form-data');
		let form;
		try {
			form = await new Response(bodyBytes, { headers: { 'content-type': type } }).formData();
		} catch (error) {
			return openAiError(res, 400, `the multipart body could not be read: ${error.message}`);
		}
		const file = form.get('file');
		const model = form.get('model');
		const fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string'));
		if (!file || typeof file === 'string')
			return recorded(fields, undefined, () => openAiError(res, 400, "'file' is required"));
		const bytes = Buffer.from(await file.arrayBuffer());
		const head = bytes.toString('latin1', 0, 12);
		const format = AUDIO_FORMATS.find(([, magic]) => magic.test(head))?.[0];
		const fileRecord = {
			name: file.name,
			type: file.type,
			size: bytes.length,
			base64: bytes.toString('base64'),
		};
		return recorded(fields, fileRecord, () => {
			if (typeof model !== 'string' || model === '')
				return openAiError(res, 400, "'model' is required");
			if (!format)
				return openAiError(
					res,
					400,
					`Invalid file format. Supported formats: ${JSON.stringify(AUDIO_FORMATS.map(([name]) => name))}`,
				);
			let text;
			try {
				text = transcripts.shift() ?? describeAudio(format, bytes);
			} catch (error) {
				return openAiError(res, 400, `the audio could not be read: ${error.message}`);
			}
			sendJson(res, 200, JSON.stringify({ text }));
		});
	}

	/** The transcription request as recorded, replacing the body the JSON parse could not read. */
	function recorded(fields, file, answer) {
		const last = requests[requests.length - 1];
		last.body = { ...fields, file };
		return answer();
	}

	/** Answers a request under /v1/; returns false when the path is not one of them. */
	function handle(req, res, url, bodyText, bodyBytes = Buffer.from(bodyText ?? '')) {
		const path = url.pathname.replace(/\/+$/, '');
		if (!/(^|\/)v1(\/|$)/.test(path)) return false;
		let body;
		try {
			body = bodyText ? JSON.parse(bodyText) : undefined;
		} catch {
			body = undefined;
		}
		requests.push({ at: new Date().toISOString(), method: req.method, path, body });
		if (!/^Bearer \S+/.test(String(req.headers.authorization ?? '')))
			return void openAiError(
				res,
				401,
				'An API key is required (Authorization: Bearer …)',
				'invalid_api_key',
			);
		if (req.method === 'GET' && path.endsWith('/v1/models'))
			return void sendJson(
				res,
				200,
				JSON.stringify({
					object: 'list',
					data: MODEL_IDS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'simulator' })),
				}),
			);
		if (req.method === 'POST' && path.endsWith('/v1/audio/transcriptions'))
			return void transcription(req, res, bodyBytes).catch((error) =>
				openAiError(res, 500, String(error?.message ?? error), 'server_error'),
			);
		if (req.method === 'POST' && path.endsWith('/v1/chat/completions')) {
			if (!body || typeof body !== 'object')
				return void openAiError(res, 400, 'the body must be JSON');
			return void completion(res, body);
		}
		openAiError(
			res,
			404,
			`${req.method} ${path} is not offered here: use POST /v1/chat/completions or /v1/audio/transcriptions`,
		);
		return undefined;
	}

	/** Control under /__simulator/openai: the script and the recorded requests. */
	function handleControl(route, bodyText, res) {
		const reply = (value) => sendJson(res, 200, JSON.stringify(value));
		switch (route) {
			case 'GET /__simulator/openai/requests':
				return void reply(requests);
			case 'GET /__simulator/openai/script':
				return void reply(rules);
			case 'POST /__simulator/openai/script':
				return void reply(script(JSON.parse(bodyText || '[]')));
			case 'POST /__simulator/openai/transcripts':
				return void reply(transcribeAs(JSON.parse(bodyText || '[]')));
			default:
				return false;
		}
	}

	/** Replaces the rules (one or a list). */
	function script(newRules) {
		const list = Array.isArray(newRules) ? newRules : [newRules];
		for (const rule of list) {
			if (!rule || typeof rule !== 'object') throw new Error('a script rule must be an object');
			if (rule.match !== undefined && typeof rule.match !== 'string')
				throw new Error('a script rule\'s "match" must be text');
		}
		rules = list;
		return rules;
	}

	/** The next transcripts (one or a list), each answering one transcription request. */
	function transcribeAs(texts) {
		const list = Array.isArray(texts) ? texts : [texts];
		if (list.some((text) => typeof text !== 'string')) throw new Error('a transcript must be text');
		transcripts = [...list];
		return transcripts;
	}

	return {
		handle,
		handleControl,
		reset() {
			rules = [];
			transcripts = [];
			requests.length = 0;
		},
		/**
		 * What the simulator object offers tests: `script(rules)`, `transcribeAs(texts)` and the
		 * recorded `requests`.
		 */
		api: { script, transcribeAs, requests },
	};
}

module.exports = { createOpenAiEndpoint, MODEL_IDS };
