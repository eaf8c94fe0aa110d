import type { INodeProperties } from 'n8n-workflow';

import { assertXmlText, buildAppMsgXml } from '../../appmsg/build';
import { AppMsgInputError } from '../../appmsg/model';
import { APPMSG_TYPE_QUOTE, messageIdDigits, quoteReplyAppMsg } from '../../appmsg/quote';
import { appMsgCall } from '../../transport/client';
import { readSentMessage } from '../../transport/reply';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';

const show = { show: { operation: ['replyWithQuote'] } };

/**
 * Each quoted field has the name of the trigger's output field it maps from (newMsgId →
 * quotedNewMsgId, senderWxid → quotedSenderWxid, …), so "trigger → reply with quote" is a
 * drag of five fields, and the placeholders say which.
 */
const properties: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'Agreed, see you at 3',
		description: 'The reply, shown under the quoted message',
		displayOptions: show,
	},
	{
		displayName: 'Quoted Message ID',
		name: 'quotedNewMsgId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.newMsgId }}',
		description:
			"The quoted message's NewMsgId (the trigger's newMsgId): a 64-bit number, kept as text so it stays exact",
		displayOptions: show,
	},
	{
		displayName: 'Quoted Sender Wxid',
		name: 'quotedSenderWxid',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.senderWxid }}',
		description: "Who wrote the quoted message (the trigger's senderWxid; in a group, the member)",
		displayOptions: show,
	},
	{
		displayName: 'Quoted Sender Name',
		name: 'quotedSenderName',
		type: 'string',
		default: '',
		placeholder: '={{ $json.senderName }}',
		description: "The name shown above the quote (the trigger's senderName)",
		displayOptions: show,
	},
	{
		displayName: 'Quoted Message Type',
		name: 'quotedMsgType',
		type: 'number',
		default: 1,
		required: true,
		placeholder: '={{ $json.msgType }}',
		description:
			"The quoted message's MsgType (the trigger's msgType): 1 text, 3 image, 34 voice, 43 video, 47 sticker, 49 app message",
		displayOptions: show,
	},
	{
		displayName: 'Quoted Content',
		name: 'quotedContent',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: '={{ $json.content }}',
		description:
			"The quoted message's text, shown in the quote (the trigger's content); for an app message its XML, which is escaped for you",
		displayOptions: show,
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Quoted Create Time',
				name: 'quotedCreateTime',
				type: 'number',
				default: 0,
				description: "When the quoted message was sent, in Unix seconds (the trigger's createTime)",
			},
		],
	},
];

function textField(parameters: ParameterReader, name: string, displayName: string): string {
	const value = parameters.get(name, '');
	if (value === undefined || value === null) return '';
	if (typeof value !== 'string' && typeof value !== 'number')
		throw new AppMsgInputError(
			`"${displayName}" must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`,
			displayName,
		);
	const text = String(value);
	assertXmlText(text, displayName);
	return text;
}

function msgTypeField(parameters: ParameterReader): number {
	const value = parameters.get('quotedMsgType', 1);
	const type = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
	if (typeof type !== 'number' || !Number.isInteger(type) || type <= 0)
		throw new AppMsgInputError(
			`"Quoted Message Type" must be the quoted message's MsgType (1 text, 3 image, 49 app message, …), got "${String(value).slice(0, 40)}"`,
			'Quoted Message Type',
		);
	return type;
}

/** A reply that quotes a message (appmsg type 57 with `<refermsg>`), to the chat it came from. */
export const replyWithQuote: SendOperation = {
	sends: true,
	option: {
		name: 'Reply With Quote',
		value: 'replyWithQuote',
		action: 'Reply quoting a message',
		description: 'Reply in a chat, quoting a message received there (appmsg type 57)',
	},
	properties,
	toRequest(parameters) {
		const recipients = parseRecipients(parameters.get('toUserName'));
		if (recipients.length !== 1)
			throw new AppMsgInputError(
				`"To" has ${recipients.length} chats; a quote reply goes to the one chat the quoted message is from (map the trigger's chatId)`,
				'To',
			);
		const text = textField(parameters, 'text', 'Text');
		if (text.trim() === '') throw new AppMsgInputError('"Text" is required', 'Text');
		const senderWxid = textField(parameters, 'quotedSenderWxid', 'Quoted Sender Wxid').trim();
		if (senderWxid === '')
			throw new AppMsgInputError('"Quoted Sender Wxid" is required', 'Quoted Sender Wxid');
		const additional = (parameters.get('additionalFields', {}) ?? {}) as Record<string, unknown>;
		const createTime = Number(additional.quotedCreateTime ?? 0);
		if (!Number.isInteger(createTime) || createTime < 0)
			throw new AppMsgInputError(
				'"Quoted Create Time" must be Unix seconds, a whole number',
				'Quoted Create Time',
			);
		const [chat] = recipients;
		const xml = buildAppMsgXml(
			quoteReplyAppMsg(text, chat, {
				newMsgId: messageIdDigits(parameters.get('quotedNewMsgId', ''), 'Quoted Message ID'),
				senderWxid,
				senderName: textField(parameters, 'quotedSenderName', 'Quoted Sender Name'),
				msgType: msgTypeField(parameters),
				content: textField(parameters, 'quotedContent', 'Quoted Content'),
				createTime: createTime || undefined,
			}),
		);
		return {
			recipients,
			messageFor: (recipient) => ({ call: appMsgCall(recipient, xml) }),
			readReply: readSentMessage,
			output: { type: APPMSG_TYPE_QUOTE },
			sentCopy: { AppMsgXml: xml },
		};
	},
};
