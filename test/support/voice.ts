/** simulator/voice.js with its types: real SILK audio for tests, and WAV files read back. */
export interface WavFile {
	format: number;
	channels: number;
	sampleRate: number;
	bitsPerSample: number;
	pcm: Buffer;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { TONE_RATE, tonePcm, silkCodec, toneSilk, readWav, pitchHz } =
	require('../../simulator/voice') as {
		TONE_RATE: number;
		tonePcm(seconds: number, hz: number): Buffer;
		silkCodec(operation: 'encode' | 'decode', bytes: Buffer, rate: number): Promise<Buffer>;
		toneSilk(seconds: number, hz: number): Promise<Buffer>;
		readWav(bytes: Buffer): WavFile;
		pitchHz(pcm: Buffer, sampleRate: number): number;
	};
