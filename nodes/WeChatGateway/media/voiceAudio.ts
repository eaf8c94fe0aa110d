import { Worker } from 'node:worker_threads';

import { AppMsgInputError } from '../inputError';
import { isSilk, MAX_VOICE_SECONDS, readSilk } from './silk';

/**
 * A received voice message as WAV, the audio every speech-to-text service takes (none takes
 * WeChat's SILK). Decoding runs in WebAssembly (silk-wasm: no native build, nothing fetched at
 * run time), in a worker thread of its own: the trigger's event loop keeps reading the socket
 * meanwhile, a decoder that hangs is ended, and the decoder's memory goes with the worker.
 */

/** WeChat records voice messages at 24 kHz; decoding at that rate keeps every sample as sent. */
export const VOICE_SAMPLE_RATE = 24_000;

/**
 * The longest audio decoded: twice what WeChat lets anyone send, so a real voice message always
 * converts, while a crafted file of many frames cannot hold the process for long.
 */
export const MAX_DECODED_SECONDS = 2 * MAX_VOICE_SECONDS;

const TENCENT_PREFIX = Buffer.from([0x02]);

export type VoiceFormat = 'silk' | 'wav';

/** Why a voice message's SILK could not become WAV; the message says what to do instead. */
export class VoiceConversionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'VoiceConversionError';
	}
}

/** Longer than any real decode takes; a worker still running then is ended. */
const DECODE_TIMEOUT_MS = 30_000;

// A script, not a file of ours: it runs the same from dist/ and from the TypeScript sources.
const DECODER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.codecPath)
	.decode(workerData.silk, workerData.sampleRate)
	.then(
		({ data }) => parentPort.postMessage({ pcm: data }),
		(error) => parentPort.postMessage({ error: String((error && error.message) || error) }),
	);
`;

/** 16-bit mono PCM of `silk` at `sampleRate`, decoded in a worker thread. */
function decodeInWorker(silk: Uint8Array, sampleRate: number): Promise<Uint8Array> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(DECODER_SOURCE, {
			eval: true,
			workerData: { codecPath: require.resolve('silk-wasm'), silk, sampleRate },
		});
		let settled = false;
		const settle = (error: string | undefined, pcm?: Uint8Array) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			void worker.terminate();
			if (error === undefined) resolve(pcm as Uint8Array);
			else reject(new Error(error));
		};
		const timer = setTimeout(
			() => settle(`still decoding after ${DECODE_TIMEOUT_MS / 1000} s`),
			DECODE_TIMEOUT_MS,
		);
		worker.once('message', (reply: { pcm?: Uint8Array; error?: string }) =>
			settle(reply.error, reply.pcm),
		);
		worker.once('error', (error) => settle(error.message));
		worker.once('exit', (code) => settle(`the decoder stopped (exit code ${code})`));
	});
}

/** The 44-byte RIFF header of 16-bit mono PCM at `sampleRate`, for `dataBytes` of samples. */
function wavHeader(dataBytes: number, sampleRate: number): Buffer {
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(36 + dataBytes, 4);
	header.write('WAVEfmt ', 8, 'latin1');
	header.writeUInt32LE(16, 16); // size of the fmt chunk
	header.writeUInt16LE(1, 20); // PCM
	header.writeUInt16LE(1, 22); // mono
	header.writeUInt32LE(sampleRate, 24);
	header.writeUInt32LE(sampleRate * 2, 28); // bytes per second
	header.writeUInt16LE(2, 32); // bytes per sample frame
	header.writeUInt16LE(16, 34); // bits per sample
	header.write('data', 36, 'latin1');
	header.writeUInt32LE(dataBytes, 40);
	return header;
}

/**
 * SILK v3 (with or without Tencent's prefix) as a 24 kHz mono 16-bit WAV file. `field` names
 * the input in errors. Refused before decoding: anything that is not SILK, and audio longer than
 * MAX_DECODED_SECONDS.
 */
export async function silkToWav(silk: Uint8Array, field: string): Promise<Buffer> {
	if (!isSilk(silk))
		throw new AppMsgInputError(
			`"${field}" is not SILK v3 audio (a file starting with "#!SILK_V3"), so not a WeChat voice message to convert`,
			field,
		);
	const { durationMs, tencentPrefix } = readSilk(silk, field);
	if (durationMs > MAX_DECODED_SECONDS * 1000)
		throw new AppMsgInputError(
			`"${field}" is SILK audio of ${(durationMs / 1000).toFixed(0)} s, longer than any WeChat voice message (at most ${MAX_VOICE_SECONDS} s); it is not converted: take it as SILK`,
			field,
		);
	// the decoder reads only Tencent's variant, which differs by its first byte
	const tencent = tencentPrefix ? silk : Buffer.concat([TENCENT_PREFIX, silk]);
	const pcm = await decodeInWorker(tencent, VOICE_SAMPLE_RATE).catch((error: Error) => error);
	if (pcm instanceof Error)
		throw new VoiceConversionError(
			`The voice message's SILK audio could not be decoded (${pcm.message.slice(0, 120)}); take it as SILK instead`,
		);
	return Buffer.concat([wavHeader(pcm.byteLength, VOICE_SAMPLE_RATE), pcm]);
}
