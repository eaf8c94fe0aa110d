import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import { parseReceivedMedia } from '../../received/media';
import { CGI, MSG_TYPE_EMOJI } from '../../wechat';
import { messageXmlField } from '../common.fields';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';
import { readMediaReply, showFor, textParameter } from './mediaSend';

const OPERATION = 'sendEmoji';
const MD5 = /^[0-9a-f]{32}$/i;

const properties: INodeProperties[] = [
	{
		displayName: 'Sticker Source',
		name: 'emojiSource',
		type: 'options',
		default: 'xml',
		options: [
			{
				name: 'Received Sticker XML',
				value: 'xml',
				description: "A sticker received earlier, by its XML (the trigger's messageXml)",
			},
			{
				name: 'MD5 and Size',
				value: 'fields',
				description: "The sticker's MD5 and size in bytes (the trigger's emoji.md5 and emoji.size)",
			},
		],
		description:
			'Which sticker to send: WeChat sends stickers it already has, named by their MD5 and size',
		displayOptions: showFor(OPERATION),
	},
	{
		...messageXmlField,
		placeholder: '<msg><emoji md5="…" len="…" cdnurl="…"></emoji></msg>',
		description:
			"The XML of a received sticker (the trigger's messageXml for an emoji): &lt;msg&gt;&lt;emoji md5 len …&gt;",
		displayOptions: showFor(OPERATION, { emojiSource: ['xml'] }),
	},
	{
		displayName: 'Sticker MD5',
		name: 'emojiMd5',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.emoji.md5 }}',
		description: "The sticker's MD5: 32 hex digits",
		displayOptions: showFor(OPERATION, { emojiSource: ['fields'] }),
	},
	{
		displayName: 'Sticker Size',
		name: 'emojiSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 0,
		required: true,
		placeholder: '={{ $json.emoji.size }}',
		description: "The sticker's size in bytes",
		displayOptions: showFor(OPERATION, { emojiSource: ['fields'] }),
	},
];

interface Sticker {
	md5: string;
	size: unknown;
}

function readSticker(parameters: ParameterReader): { sticker: Sticker; field: string } {
	const source = parameters.get('emojiSource', 'xml');
	if (source === 'xml') {
		const xml = textParameter(parameters, 'messageXml', 'Message XML');
		const emoji = parseReceivedMedia('emoji', xml, 'Message XML');
		return { sticker: { md5: emoji.md5 ?? '', size: emoji.size }, field: 'Message XML' };
	}
	if (source === 'fields') {
		const md5 = textParameter(parameters, 'emojiMd5', 'Sticker MD5');
		return { sticker: { md5, size: parameters.get('emojiSize', 0) }, field: 'Sticker MD5' };
	}
	throw new AppMsgInputError(
		`"Sticker Source" must be xml or fields, got "${String(source).slice(0, 40)}"`,
		'Sticker Source',
	);
}

/** `EmojiMd5` and `EmojiLen` as WeChat takes them, or a clear error naming where they came from. */
function stickerFields(parameters: ParameterReader): { EmojiMd5: string; EmojiLen: number } {
	const { sticker, field } = readSticker(parameters);
	const fromXml = field === 'Message XML';
	if (!MD5.test(sticker.md5))
		throw new AppMsgInputError(
			fromXml
				? '"Message XML" is a sticker without an md5 of 32 hex digits'
				: `"Sticker MD5" must be 32 hex digits, got "${sticker.md5.slice(0, 40)}"`,
			field,
		);
	const size =
		typeof sticker.size === 'string' && sticker.size.trim() !== ''
			? Number(sticker.size)
			: sticker.size;
	if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1)
		throw new AppMsgInputError(
			fromXml
				? '"Message XML" is a sticker without its size in bytes (len)'
				: `"Sticker Size" must be the sticker's size in bytes, a whole number ≥ 1, got "${String(sticker.size).slice(0, 40)}"`,
			fromXml ? field : 'Sticker Size',
		);
	return { EmojiMd5: sticker.md5.toLowerCase(), EmojiLen: size };
}

/** A sticker (cgi 175) WeChat already has, from a received sticker's XML or its MD5 and size. */
export const sendEmoji: SendOperation = {
	sends: true,
	option: {
		name: 'Send Sticker',
		value: OPERATION,
		action: 'Send a sticker',
		description:
			"Send a sticker WeChat already has, from a received sticker's XML or its MD5 and size in bytes (cgi 175)",
	},
	properties,
	toRequest(parameters) {
		const recipients = parseRecipients(parameters.get('toUserName'));
		const sticker = stickerFields(parameters);
		return {
			recipients,
			messageFor: (recipient) => ({
				call: { CgiCmd: CGI.sendEmoji, CgiRequest: { ToUserName: recipient, ...sticker } },
			}),
			readReply: readMediaReply,
			output: { MsgType: MSG_TYPE_EMOJI },
		};
	},
};
