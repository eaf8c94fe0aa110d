import { AppMsgInputError } from '../../nodes/WeChatGateway/inputError';
import {
	MAX_DECODED_SECONDS,
	silkToWav,
	VOICE_SAMPLE_RATE,
	VoiceConversionError,
} from '../../nodes/WeChatGateway/media/voiceAudio';
import { pitchHz, readWav, silkCodec, toneSilk } from '../support/voice';

const MAGIC = Buffer.from('#!SILK_V3', 'latin1');

/** A SILK header and `count` frames of `size` filler bytes each (20 ms a frame). */
function frames(count: number, size = 2): Buffer {
	const frame = Buffer.alloc(2 + size, 0x11);
	frame.writeUInt16LE(size, 0);
	return Buffer.concat([Buffer.from([0x02]), MAGIC, ...Array(count).fill(frame)]);
}

describe('a voice message as WAV', () => {
	let tone: Buffer;
	beforeAll(async () => {
		tone = await toneSilk(2, 440);
	});

	it('is 24 kHz mono 16-bit PCM, as long as the SILK and still the same tone', async () => {
		const wav = readWav(await silkToWav(tone, 'data'));
		expect(wav).toMatchObject({
			format: 1,
			channels: 1,
			sampleRate: VOICE_SAMPLE_RATE,
			bitsPerSample: 16,
		});
		const seconds = wav.pcm.length / 2 / VOICE_SAMPLE_RATE;
		expect(seconds).toBeGreaterThanOrEqual(2);
		expect(seconds).toBeLessThan(2.1);
		expect(pitchHz(wav.pcm, VOICE_SAMPLE_RATE)).toBeGreaterThan(430);
		expect(pitchHz(wav.pcm, VOICE_SAMPLE_RATE)).toBeLessThan(450);
	});

	it("holds exactly the decoder's samples after its header", async () => {
		const wav = await silkToWav(tone, 'data');
		const samples = await silkCodec('decode', tone, VOICE_SAMPLE_RATE);
		expect(wav.subarray(44).equals(samples)).toBe(true);
	});

	it("converts a file without Tencent's first byte as well", async () => {
		const plain = await silkToWav(tone.subarray(1), 'data');
		expect(plain.equals(await silkToWav(tone, 'data'))).toBe(true);
	});

	it('refuses anything that is not SILK, naming the field', async () => {
		const mp3 = Buffer.concat([Buffer.from('ID3\x03\x00', 'latin1'), Buffer.alloc(64)]);
		const attempt = silkToWav(mp3, 'voice');
		await expect(attempt).rejects.toBeInstanceOf(AppMsgInputError);
		await expect(attempt).rejects.toThrow(
			'"voice" is not SILK v3 audio (a file starting with "#!SILK_V3"), so not a WeChat voice message to convert',
		);
	});

	it('refuses a SILK header without any audio', async () => {
		await expect(silkToWav(frames(0), 'voice')).rejects.toThrow(
			/"voice" is a SILK v3 header without any audio frames/,
		);
	});

	it('refuses, before decoding, audio longer than any WeChat voice message could be', async () => {
		const tooLong = frames(MAX_DECODED_SECONDS * 50 + 1);
		const started = process.hrtime.bigint();
		await expect(silkToWav(tooLong, 'voice')).rejects.toThrow(
			/"voice" is SILK audio of 120 s, longer than any WeChat voice message \(at most 60 s\); it is not converted: take it as SILK/,
		);
		// read, not decoded: the same check on a file of one frame decodes it
		expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
		await expect(silkToWav(frames(MAX_DECODED_SECONDS * 50), 'voice')).resolves.toBeInstanceOf(
			Buffer,
		);
	});

	it('a frame the decoder cannot take is a conversion error that says what to do', async () => {
		const frame = Buffer.alloc(2 + 65_000, 7);
		frame.writeUInt16LE(65_000, 0);
		const broken = Buffer.concat([Buffer.from([0x02]), MAGIC, frame]);
		const attempt = silkToWav(broken, 'voice');
		await expect(attempt).rejects.toBeInstanceOf(VoiceConversionError);
		await expect(silkToWav(broken, 'voice')).rejects.toThrow(
			/^The voice message's SILK audio could not be decoded \(.+\); take it as SILK instead$/,
		);
	});
});
