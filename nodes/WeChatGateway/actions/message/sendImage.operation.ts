import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import { assertSendableImage, MAX_IMAGE_BYTES } from '../../media/imageType';
import { parseReceivedMedia } from '../../received/media';
import { withoutSpeaker } from '../../received/xml';
import { CGI, MSG_TYPE_IMAGE } from '../../wechat';
import { messageXmlField } from '../common.fields';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';
import {
	binaryPropertyField,
	httpUrlParameter,
	readBinaryInput,
	readMediaReply,
	showFor,
	textParameter,
} from './mediaSend';

const OPERATION = 'sendImage';
const MAX_IMAGE_MB = MAX_IMAGE_BYTES / 1024 / 1024;

const properties: INodeProperties[] = [
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		default: 'binary',
		options: [
			{
				name: 'Binary Data',
				value: 'binary',
				description: `A PNG, JPEG, GIF, WebP or BMP picture of at most ${MAX_IMAGE_MB} MB in a binary property of the item`,
			},
			{
				name: 'URL',
				value: 'url',
				description: 'An http(s) URL of the picture, which the gateway fetches',
			},
			{
				name: 'Received Image XML',
				value: 'xml',
				description:
					"A picture received earlier, by its XML (the trigger's messageXml): forwarded without downloading it",
			},
		],
		description: 'Where the picture comes from',
		displayOptions: showFor(OPERATION),
	},
	binaryPropertyField(OPERATION, 'imageSource', 'the picture'),
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/chart.png',
		description: 'An http(s) URL of the picture; the gateway fetches it, not n8n',
		displayOptions: showFor(OPERATION, { imageSource: ['url'] }),
	},
	{
		...messageXmlField,
		placeholder: '<msg><img aeskey="…" cdnmidimgurl="…" length="…" md5="…" /></msg>',
		description:
			"The XML of a received picture (the trigger's messageXml for an image): &lt;msg&gt;&lt;img …/&gt;&lt;/msg&gt;",
		displayOptions: showFor(OPERATION, { imageSource: ['xml'] }),
	},
];

type ImageSource = 'binary' | 'url' | 'xml';

function readSource(parameters: ParameterReader): ImageSource {
	const value = parameters.get('imageSource', 'binary');
	if (value === 'binary' || value === 'url' || value === 'xml') return value;
	throw new AppMsgInputError(
		`"Image Source" must be binary, url or xml, got "${String(value).slice(0, 40)}"`,
		'Image Source',
	);
}

/**
 * A received picture's XML as WeChat wants it back: read under the hardened parser first, and
 * refused unless it names the picture on WeChat's CDN (its key and a CDN URL).
 */
function receivedImageXml(parameters: ParameterReader): string {
	const xml = textParameter(parameters, 'messageXml', 'Message XML');
	const image = parseReceivedMedia('image', xml, 'Message XML');
	if (!image.aesKey || !(image.cdnMidImgUrl || image.cdnBigImgUrl))
		throw new AppMsgInputError(
			'"Message XML" is a picture without its aeskey or CDN URL (cdnmidimgurl, cdnbigimgurl): WeChat cannot find that picture to send it again',
			'Message XML',
		);
	return withoutSpeaker(xml);
}

/** The CgiRequest field that carries the picture, and its value. */
async function imageField(
	parameters: ParameterReader,
	source: ImageSource,
): Promise<Record<string, string>> {
	if (source === 'url') return { ImageUrl: httpUrlParameter(parameters, 'imageUrl', 'Image URL') };
	if (source === 'xml') return { ImageXml: receivedImageXml(parameters) };
	const { property, bytes } = await readBinaryInput(parameters);
	assertSendableImage(bytes, property);
	return { ImageBase64: bytes.toString('base64') };
}

/** A picture (cgi 110) from binary data, a URL, or a received picture's XML. */
export const sendImage: SendOperation = {
	sends: true,
	option: {
		name: 'Send Image',
		value: OPERATION,
		action: 'Send a picture',
		description:
			'Send a picture from binary data (PNG, JPEG, GIF, WebP, BMP), an http(s) URL or a received image message (cgi 110)',
	},
	properties,
	async toRequest(parameters) {
		const source = readSource(parameters);
		const recipients = parseRecipients(parameters.get('toUserName'));
		const picture = await imageField(parameters, source);
		return {
			recipients,
			messageFor: (recipient) => ({
				call: { CgiCmd: CGI.sendImage, CgiRequest: { ToUserName: recipient, ...picture } },
			}),
			readReply: readMediaReply,
			output: { MsgType: MSG_TYPE_IMAGE },
			sentCopy: picture.ImageXml === undefined ? undefined : { ImageXml: picture.ImageXml },
		};
	},
};
