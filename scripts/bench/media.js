#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Media, for `npm run bench` (or alone: `node scripts/bench/media.js [--mb=20] [--rounds=3]`):
 *
 *  (a) a picture of `--mb` MB (a real PNG of noise, which zlib cannot shrink) sent by Send Image
 *      from n8n binary data through n8n-core's engine to the simulator (which checks cgi 110 as
 *      the gateway does), in a fresh process of its own: MB of picture per second from the
 *      node's start to its end (median of the rounds after the first), and the process's peak
 *      resident memory above what it held when the node started, over the picture's size. The
 *      peak is the kernel's high-water mark (`maxRSS`), so anything the run left in the heap
 *      before the node started can only make the figure larger, never smaller;
 *  (b) the trigger alone over media frames in the gateway's format (pictures, voice messages and
 *      stickers that match Message Kinds, 3 in 10 texts that do not): frames read, parsed and
 *      filtered per second, median of 5 passes, every matching id emitted once;
 *  (c) a 60 s voice message (a tone, encoded to SILK) converted to WAV as Voice Format WAV does,
 *      worker thread included: seconds of audio converted per second of wall time (median of 5).
 *
 * Prints one line: `media: imageMBps=X peakRssOverPayload=Y triggerMediaParsedPerSec=Z
 * voiceWavRealtimeX=W`.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const workload = require('./workload');

const ACCOUNT = 'wxid_bench_media';
const TO = '1234567003@chatroom';
const arg = (name, fallback) =>
	Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

/** A PNG of about `mb` MB whose pixels are noise: its size is its payload. */
function noisePng(mb) {
	const { png } = require('../../simulator/mediaBytes');
	const side = Math.ceil(Math.sqrt((mb * 1024 * 1024) / 3));
	let state = 0x9e3779b9;
	const next = () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return state & 255;
	};
	return png(side, side, () => [next(), next(), next()]);
}

/** (a), in this process: run as the child `--image-child=<file> --url=<simulator>`. */
async function imageChild(file, baseUrl, rounds) {
	const { runNode } = require('./engine');
	const data = fs.readFileSync(file);
	const seconds = [];
	let peakOver = 0;
	for (let round = 0; round < rounds; round++) {
		let rssBefore = 0;
		let maxBefore = 0;
		let started = 0n;
		let ended = 0n;
		const { error } = await runNode({
			parameters: {
				operation: 'sendImage',
				toUserName: TO,
				imageSource: 'binary',
				binaryPropertyName: 'data',
				options: workload.PACING_OFF,
			},
			credentials: { baseUrl, wxid: ACCOUNT, timeout: 60 },
			items: [{}],
			binaries: [{ data: { data, mimeType: 'image/png', fileName: 'noise.png' } }],
			onNode: {
				before: () => {
					globalThis.gc?.();
					rssBefore = process.memoryUsage().rss;
					maxBefore = process.resourceUsage().maxRSS * 1024;
					started = process.hrtime.bigint();
				},
				after: () => {
					ended = process.hrtime.bigint();
				},
			},
		});
		if (error) throw new Error(`Send Image failed: ${error.message}`);
		const maxAfter = process.resourceUsage().maxRSS * 1024;
		// The first round alone starts below every earlier high-water mark.
		if (round === 0) peakOver = Math.max(maxAfter, maxBefore) - rssBefore;
		seconds.push(Number(ended - started) / 1e9);
	}
	const timed = (rounds > 1 ? seconds.slice(1) : seconds).sort((a, b) => a - b);
	const median = timed[Math.floor(timed.length / 2)];
	process.stdout.write(
		`${JSON.stringify({ bytes: data.length, seconds: median, peakOver, rounds: seconds })}\n`,
	);
}

/** (a): the picture written once, the simulator here, the measured node in a fresh process. */
async function measureImage({ mb = 20, rounds = 3 } = {}) {
	const { startGatewaySimulator } = require('../../simulator/gateway');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-bench-media-'));
	const file = path.join(dir, 'noise.png');
	fs.writeFileSync(file, noisePng(mb));
	const sim = await startGatewaySimulator({ accounts: [ACCOUNT], modelCommands: true });
	try {
		const child = spawn(
			process.execPath,
			[
				...(process.env.BENCH_MEDIA_PROFILE
					? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_MEDIA_PROFILE}`]
					: []),
				'--expose-gc',
				__filename,
				`--image-child=${file}`,
				`--url=${sim.url}`,
				`--rounds=${rounds}`,
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		const code = await new Promise((resolve) => child.on('close', resolve));
		if (code !== 0) throw new Error(`the measured process exited with ${code}`);
		const result = JSON.parse(out.trim().split('\n').pop() ?? '{}');
		const received = sim.messages.filter((m) => m.cgiCmd === 110);
		if (received.length !== rounds || received.some((m) => m.imageBytes !== result.bytes))
			throw new Error(`the simulator received ${received.length} of ${rounds} pictures whole`);
		return {
			bytes: result.bytes,
			MBps: result.bytes / 1024 / 1024 / result.seconds,
			peakRssOverPayload: result.peakOver / result.bytes,
			seconds: result.rounds,
		};
	} finally {
		await sim.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** (b): the receiver alone over media frames, median of `rounds` passes. */
function measureMediaFrames({ frames = 20_000, rounds = 5 } = {}) {
	const { frameText } = require('../../simulator/frames');
	const { imageXml, voiceXml, emojiXml } = require('../../simulator/mediaXml');
	const dist = path.join(workload.PACKAGE_ROOT, 'dist/nodes/WeChatGateway/trigger');
	const { FrameReceiver } = require(path.join(dist, 'receiver.js'));
	const { triggerFiltersFrom } = require(path.join(dist, 'filters.js'));
	const FRIEND = 'wxid_bench_media_friend';
	const picture = Buffer.from('a picture of the bench');
	/** Frame n: a picture, a voice message or a sticker (7 in 10), or a text. */
	const messageOf = (n) => {
		const kind = n % 10;
		if (kind < 3) return { msgType: 3, content: imageXml(picture, n) };
		if (kind < 5)
			return {
				msgType: 34,
				content: voiceXml({ seed: n, length: 5000, durationMs: 2700, from: FRIEND }),
			};
		if (kind < 7) {
			const md5 = `${n.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
			return {
				msgType: 47,
				content: emojiXml({
					md5,
					length: 4096,
					baseUrl: 'http://cdn.example',
					from: FRIEND,
					to: ACCOUNT,
				}),
			};
		}
		return { msgType: 1, content: `text ${n}` };
	};
	const first = 9_200_000_000_000_000_000n;
	const texts = [];
	let matching = 0;
	for (let n = 0; n < frames; n++) {
		const message = messageOf(n);
		if (message.msgType !== 1) matching++;
		texts.push(
			frameText({
				account: ACCOUNT,
				newMsgId: first + BigInt(n),
				withExt: n % 2 === 0,
				message: { fromUserName: FRIEND, ...message },
			}),
		);
	}
	const filters = triggerFiltersFrom({ messageKinds: ['image', 'voice', 'emoji'] });
	const passes = [];
	let emittedOnce = true;
	for (let round = 0; round < rounds; round++) {
		const receiver = new FrameReceiver(ACCOUNT, filters);
		const emitted = new Set();
		const started = process.hrtime.bigint();
		for (const text of texts) {
			const { item } = receiver.receive(text);
			if (item) emitted.add(item.newMsgId);
		}
		passes.push(texts.length / (Number(process.hrtime.bigint() - started) / 1e9));
		emittedOnce &&= emitted.size === matching;
	}
	if (!emittedOnce) throw new Error('the receiver did not emit every matching media frame once');
	passes.sort((a, b) => a - b);
	return { frames, matching, perSecond: passes[Math.floor(passes.length / 2)] };
}

/** (c): how many times faster than real time a voice message becomes WAV. */
async function measureVoiceToWav({ seconds = 60, rounds = 5 } = {}) {
	const { toneSilk } = require('../../simulator/voice');
	const { silkToWav } = require('../../dist/nodes/WeChatGateway/media/voiceAudio');
	const silk = await toneSilk(seconds, 440);
	const factors = [];
	for (let round = 0; round < rounds; round++) {
		const started = process.hrtime.bigint();
		const wav = await silkToWav(silk, 'voice');
		const wall = Number(process.hrtime.bigint() - started) / 1e9;
		if (wav.length < seconds * 48_000) throw new Error('the WAV is shorter than its voice message');
		factors.push(seconds / wall);
	}
	factors.sort((a, b) => a - b);
	return { seconds, realtimeX: factors[Math.floor(factors.length / 2)] };
}

/** All three, and the line. */
async function measureMedia({ mb = 20, rounds = 3 } = {}) {
	const image = await measureImage({ mb, rounds });
	const trigger = measureMediaFrames();
	const voice = await measureVoiceToWav();
	return { image, trigger, voice, line: line(image, trigger, voice) };
}

function line(image, trigger, voice) {
	return `media: imageMBps=${image.MBps.toFixed(1)} peakRssOverPayload=${image.peakRssOverPayload.toFixed(2)} triggerMediaParsedPerSec=${Math.round(trigger.perSecond)} voiceWavRealtimeX=${Math.round(voice.realtimeX)}`;
}

module.exports = {
	measureMedia,
	measureImage,
	measureMediaFrames,
	measureVoiceToWav,
	line,
	noisePng,
};

if (require.main === module) {
	const childFile = process.argv.find((a) => a.startsWith('--image-child='))?.split('=')[1];
	const run = childFile
		? imageChild(
				childFile,
				String(process.argv.find((a) => a.startsWith('--url='))?.slice('--url='.length)),
				arg('rounds', 3),
			)
		: measureMedia({ mb: arg('mb', 20), rounds: arg('rounds', 3) }).then((result) =>
				process.stdout.write(`${result.line}\n`),
			);
	run.catch((error) => {
		console.error(error && error.stack ? error.stack : error);
		process.exit(1);
	});
}
