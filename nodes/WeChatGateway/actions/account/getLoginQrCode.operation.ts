import { AppMsgInputError } from '../../appmsg/model';
import { detectImageType, type ImageType } from '../../media/imageType';
import { GatewayError } from '../../transport/errors';
import type { CgiReply } from '../../transport/reply';
import { textParameter } from '../message/mediaSend';
import type { SendOperation } from '../operation';

/** A login QR code is a few kilobytes; a page's image beyond this is not one and is not decoded. */
export const MAX_QR_IMAGE_BYTES = 512 * 1024;
/** The base64 characters that many bytes take, padding included. */
const MAX_QR_BASE64_CHARS = Math.ceil(MAX_QR_IMAGE_BYTES / 3) * 4;
/** Where a `data:` image starts in the page: a picture's media type, then base64. */
const DATA_IMAGE = /data:(image\/[A-Za-z0-9.+-]{1,40});base64,/g;
/** Its payload: base64 characters, padding only at the end. */
const BASE64_RUN = /[A-Za-z0-9+/]*(={0,2})/y;
/** What may follow a `data:` URL in HTML: the attribute's quote, CSS's parenthesis, or space. */
const URL_END = /["')\s>]/;

const refused = (reason: string) =>
	new GatewayError(
		'badResponse',
		`The gateway's login page ${reason}: there is no QR code to hand on; ask again for a fresh one`,
		'rejected',
	);

/**
 * The first `data:image/…;base64,` picture of the login page, decoded strictly: base64 that does
 * not re-encode to itself, a payload above MAX_QR_IMAGE_BYTES, or bytes that are not a picture
 * are refused rather than handed on as a broken file.
 */
export function qrImageOf(page: string): { type: ImageType; bytes: Buffer } {
	DATA_IMAGE.lastIndex = 0;
	const found = DATA_IMAGE.exec(page);
	if (!found) throw refused('holds no QR code image (no data:image/…;base64 in it)');
	BASE64_RUN.lastIndex = found.index + found[0].length;
	const payload = BASE64_RUN.exec(page)![0];
	const next = page.charAt(found.index + found[0].length + payload.length);
	if (payload.length > MAX_QR_BASE64_CHARS)
		throw refused(
			`holds an image of more than ${MAX_QR_IMAGE_BYTES} bytes, which is not a login QR code`,
		);
	const bytes = Buffer.from(payload, 'base64');
	if (
		payload.length === 0 ||
		payload.length % 4 !== 0 ||
		(next !== '' && !URL_END.test(next)) ||
		bytes.toString('base64') !== payload
	)
		throw refused(`holds a ${found[1]} image whose base64 is damaged`);
	const type = detectImageType(bytes);
	if (!type) throw refused(`holds a ${found[1]} image whose bytes are not a picture`);
	return { type, bytes };
}

function readQrPage(reply: CgiReply): Record<string, unknown> {
	if (reply.ResponseText === undefined)
		throw refused('came back as JSON, not as the page that holds the code');
	const { type, bytes } = qrImageOf(reply.ResponseText);
	return {
		mimeType: type.mime,
		fileName: `login-qr-code.${type.extension}`,
		imageBase64: bytes.toString('base64'),
	};
}

/**
 * The account's login QR code (GET /v2/login/getqrcode?isIPad=2): the gateway answers an HTML
 * page with the code as a `data:` image, which becomes the item's binary data. `isIPad=2` is the
 * query public clients of the gateway send.
 */
export const getLoginQrCode: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Get Login QR Code',
		value: 'getLoginQrCode',
		action: 'Get the login QR code of the account',
		description:
			"Get the QR code that logs the credential's account in to the gateway again, as binary image data to scan with the phone (GET /v2/login/getqrcode); needs no input",
	},
	properties: [
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			placeholder: 'data',
			hint: 'The name of the output binary field to put the QR code image in',
			description:
				'The binary property of the output item that receives the QR code image (PNG as the gateway gives it), e.g. for an email or chat node that sends it on',
			displayOptions: { show: { operation: ['getLoginQrCode'] } },
		},
	],
	toRequest(parameters) {
		const property = textParameter(parameters, 'binaryPropertyName', 'Put Output File in Field');
		if (property === '')
			throw new AppMsgInputError(
				'"Put Output File in Field" is required: the binary property that receives the QR code',
				'Put Output File in Field',
			);
		return {
			recipients: [''],
			unpaced: true,
			messageFor: () => ({
				call: {
					method: 'GET',
					path: '/v2/login/getqrcode',
					query: { isIPad: '2' },
					forAccount: true,
				},
			}),
			readReply: readQrPage,
			toItems: (fields) => {
				if (typeof fields.imageBase64 !== 'string') return [{ json: {} }];
				const data = Buffer.from(fields.imageBase64, 'base64');
				const mimeType = String(fields.mimeType);
				const fileName = String(fields.fileName);
				return [
					{
						json: { mimeType, fileName, fileSize: data.length },
						binary: { [property]: { data, mimeType, fileName } },
					},
				];
			},
		};
	},
};
