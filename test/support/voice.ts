/**
 * Real voice audio for tests: a tone encoded to SILK v3 with silk-wasm's encoder (the codec's
 * other half), and what a WAV file says of itself, read back from its bytes.
 */
import { Worker } from 'node:worker_threads';

export const TONE_RATE = 24_000;

/** A sine tone of `hz` for `seconds`, as 16-bit mono PCM at TONE_RATE. */
export function tonePcm(seconds: number, hz: number): Buffer {
	const samples = Math.round(seconds * TONE_RATE);
	const pcm = Buffer.alloc(samples * 2);
	for (let i = 0; i < samples; i++)
		pcm.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * hz * i) / TONE_RATE)), i * 2);
	return pcm;
}

/**
 * silk-wasm's `encode` or `decode` of `bytes`, in a worker thread: the codec loads itself with a
 * dynamic import, which jest's module sandbox cannot run.
 */
export function silkCodec(operation: 'encode' | 'decode', bytes: Buffer, rate: number) {
	const source = `
		const { parentPort, workerData: w } = require('node:worker_threads');
		require(w.path)[w.operation](w.bytes, w.rate).then(({ data }) => parentPort.postMessage(data));
	`;
	const worker = new Worker(source, {
		eval: true,
		workerData: { path: require.resolve('silk-wasm'), operation, bytes, rate },
	});
	return new Promise<Buffer>((resolve, reject) => {
		worker.once('message', (data: Uint8Array) => resolve(Buffer.from(data)));
		worker.once('error', reject);
	}).finally(() => void worker.terminate());
}

/** The tone as WeChat would carry it: SILK v3 with Tencent's 0x02 first byte. */
export async function toneSilk(seconds: number, hz: number): Promise<Buffer> {
	return await silkCodec('encode', tonePcm(seconds, hz), TONE_RATE);
}

export interface WavFile {
	format: number;
	channels: number;
	sampleRate: number;
	bitsPerSample: number;
	pcm: Buffer;
}

/** A canonical 44-byte-header WAV file, read field by field; throws when it is not one. */
export function readWav(bytes: Buffer): WavFile {
	const text = (at: number, length: number) => bytes.toString('latin1', at, at + length);
	if (text(0, 4) !== 'RIFF' || text(8, 8) !== 'WAVEfmt ' || text(36, 4) !== 'data')
		throw new Error(`not a canonical WAV file: ${JSON.stringify(text(0, 16))}`);
	if (bytes.readUInt32LE(4) !== bytes.length - 8) throw new Error('RIFF size does not match');
	const dataBytes = bytes.readUInt32LE(40);
	if (dataBytes !== bytes.length - 44) throw new Error('data size does not match');
	return {
		format: bytes.readUInt16LE(20),
		channels: bytes.readUInt16LE(22),
		sampleRate: bytes.readUInt32LE(24),
		bitsPerSample: bytes.readUInt16LE(34),
		pcm: bytes.subarray(44),
	};
}

/** The pitch of mostly one tone in 16-bit PCM, from how often it crosses zero. */
export function pitchHz(pcm: Buffer, sampleRate: number): number {
	let crossings = 0;
	let previous = 0;
	for (let at = 0; at + 2 <= pcm.length; at += 2) {
		const sample = pcm.readInt16LE(at);
		if (sample !== 0) {
			if (previous !== 0 && Math.sign(sample) !== Math.sign(previous)) crossings++;
			previous = sample;
		}
	}
	return crossings / 2 / (pcm.length / 2 / sampleRate);
}
