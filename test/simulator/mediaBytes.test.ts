/**
 * The simulator's media bytes are real files: a PNG whose chunks check and whose pixels inflate,
 * a GIF whose LZW stream decodes to the picture, and a SILK v3 file whose frames parse.
 */
import zlib from 'node:zlib';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bytes = require('../../simulator/mediaBytes') as {
	png(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer;
	gif(width: number, height: number, dark: (x: number, y: number) => boolean): Buffer;
	silk(options?: { frames?: number; tencent?: boolean; seed?: number }): Buffer;
	silkFrames(bytes: Buffer): number | undefined;
	imageInfo(
		bytes: Buffer,
	): { ext: string; mime: string; width: number; height: number } | undefined;
	THUMBNAIL_PNG: Buffer;
	QR_PNG: Buffer;
	STICKER_GIF: Buffer;
};

/** CRC-32 bit by bit (no table), to check the simulator's table-driven one independently. */
function crc32Bitwise(data: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of data) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

function readPng(file: Buffer) {
	expect(file.subarray(0, 8)).toEqual(
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	);
	const chunks: Array<{ type: string; data: Buffer }> = [];
	for (let at = 8; at < file.length; ) {
		const length = file.readUInt32BE(at);
		const type = file.subarray(at + 4, at + 8).toString('latin1');
		const data = file.subarray(at + 8, at + 8 + length);
		expect(file.readUInt32BE(at + 8 + length)).toBe(
			crc32Bitwise(file.subarray(at + 4, at + 8 + length)),
		);
		chunks.push({ type, data });
		at += 12 + length;
	}
	expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
	const [header] = chunks;
	const width = header.data.readUInt32BE(0);
	const height = header.data.readUInt32BE(4);
	const rows = zlib.inflateSync(chunks[1].data);
	const pixel = (x: number, y: number) => [
		...rows.subarray(y * (1 + width * 3) + 1 + x * 3, y * (1 + width * 3) + 4 + x * 3),
	];
	return { width, height, rows, pixel, depth: header.data[8], colourType: header.data[9] };
}

/** A GIF decoder for the one-frame, global-palette files the simulator writes. */
function decodeGif(file: Buffer) {
	expect(file.subarray(0, 6).toString('latin1')).toBe('GIF89a');
	const width = file.readUInt16LE(6);
	const height = file.readUInt16LE(8);
	const paletteSize = 2 << (file[10] & 7);
	let at = 13 + 3 * paletteSize;
	expect(file[at]).toBe(0x2c);
	at += 10;
	const minCodeSize = file[at++];
	const data: number[] = [];
	while (file[at] !== 0) {
		data.push(...file.subarray(at + 1, at + 1 + file[at]));
		at += 1 + file[at];
	}
	expect(file[at + 1]).toBe(0x3b);
	const clear = 1 << minCodeSize;
	let width_ = minCodeSize + 1;
	let table: number[][] = [];
	const resetTable = () => {
		table = Array.from({ length: clear + 2 }, (_, i) => [i]);
		width_ = minCodeSize + 1;
	};
	resetTable();
	const out: number[] = [];
	let previous: number[] | undefined;
	for (let bit = 0; bit + width_ <= data.length * 8; ) {
		let code = 0;
		for (let i = 0; i < width_; i++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << i;
		if (code === clear) {
			resetTable();
			previous = undefined;
			continue;
		}
		if (code === clear + 1) break;
		const entry = table[code] ?? [...previous!, previous![0]];
		out.push(...entry);
		if (previous) table.push([...previous, entry[0]]);
		previous = entry;
		if (table.length === 1 << width_ && width_ < 12) width_++;
	}
	return { width, height, indexes: out };
}

describe('media bytes', () => {
	test('PNG: valid chunks (CRCs checked bit by bit), 8-bit RGB rows that inflate to the drawn pixels', () => {
		const file = bytes.png(3, 2, (x, y) => [x * 100, y * 200, 7]);
		const image = readPng(file);
		expect(image).toMatchObject({ width: 3, height: 2, depth: 8, colourType: 2 });
		expect(image.rows).toHaveLength(2 * (1 + 3 * 3));
		expect(image.pixel(2, 1)).toEqual([200, 200, 7]);
		expect(bytes.imageInfo(file)).toEqual({ ext: 'png', mime: 'image/png', width: 3, height: 2 });
		expect(readPng(bytes.THUMBNAIL_PNG)).toMatchObject({ width: 16, height: 16 });
		const qr = readPng(bytes.QR_PNG);
		// the finder pattern's dark corner and its light ring
		expect(qr.pixel(0, 0)).toEqual([0, 0, 0]);
		expect(qr.pixel(4 * 2 + 1, 4 * 1 + 1)).toEqual([255, 255, 255]);
	});

	test('GIF: the LZW stream decodes to exactly the drawn picture', () => {
		const dark = (x: number, y: number) => (x + 2 * y) % 3 === 0;
		const decoded = decodeGif(bytes.gif(5, 3, dark));
		expect(decoded.width).toBe(5);
		expect(decoded.indexes).toEqual(
			Array.from({ length: 15 }, (_, i) => (dark(i % 5, Math.floor(i / 5)) ? 1 : 0)),
		);
		const sticker = decodeGif(bytes.STICKER_GIF);
		expect(sticker.indexes).toHaveLength(24 * 24);
		expect(sticker.indexes.filter((i) => i === 1).length).toBeGreaterThan(100);
		expect(bytes.imageInfo(bytes.STICKER_GIF)).toMatchObject({ ext: 'gif', width: 24, height: 24 });
	});

	test('SILK v3: header, 0x02 prefix, little-endian framed payloads, end marker only without the prefix; deterministic', () => {
		const tencent = bytes.silk({ frames: 50 });
		expect(tencent[0]).toBe(0x02);
		expect(tencent.subarray(1, 10).toString('latin1')).toBe('#!SILK_V3');
		expect(bytes.silkFrames(tencent)).toBe(50);
		let at = 10;
		for (let i = 0; i < 50; i++) at += 2 + tencent.readUInt16LE(at);
		expect(at).toBe(tencent.length);

		const plain = bytes.silk({ frames: 3, tencent: false });
		expect(plain.subarray(0, 9).toString('latin1')).toBe('#!SILK_V3');
		expect(plain.subarray(-2)).toEqual(Buffer.from([0xff, 0xff]));
		expect(bytes.silkFrames(plain)).toBe(3);

		expect(bytes.silk({ frames: 50 })).toEqual(tencent);
		expect(bytes.silk({ frames: 50, seed: 2 })).not.toEqual(tencent);
		expect(bytes.silkFrames(Buffer.from('ID3\u0003 an mp3'))).toBeUndefined();
		expect(bytes.silkFrames(tencent.subarray(0, 40))).toBeUndefined();
	});
});
