import {
	isSilk,
	MAX_VOICE_SECONDS,
	readSilk,
	voiceTime,
} from '../../nodes/WeChatGateway/media/silk';

const MAGIC = Buffer.from('#!SILK_V3', 'latin1');

/** A SILK v3 file as WeChat writes it: header, then length-prefixed frames of 20 ms each. */
function silk(frameSizes: number[], { tencent = true, end = Buffer.alloc(0) } = {}): Buffer {
	const frames = frameSizes.map((size, i) => {
		const frame = Buffer.alloc(2 + size, i & 0xff);
		frame.writeUInt16LE(size, 0);
		return frame;
	});
	return Buffer.concat([tencent ? Buffer.from([0x02]) : Buffer.alloc(0), MAGIC, ...frames, end]);
}

const TWO_POINT_SEVEN_SECONDS = Array.from({ length: 135 }, (_, i) => 30 + (i % 40));

describe('SILK v3 voice', () => {
	it("reads the length from the frames, with Tencent's 0x02 first byte", () => {
		expect(readSilk(silk(TWO_POINT_SEVEN_SECONDS), 'data')).toEqual({
			tencentPrefix: true,
			frames: 135,
			durationMs: 2700,
		});
	});

	it('and without it', () => {
		const info = readSilk(silk(TWO_POINT_SEVEN_SECONDS, { tencent: false }), 'data');
		expect(info).toEqual({ tencentPrefix: false, frames: 135, durationMs: 2700 });
	});

	it('stops at the 0xFFFF end marker, whatever follows', () => {
		const end = Buffer.concat([Buffer.from([0xff, 0xff]), silk([10, 10, 10]).subarray(10)]);
		expect(readSilk(silk([20, 20], { end }), 'data').frames).toBe(2);
	});

	it('stops at a short trailing length', () => {
		expect(readSilk(silk([20, 20], { end: Buffer.from([0x05]) }), 'data').frames).toBe(2);
	});

	it('does not count a cut last frame', () => {
		const cut = silk([20, 20, 300]).subarray(0, -100);
		expect(readSilk(cut, 'data').frames).toBe(2);
	});

	it('ends the walk at a length that runs past the end', () => {
		expect(readSilk(silk([20], { end: Buffer.from([0xfe, 0xff, 1, 2, 3]) }), 'data').frames).toBe(
			1,
		);
	});

	it('walks a 50 MB buffer of empty frames to its end, one step per frame', () => {
		const huge = Buffer.alloc(50 * 1024 * 1024);
		MAGIC.copy(huge);
		const info = readSilk(huge, 'data');
		expect(info.frames).toBe(Math.floor((huge.length - MAGIC.length) / 2));
	});

	it.each([
		['MP3 audio', Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1')],
		['MP3 audio', Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0])],
		['WAV audio', Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1')],
		['Ogg (Opus or Vorbis) audio', Buffer.from('OggS\x00\x02\x00\x00', 'latin1')],
		['AMR audio', Buffer.from('#!AMR\n<', 'latin1')],
		['MP4/M4A audio', Buffer.from('\x00\x00\x00\x20ftypM4A ', 'latin1')],
		['not SILK v3 audio', Buffer.from('#!SILK_V2 an older format')],
		['not SILK v3 audio', Buffer.alloc(0)],
	])('refuses %s, saying what WeChat needs and how to get it', (what, bytes) => {
		expect(isSilk(bytes)).toBe(false);
		let message = '';
		try {
			readSilk(bytes, 'voice');
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toContain(`Binary property "voice" is ${what}.`);
		expect(message).toContain('WeChat voice messages must be SILK v3 audio');
		expect(message).toContain('silk-wasm');
	});

	it('refuses a header without frames', () => {
		expect(() => readSilk(silk([], { end: Buffer.from([0xff, 0xff]) }), 'data')).toThrow(
			'is a SILK v3 header without any audio frames',
		);
	});
});

describe('VoiceTime: whole seconds from 1 to 60', () => {
	it.each([
		[2700, 3],
		[2400, 2],
		[300, 1],
		[0, 1],
		[60_400, 60],
	])('%i ms of audio is sent as %i s', (durationMs, seconds) => {
		expect(voiceTime(undefined, durationMs, 'voiceDuration')).toBe(seconds);
	});

	it('audio over the limit is refused', () => {
		expect(() => voiceTime(undefined, 61_000, 'voiceDuration')).toThrow(
			`The voice message is 61.0 s long; WeChat accepts at most ${MAX_VOICE_SECONDS} s`,
		);
	});

	it('a duration given by the user wins over the audio', () => {
		expect(voiceTime(5, 2700, 'voiceDuration')).toBe(5);
	});

	it.each([0, 61, 2.5, -1, Number.NaN])('%p seconds given by the user is refused', (seconds) => {
		expect(() => voiceTime(seconds, 2700, 'voiceDuration')).toThrow(
			`"voiceDuration" is ${seconds}; it must be a whole number of seconds from 1 to ${MAX_VOICE_SECONDS}`,
		);
	});
});
