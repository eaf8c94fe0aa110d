import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import type { VoiceFormat } from '../../media/voiceAudio';
import type { DownloadOperation, ParameterReader } from '../operation';
import { showFor, textParameter } from './mediaSend';

const OPERATION = 'downloadMedia';

const properties: INodeProperties[] = [
	{
		displayName: 'Message XML',
		name: 'messageXml',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.messageXml }}',
		required: true,
		description:
			"The received message's XML: map the WeChat Gateway Trigger's messageXml. Voice messages and stickers download; for pictures, videos and files the gateway's download call is not publicly known.",
		displayOptions: showFor(OPERATION),
	},
	{
		displayName: 'Message Type',
		name: 'msgType',
		type: 'string',
		default: '={{ $json.msgType }}',
		placeholder: '34',
		description: "The received message's MsgType (34 voice, 47 sticker). Empty: read from the XML.",
		displayOptions: showFor(OPERATION),
	},
	{
		displayName: 'Message ID',
		name: 'msgId',
		type: 'string',
		default: '={{ $json.msgId }}',
		description: "The received message's MsgId: the gateway needs it to download a voice message",
		displayOptions: showFor(OPERATION),
	},
	{
		displayName: 'New Message ID',
		name: 'newMsgId',
		type: 'string',
		default: '={{ $json.newMsgId }}',
		description:
			"The received message's NewMsgId (64-bit, as text): names the file, e.g. 7419…123.silk",
		displayOptions: showFor(OPERATION),
	},
	{
		displayName: 'Voice Format',
		name: 'voiceFormat',
		type: 'options',
		options: [
			{
				name: 'SILK (As Received)',
				value: 'silk',
				description: "WeChat's own audio: what Send Voice takes to send it on",
			},
			{
				name: 'WAV (For Speech-to-Text)',
				value: 'wav',
				description:
					'24 kHz mono 16-bit WAV, which transcription services (OpenAI, Whisper servers) take',
			},
		],
		default: 'silk',
		description: 'How a voice message comes out; stickers are not affected',
		displayOptions: showFor(OPERATION),
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'data',
		hint: 'The name of the output binary field to put the file in',
		description:
			'The binary property of the output item that receives the bytes (SILK v3 audio for a voice message, the picture for a sticker)',
		displayOptions: showFor(OPERATION),
	},
];

/** A message id as digits; anything else is a clear error naming the field. */
function idParameter(parameters: ParameterReader, name: string, displayName: string) {
	const text = textParameter(parameters, name, displayName);
	if (text !== '' && !/^\d+$/.test(text))
		throw new AppMsgInputError(
			`"${displayName}" must be a message id (digits only), got "${text.slice(0, 40)}"`,
			displayName,
		);
	return text || undefined;
}

function voiceFormatParameter(parameters: ParameterReader): VoiceFormat {
	const value = parameters.get('voiceFormat', 'silk');
	if (value === 'silk' || value === 'wav') return value;
	throw new AppMsgInputError(
		`"Voice Format" must be silk or wav, got "${String(value).slice(0, 40)}"`,
		'Voice Format',
	);
}

export const downloadMedia: DownloadOperation = {
	sends: false,
	option: {
		name: 'Download Media',
		value: OPERATION,
		action: 'Download media of a received message',
		description:
			'Get the bytes of a received voice message or sticker as binary data (pictures, videos and files: not publicly known)',
	},
	properties,
	toDownload(parameters) {
		const binaryPropertyName = textParameter(
			parameters,
			'binaryPropertyName',
			'Put Output File in Field',
		);
		if (binaryPropertyName === '')
			throw new AppMsgInputError(
				'"Put Output File in Field" is required',
				'Put Output File in Field',
			);
		return {
			binaryPropertyName,
			media: {
				messageXml: parameters.get('messageXml', ''),
				msgType: textParameter(parameters, 'msgType', 'Message Type'),
				msgId: idParameter(parameters, 'msgId', 'Message ID'),
				newMsgId: idParameter(parameters, 'newMsgId', 'New Message ID'),
				voiceFormat: voiceFormatParameter(parameters),
			},
		};
	},
};
