/**
 * The login page's QR code, decoded strictly: the first `data:image/…;base64,` of the page, its
 * base64 whole and canonical, its bytes a picture, its size bounded; anything else is refused.
 */
import {
	MAX_QR_IMAGE_BYTES,
	qrImageOf,
} from '../../../nodes/WeChatGateway/actions/account/getLoginQrCode.operation';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { QR_PNG, STICKER_GIF } = require('../../../simulator/mediaBytes') as Record<string, Buffer>;

const page = (src: string) => `<html><body><img alt="qr" src="${src}"></body></html>`;
const png64 = QR_PNG.toString('base64');

test('the image in an <img src>, a CSS url() or single quotes, its type judged by the bytes', () => {
	for (const html of [
		page(`data:image/png;base64,${png64}`),
		`<div style="background:url(data:image/png;base64,${png64})"></div>`,
		`<img src='data:image/jpeg;base64,${STICKER_GIF.toString('base64')}'>`,
	]) {
		const { type, bytes } = qrImageOf(html);
		expect(type.mime).toBe(bytes.equals(QR_PNG) ? 'image/png' : 'image/gif');
	}
	expect(qrImageOf(page(`data:image/png;base64,${png64}`)).bytes.equals(QR_PNG)).toBe(true);
});

test.each([
	['no image at all', '<p>二维码已过期，请刷新</p>', /holds no QR code image/],
	['an image that is not base64', page('data:image/png,%89PNG'), /holds no QR code image/],
	['base64 cut short', page(`data:image/png;base64,${png64.slice(0, -1)}`), /base64 is damaged/],
	[
		'a character base64 does not have',
		page(`data:image/png;base64,${png64.slice(0, 40)}*${png64.slice(40)}`),
		/base64 is damaged/,
	],
	['padding in the middle', page(`data:image/png;base64,QUJD=${png64}`), /base64 is damaged/],
	['base64 that is not canonical', page('data:image/png;base64,QR=='), /base64 is damaged/],
	['an empty image', page('data:image/png;base64,'), /base64 is damaged/],
	[
		'bytes that are not a picture',
		page(`data:image/png;base64,${Buffer.from('<svg onload=x>').toString('base64')}`),
		/bytes are not a picture/,
	],
])('%s is refused', (_what, html, message) => {
	expect(() => qrImageOf(html)).toThrow(message);
});

test(`an image above ${MAX_QR_IMAGE_BYTES} bytes is refused before it is decoded`, () => {
	const big = Buffer.concat([QR_PNG, Buffer.alloc(MAX_QR_IMAGE_BYTES)]).toString('base64');
	expect(() => qrImageOf(page(`data:image/png;base64,${big}`))).toThrow(
		`holds an image of more than ${MAX_QR_IMAGE_BYTES} bytes`,
	);
});
