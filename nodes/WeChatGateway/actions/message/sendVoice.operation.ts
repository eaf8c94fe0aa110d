import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import { MAX_VOICE_SECONDS, readSilk, voiceTime } from '../../media/silk';
import { CGI, MSG_TYPE_VOICE } from '../../wechat';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';
import {
	binaryPropertyField,
	httpUrlParameter,
	readBinaryInput,
	readMediaReply,
	showFor,
} from './mediaSend';

const OPERATION = 'sendVoice';
const DURATION = 'Voice Duration (Seconds)';

const properties: INodeProperties[] = [
	{
		displayName: 'Voice Source',
		name: 'voiceSource',
		type: 'options',
		default: 'binary',
		options: [
			{
				name: 'Binary Data',
				value: 'binary',
				description:
					'SILK v3 audio in a binary property of the item (what WeChat records, e.g. a voice message downloaded earlier)',
			},
			{
				name: 'URL',
				value: 'url',
				description: 'An http(s) URL of a .silk file, which the gateway fetches',
			},
		],
		description: 'Where the voice message comes from',
		displayOptions: showFor(OPERATION),
	},
	binaryPropertyField(OPERATION, 'voiceSource', 'the SILK v3 audio'),
	{
		displayName: 'Voice URL',
		name: 'voiceUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/reply.silk',
		description: 'An http(s) URL of a SILK v3 file; the gateway fetches it, not n8n',
		displayOptions: showFor(OPERATION, { voiceSource: ['url'] }),
	},
	{
		displayName: DURATION,
		name: 'voiceDuration',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_VOICE_SECONDS },
		default: 0,
		description: `How long the voice message is, in whole seconds (1 to ${MAX_VOICE_SECONDS}, WeChat's limit). 0 or empty: read from the SILK audio (binary data only; a URL needs it).`,
		displayOptions: showFor(OPERATION),
	},
];

function readSource(parameters: ParameterReader): 'binary' | 'url' {
	const value = parameters.get('voiceSource', 'binary');
	if (value === 'binary' || value === 'url') return value;
	throw new AppMsgInputError(
		`"Voice Source" must be binary or url, got "${String(value).slice(0, 40)}"`,
		'Voice Source',
	);
}

/** The seconds the user gave, or undefined (empty or 0) to read them from the audio. */
function givenSeconds(parameters: ParameterReader): number | undefined {
	const value = parameters.get('voiceDuration', 0);
	if (value === undefined || value === null || value === '' || value === 0) return undefined;
	const seconds = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof seconds !== 'number' || Number.isNaN(seconds))
		throw new AppMsgInputError(
			`"${DURATION}" must be a number of seconds, got "${String(value).slice(0, 40)}"`,
			DURATION,
		);
	return seconds;
}

/** A voice message (cgi 127): SILK v3 from binary data or a URL, with its length in seconds. */
export const sendVoice: SendOperation = {
	sends: true,
	option: {
		name: 'Send Voice',
		value: OPERATION,
		action: 'Send a voice message',
		description:
			'Send a voice message of SILK v3 audio from binary data or an http(s) URL, at most 60 seconds (cgi 127)',
	},
	properties,
	async toRequest(parameters) {
		const source = readSource(parameters);
		const recipients = parseRecipients(parameters.get('toUserName'));
		const seconds = givenSeconds(parameters);
		let voice: Record<string, string>;
		let time: number;
		if (source === 'url') {
			const url = httpUrlParameter(parameters, 'voiceUrl', 'Voice URL');
			if (seconds === undefined)
				throw new AppMsgInputError(
					`"${DURATION}" is needed with a Voice URL: the node does not fetch the file, so it cannot read its length. Give the length in whole seconds (1 to ${MAX_VOICE_SECONDS})`,
					DURATION,
				);
			voice = { VoiceUrl: url };
			time = voiceTime(seconds, 0, DURATION);
		} else {
			const { property, bytes } = await readBinaryInput(parameters);
			const silk = readSilk(bytes, property);
			time = voiceTime(seconds, silk.durationMs, DURATION);
			voice = { VoiceBase64: bytes.toString('base64') };
		}
		return {
			recipients,
			messageFor: (recipient) => ({
				call: {
					CgiCmd: CGI.sendVoice,
					CgiRequest: { ToUserName: recipient, ...voice, VoiceTime: time },
				},
			}),
			readReply: readMediaReply,
			output: { MsgType: MSG_TYPE_VOICE, VoiceTime: time },
		};
	},
};
