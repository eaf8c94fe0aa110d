// @ts-check
'use strict';
/**
 * Real media bytes made on the spot, so the simulator ships no binary fixtures and every byte is
 * deterministic: a PNG (thumbnails, the login QR code), a GIF (stickers) and a SILK v3 voice file.
 */
const crypto = require('node:crypto');
const zlib = require('node:zlib');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

/** CRC-32 as PNG chunks use it (Node 20 has no zlib.crc32). */
function crc32(/** @type {Buffer} */ bytes) {
	let c = 0xffffffff;
	for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/**
 * An 8-bit RGB PNG; `pixel(x, y)` gives [r, g, b].
 * @param {number} width @param {number} height @param {(x: number, y: number) => number[]} pixel
 */
function png(width, height, pixel) {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), default compression/filter/interlace
	const rows = Buffer.alloc(height * (1 + width * 3));
	for (let y = 0; y < height; y++) {
		const row = y * (1 + width * 3); // each row starts with filter type 0
		for (let x = 0; x < width; x++) rows.set(pixel(x, y), row + 1 + x * 3);
	}
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('IDAT', zlib.deflateSync(rows)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/** A 16×16 thumbnail: a diagonal gradient, as an image message's ImgBuf carries. */
const THUMBNAIL_PNG = png(16, 16, (x, y) => [x * 16, y * 16, 128]);

/** A 21×21 pattern drawn 4 pixels a module, shaped like a QR code (not a scannable one). */
const QR_PNG = png(84, 84, (x, y) => {
	const [mx, my] = [Math.floor(x / 4), Math.floor(y / 4)];
	const finder = (cx, cy) => {
		const d = Math.max(Math.abs(mx - cx), Math.abs(my - cy));
		return d <= 3 ? d !== 2 : undefined;
	};
	const dark = finder(3, 3) ?? finder(17, 3) ?? finder(3, 17) ?? (mx * 7 + my * 13) % 3 === 0;
	return dark ? [0, 0, 0] : [255, 255, 255];
});

/**
 * A two-colour GIF89a of `width`×`height`; `dark(x, y)` picks the colour. The LZW stream sends a
 * clear code before each pair of pixels, so codes stay 3 bits wide and no dictionary is needed.
 */
function gif(width, height, dark) {
	const codes = [];
	for (let i = 0; i < width * height; i++) {
		if (i % 2 === 0) codes.push(4); // clear
		codes.push(dark(i % width, Math.floor(i / width)) ? 1 : 0);
	}
	codes.push(5); // end of information
	const packed = [];
	let bits = 0;
	let count = 0;
	for (const code of codes) {
		bits |= code << count;
		count += 3;
		while (count >= 8) {
			packed.push(bits & 0xff);
			bits >>= 8;
			count -= 8;
		}
	}
	if (count > 0) packed.push(bits & 0xff);
	const blocks = [];
	for (let i = 0; i < packed.length; i += 255) {
		const block = packed.slice(i, i + 255);
		blocks.push(block.length, ...block);
	}
	const size = (n) => [n & 0xff, n >> 8];
	return Buffer.from([
		...Buffer.from('GIF89a', 'latin1'),
		...size(width),
		...size(height),
		0x80, // global colour table of 2 entries
		0,
		0,
		...[255, 255, 255, 230, 70, 40],
		0x2c, // image descriptor
		...size(0),
		...size(0),
		...size(width),
		...size(height),
		0,
		2, // LZW minimum code size
		...blocks,
		0,
		0x3b,
	]);
}

/** A 24×24 sticker: a ring. */
const STICKER_GIF = gif(24, 24, (x, y) => {
	const r = Math.hypot(x - 11.5, y - 11.5);
	return r > 6 && r < 11;
});

const SILK_HEADER = Buffer.from('#!SILK_V3', 'latin1');

/**
 * A structurally valid SILK v3 file: the `#!SILK_V3` header (after Tencent's 0x02 byte when
 * `tencent`), then `frames` frames of a 2-byte little-endian length and a payload, one per 20 ms.
 * The payload bytes are deterministic filler, not encoded speech: a SILK decoder reads the frame
 * structure but the sound is noise. Files from Tencent's encoder end after the last frame; the
 * plain format ends with a length of -1 (0xFFFF).
 * @param {{ frames?: number, tencent?: boolean, seed?: number }} [options]
 */
function silk({ frames = 100, tencent = true, seed = 1 } = {}) {
	const parts = tencent ? [Buffer.from([0x02]), SILK_HEADER] : [SILK_HEADER];
	let state = seed >>> 0 || 1;
	const next = () => {
		state = (Math.imul(state, 1103515245) + 12345) >>> 0;
		return state >>> 16;
	};
	for (let i = 0; i < frames; i++) {
		const payload = Buffer.alloc(24 + (next() % 40));
		for (let j = 0; j < payload.length; j++) payload[j] = next() & 0xff;
		const length = Buffer.alloc(2);
		length.writeUInt16LE(payload.length);
		parts.push(length, payload);
	}
	if (!tencent) parts.push(Buffer.from([0xff, 0xff]));
	return Buffer.concat(parts);
}

/** The 20 ms frames of a SILK file, or undefined when it is not one. */
function silkFrames(/** @type {Buffer} */ bytes) {
	const start = bytes[0] === 0x02 ? 1 : 0;
	if (!bytes.subarray(start, start + SILK_HEADER.length).equals(SILK_HEADER)) return undefined;
	let at = start + SILK_HEADER.length;
	let frames = 0;
	while (at + 2 <= bytes.length) {
		const length = bytes.readInt16LE(at);
		if (length < 0) break;
		at += 2 + length;
		if (at > bytes.length) return undefined;
		frames++;
	}
	return frames;
}

/** An image's kind, mime type and size, read from its first bytes; undefined when not an image. */
function imageInfo(/** @type {Buffer} */ bytes) {
	const starts = (...b) => b.every((v, i) => bytes[i] === v);
	if (starts(0x89, 0x50, 0x4e, 0x47) && bytes.length >= 24)
		return {
			ext: 'png',
			mime: 'image/png',
			width: bytes.readUInt32BE(16),
			height: bytes.readUInt32BE(20),
		};
	if (starts(0x47, 0x49, 0x46, 0x38) && bytes.length >= 10)
		return {
			ext: 'gif',
			mime: 'image/gif',
			width: bytes.readUInt16LE(6),
			height: bytes.readUInt16LE(8),
		};
	if (starts(0xff, 0xd8, 0xff)) return { ext: 'jpg', mime: 'image/jpeg', width: 0, height: 0 };
	if (starts(0x42, 0x4d)) return { ext: 'bmp', mime: 'image/bmp', width: 0, height: 0 };
	if (
		bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
		bytes.subarray(8, 12).toString('latin1') === 'WEBP'
	)
		return { ext: 'webp', mime: 'image/webp', width: 0, height: 0 };
	return undefined;
}

const md5 = (/** @type {Buffer | string} */ bytes) =>
	crypto.createHash('md5').update(bytes).digest('hex');

/** Hex text that looks like a CDN id or an AES key, derived from `seed` so it is stable. */
const hexId = (seed, chars = 32) =>
	crypto.createHash('sha256').update(String(seed)).digest('hex').repeat(4).slice(0, chars);

module.exports = {
	crc32,
	png,
	gif,
	silk,
	silkFrames,
	imageInfo,
	md5,
	hexId,
	THUMBNAIL_PNG,
	QR_PNG,
	STICKER_GIF,
};
