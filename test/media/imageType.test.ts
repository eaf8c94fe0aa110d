import {
	assertSendableImage,
	detectImageType,
	MAX_IMAGE_BYTES,
} from '../../nodes/WeChatGateway/media/imageType';

const bytes = (base64: string) => Buffer.from(base64, 'base64');

/** Whole one-pixel pictures, as image tools write them. */
const PNG = bytes(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
);
const GIF = bytes('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7');
const WEBP = bytes('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==');
/** The start of a JFIF file: SOI, then the APP0 segment. */
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb004300', 'hex');
/** A 1×1 24-bit bitmap: file header, BITMAPINFOHEADER, one padded pixel row. */
const BMP = Buffer.concat([
	Buffer.from('424d3a000000000000003600000028000000', 'hex'),
	Buffer.from('0100000001000000010018000000000004000000130b0000130b00000000000000000000', 'hex'),
	Buffer.from('0000ff00', 'hex'),
]);

describe('pictures are recognised by their bytes', () => {
	it.each([
		['PNG', PNG, 'image/png', 'png'],
		['JPEG', JPEG, 'image/jpeg', 'jpg'],
		['GIF', GIF, 'image/gif', 'gif'],
		['WebP', WEBP, 'image/webp', 'webp'],
		['BMP', BMP, 'image/bmp', 'bmp'],
	])('%s', (_name, data, mime, extension) => {
		expect(detectImageType(data)).toEqual({ mime, extension });
	});

	it.each([
		['text that starts like a GIF', Buffer.from('GIF89a hello world, this is a text file')],
		['text that starts with "GIF8"', Buffer.from('GIF8 is how a GIF starts')],
		['text that starts with "BM"', Buffer.from('BMW and other car makers of the world')],
		['a WAV file (RIFF, but not WEBP)', Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1')],
		[
			'a RIFF WEBP without a bitstream chunk',
			Buffer.from('RIFF\x24\x00\x00\x00WEBPJUNK', 'latin1'),
		],
		['the PNG signature alone', PNG.subarray(0, 8)],
		['the JPEG start-of-image alone', JPEG.subarray(0, 2)],
		['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj')],
		['SILK voice', Buffer.from('\x02#!SILK_V3\x0a\x00', 'latin1')],
		['nothing', Buffer.alloc(0)],
	])('%s is no picture', (_name, data) => {
		expect(detectImageType(data)).toBeUndefined();
	});
});

describe('a picture about to be sent', () => {
	it('returns its type', () => {
		expect(assertSendableImage(PNG, 'data')).toEqual({ mime: 'image/png', extension: 'png' });
	});

	it('refuses other bytes, naming the binary property', () => {
		expect(() => assertSendableImage(Buffer.from('<html>not a picture</html>'), 'photo')).toThrow(
			'Binary property "photo" is not a PNG, JPEG, GIF, WebP or BMP picture (judged by its bytes, not its file name or mime type); nothing was sent',
		);
	});

	it('refuses an empty binary', () => {
		expect(() => assertSendableImage(Buffer.alloc(0), 'data')).toThrow(
			'Binary property "data" is empty',
		);
	});

	it('refuses a picture over the size limit, and takes one at the limit', () => {
		const atLimit = Buffer.alloc(MAX_IMAGE_BYTES);
		PNG.copy(atLimit);
		expect(assertSendableImage(atLimit, 'data').mime).toBe('image/png');
		const over = Buffer.alloc(MAX_IMAGE_BYTES + 1);
		PNG.copy(over);
		expect(() => assertSendableImage(over, 'data')).toThrow(
			`holds ${MAX_IMAGE_BYTES + 1} bytes; a picture may have at most ${MAX_IMAGE_BYTES}`,
		);
	});
});
