import { AppMsgInputError } from '../appmsg/model';

/**
 * The picture formats WeChat shows inline, recognised from the bytes alone: a file name or a mime
 * type set upstream in a workflow says nothing reliable about what the bytes are.
 */

export interface ImageType {
	mime: string;
	extension: string;
}

/**
 * The largest picture sent as a picture. Limits cited for WeChat lie between 10 MB (a compressed
 * picture) and 25 MB (an original one, beyond which WeChat's own clients send a file instead):
 * the upper one is taken so that nothing WeChat itself would send as a picture is refused here;
 * the gateway and WeChat still decide beyond that.
 */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The sizes of the DIB headers Windows and OS/2 bitmaps have been written with. */
const BMP_INFO_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
	if (bytes.length < at + prefix.length) return false;
	return prefix.every((byte, i) => bytes[at + i] === byte);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
	return bytes.length < to ? '' : String.fromCharCode(...bytes.subarray(from, to));
}

function readUint32LE(bytes: Uint8Array, at: number): number {
	return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000;
}

/** The signature, then the IHDR chunk every PNG must open with (thirteen bytes long). */
function isPng(bytes: Uint8Array): boolean {
	return (
		startsWith(bytes, PNG_SIGNATURE) &&
		startsWith(bytes, [0, 0, 0, 13], 8) &&
		ascii(bytes, 12, 16) === 'IHDR'
	);
}

/** Start of image, then another marker segment (APPn, a table, a frame, a comment). */
function isJpeg(bytes: Uint8Array): boolean {
	return (
		startsWith(bytes, [0xff, 0xd8, 0xff]) && bytes.length > 3 && bytes[3] >= 0xc0 && bytes[3] < 0xff
	);
}

/**
 * Header and logical screen descriptor, then (past the global colour table, when the descriptor
 * announces one) the first block must be an image, an extension or the trailer: text that merely
 * starts with "GIF89a" fails there.
 */
function isGif(bytes: Uint8Array): boolean {
	const header = ascii(bytes, 0, 6);
	if (header !== 'GIF87a' && header !== 'GIF89a') return false;
	if (bytes.length < 14) return false;
	const packed = bytes[10];
	const colourTableBytes = packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
	const firstBlock = bytes[13 + colourTableBytes];
	return firstBlock === 0x2c || firstBlock === 0x21 || firstBlock === 0x3b;
}

/** A RIFF container of form WEBP whose first chunk is one of WebP's three bitstream chunks. */
function isWebp(bytes: Uint8Array): boolean {
	if (ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 12) !== 'WEBP') return false;
	const chunk = ascii(bytes, 12, 16);
	return chunk === 'VP8 ' || chunk === 'VP8L' || chunk === 'VP8X';
}

/** "BM", then a pixel-data offset past the headers and an information header of a known size. */
function isBmp(bytes: Uint8Array): boolean {
	if (bytes.length < 26 || ascii(bytes, 0, 2) !== 'BM') return false;
	const infoHeaderSize = readUint32LE(bytes, 14);
	const pixelOffset = readUint32LE(bytes, 10);
	return BMP_INFO_HEADER_SIZES.has(infoHeaderSize) && pixelOffset >= 14 + infoHeaderSize;
}

const DETECTORS: ReadonlyArray<[(bytes: Uint8Array) => boolean, ImageType]> = [
	[isPng, { mime: 'image/png', extension: 'png' }],
	[isJpeg, { mime: 'image/jpeg', extension: 'jpg' }],
	[isGif, { mime: 'image/gif', extension: 'gif' }],
	[isWebp, { mime: 'image/webp', extension: 'webp' }],
	[isBmp, { mime: 'image/bmp', extension: 'bmp' }],
];

/** The picture format of `bytes`, or undefined when they are none of the formats WeChat shows. */
export function detectImageType(bytes: Uint8Array): ImageType | undefined {
	for (const [matches, type] of DETECTORS) if (matches(bytes)) return { ...type };
	return undefined;
}

/**
 * The format of a picture about to be sent, or a clear error naming `field` (the binary property)
 * when the bytes are too large or not a picture WeChat shows.
 */
export function assertSendableImage(bytes: Uint8Array, field: string): ImageType {
	if (bytes.length === 0)
		throw new AppMsgInputError(
			`Binary property "${field}" is empty: there is no picture to send`,
			field,
		);
	if (bytes.length > MAX_IMAGE_BYTES)
		throw new AppMsgInputError(
			`Binary property "${field}" holds ${bytes.length} bytes; a picture may have at most ${MAX_IMAGE_BYTES} (send larger ones as a file)`,
			field,
		);
	const type = detectImageType(bytes);
	if (!type)
		throw new AppMsgInputError(
			`Binary property "${field}" is not a PNG, JPEG, GIF, WebP or BMP picture (judged by its bytes, not its file name or mime type); nothing was sent`,
			field,
		);
	return type;
}
