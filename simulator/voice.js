// @ts-check
'use strict';
/**
 * Real voice audio for the simulator and the tests: a tone encoded to SILK v3 with silk-wasm (the
 * codec the package decodes with), and what a WAV file says of itself, read from its bytes. The
 * codec runs in a worker thread: it loads itself with a dynamic import, which jest's module
 * sandbox cannot run.
 */
const { Worker } = require('node:worker_threads');

const TONE_RATE = 24_000;

/** A sine tone of `hz` for `seconds`, as 16-bit mono PCM at TONE_RATE. */
function tonePcm(/** @type {number} */ seconds, /** @type {number} */ hz) {
	const samples = Math.round(seconds * TONE_RATE);
	const pcm = Buffer.alloc(samples * 2);
	for (let i = 0; i < samples; i++)
		pcm.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * hz * i) / TONE_RATE)), i * 2);
	return pcm;
}

/**
 * silk-wasm's `encode` or `decode` of `bytes` at `rate`.
 * @param {'encode' | 'decode'} operation
 * @param {Buffer} bytes
 * @param {number} rate
 * @returns {Promise<Buffer>}
 */
function silkCodec(operation, bytes, rate) {
	const source = `
		const { parentPort, workerData: w } = require('node:worker_threads');
		require(w.path)[w.operation](w.bytes, w.rate).then(({ data }) => parentPort.postMessage(data));
	`;
	const worker = new Worker(source, {
		eval: true,
		workerData: { path: require.resolve('silk-wasm'), operation, bytes, rate },
	});
	return new Promise((resolve, reject) => {
		worker.once('message', (/** @type {Uint8Array} */ data) => resolve(Buffer.from(data)));
		worker.once('error', reject);
	}).finally(() => void worker.terminate());
}

/** The tone as WeChat carries it: SILK v3 with Tencent's 0x02 first byte. */
async function toneSilk(/** @type {number} */ seconds, /** @type {number} */ hz) {
	return await silkCodec('encode', tonePcm(seconds, hz), TONE_RATE);
}

/**
 * A canonical WAV file (44-byte header), field by field; throws when it is not one.
 * @param {Buffer} bytes
 */
function readWav(bytes) {
	const text = (/** @type {number} */ at, /** @type {number} */ length) =>
		bytes.toString('latin1', at, at + length);
	if (
		bytes.length < 44 ||
		text(0, 4) !== 'RIFF' ||
		text(8, 8) !== 'WAVEfmt ' ||
		text(36, 4) !== 'data'
	)
		throw new Error(`not a canonical WAV file: ${JSON.stringify(text(0, 16))}`);
	if (bytes.readUInt32LE(4) !== bytes.length - 8) throw new Error('RIFF size does not match');
	if (bytes.readUInt32LE(40) !== bytes.length - 44) throw new Error('data size does not match');
	return {
		format: bytes.readUInt16LE(20),
		channels: bytes.readUInt16LE(22),
		sampleRate: bytes.readUInt32LE(24),
		bitsPerSample: bytes.readUInt16LE(34),
		pcm: bytes.subarray(44),
	};
}

/** The pitch of mostly one tone in 16-bit PCM, from how often it crosses zero. */
function pitchHz(/** @type {Buffer} */ pcm, /** @type {number} */ sampleRate) {
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

module.exports = { TONE_RATE, tonePcm, silkCodec, toneSilk, readWav, pitchHz };
