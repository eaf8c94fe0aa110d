import { AppMsgInputError } from '../appmsg/model';

/**
 * SILK v3, the codec of WeChat's voice messages: `#!SILK_V3` (Tencent's files put a 0x02 byte
 * before it), then frames of a 2-byte little-endian length and that many bytes of payload, each
 * frame 20 ms of audio, until a length of 0xFFFF or the end of the file.
 */
const SILK_MAGIC = '#!SILK_V3';
const TENCENT_PREFIX = 0x02;
const FRAME_MS = 20;
const END_OF_STREAM = 0xffff;

/** WeChat refuses voice messages longer than this. */
export const MAX_VOICE_SECONDS = 60;

const HOW_TO_GET_SILK =
	'WeChat voice messages must be SILK v3 audio (what WeChat itself records; a file starting with "#!SILK_V3"). ' +
	"Convert other audio first: decode it to 24 kHz mono 16-bit PCM (e.g. with ffmpeg) and encode that with a SILK v3 encoder (e.g. the silk-wasm package in a Code node, or Tencent's silk encoder); " +
	'or send a voice message received earlier, downloaded with "Download Media"';

/** What other audio looks like, so the error can say what the bytes were instead. */
const OTHER_AUDIO: ReadonlyArray<[RegExp, string]> = [
	[/^ID3/, 'MP3'],
	[/^\xff[\xe0-\xff]/, 'MP3'],
	[/^RIFF[\s\S]{4}WAVE/, 'WAV'],
	[/^OggS/, 'Ogg (Opus or Vorbis)'],
	[/^#!AMR/, 'AMR'],
	[/^fLaC/, 'FLAC'],
	[/^[\s\S]{4}ftyp/, 'MP4/M4A'],
];

export interface SilkInfo {
	/** Whether the file carries Tencent's 0x02 first byte. */
	tencentPrefix: boolean;
	frames: number;
	durationMs: number;
}

function headerLength(bytes: Uint8Array): number | undefined {
	const readMagic = (at: number) =>
		bytes.length >= at + SILK_MAGIC.length &&
		String.fromCharCode(...bytes.subarray(at, at + SILK_MAGIC.length)) === SILK_MAGIC;
	if (readMagic(0)) return SILK_MAGIC.length;
	if (bytes[0] === TENCENT_PREFIX && readMagic(1)) return SILK_MAGIC.length + 1;
	return undefined;
}

/** Whether the bytes start like SILK v3, with or without Tencent's prefix. */
export function isSilk(bytes: Uint8Array): boolean {
	return headerLength(bytes) !== undefined;
}

/**
 * Reads a SILK v3 file's frames and so its length. One step per frame, each at least two bytes
 * on: whatever the lengths say, the walk ends at the end of the buffer. A frame whose length runs
 * past the end (a cut file) ends the walk and is not counted.
 */
export function readSilk(bytes: Uint8Array, field: string): SilkInfo {
	const start = headerLength(bytes);
	if (start === undefined) {
		const head = String.fromCharCode(...bytes.subarray(0, 12));
		const other = OTHER_AUDIO.find(([pattern]) => pattern.test(head));
		const what = other ? `${other[1]} audio` : 'not SILK v3 audio';
		throw new AppMsgInputError(`Binary property "${field}" is ${what}. ${HOW_TO_GET_SILK}`, field);
	}
	let frames = 0;
	let at = start;
	while (at + 2 <= bytes.length) {
		const length = bytes[at] | (bytes[at + 1] << 8);
		if (length === END_OF_STREAM || at + 2 + length > bytes.length) break;
		frames++;
		at += 2 + length;
	}
	if (frames === 0)
		throw new AppMsgInputError(
			`Binary property "${field}" is a SILK v3 header without any audio frames`,
			field,
		);
	return { tencentPrefix: start > SILK_MAGIC.length, frames, durationMs: frames * FRAME_MS };
}

/**
 * `VoiceTime` as WeChat takes it: whole seconds, at least 1 and at most MAX_VOICE_SECONDS.
 * `seconds` is what the user gave, or undefined to take the audio's own length.
 */
export function voiceTime(seconds: number | undefined, durationMs: number, field: string): number {
	if (seconds === undefined) {
		const rounded = Math.max(1, Math.round(durationMs / 1000));
		if (rounded > MAX_VOICE_SECONDS)
			throw new AppMsgInputError(
				`The voice message is ${(durationMs / 1000).toFixed(1)} s long; WeChat accepts at most ${MAX_VOICE_SECONDS} s: cut it or split it`,
				field,
			);
		return rounded;
	}
	if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_VOICE_SECONDS)
		throw new AppMsgInputError(
			`"${field}" is ${seconds}; it must be a whole number of seconds from 1 to ${MAX_VOICE_SECONDS} (WeChat's limit), or empty to read it from the audio`,
			field,
		);
	return seconds;
}
