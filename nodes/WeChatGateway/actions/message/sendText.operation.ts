import type { INodeProperties } from 'n8n-workflow';

import { assertXmlText } from '../../appmsg/build';
import { AppMsgInputError } from '../../appmsg/model';
import { atUsersOf, MENTION_ALL, parseMentions, withMentionTokens } from '../../text/mentions';
import { splitText } from '../../text/split';
import { GatewayError } from '../../transport/errors';
import type { CgiReply } from '../../transport/reply';
import { findMessageIds } from '../../transport/messageIds';
import { CGI, MSG_TYPE_TEXT } from '../../wechat';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';

/**
 * Public clients split texts above about 2,000 characters; WeChat's own limit is not published.
 * The node splits there by default (Text Options → Part Length) and never sends more parts than
 * MAX_PARTS_LIMIT per recipient, so a runaway expression cannot flood a chat.
 */
export const DEFAULT_PART_LENGTH = 2000;
export const DEFAULT_MAX_PARTS = 10;
const MAX_PARTS_LIMIT = 50;

const show = { show: { operation: ['sendText'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'The report is ready 📊',
		description:
			'The message. A text longer than Part Length (Text Options) is sent as several messages, cut between words and never inside an emoji.',
		displayOptions: show,
	},
	{
		displayName: 'Mentions',
		name: 'mentions',
		type: 'string',
		default: '',
		placeholder: 'wxid_a1b2c3:Alice, wxid_d4e5f6:Bob',
		description: `Who to @mention, in a group (…@chatroom) only: wxids separated by commas or new lines, or a mapped list. Add ":Display Name" after a wxid and the node writes "@Display Name" and the mention space (U+2005) in front of the text, which WeChat needs to show the mention; without a name, write that into the text yourself. A name may contain commas ("wxid_a:Smith, John"): it runs to the end of the line, or to the next "wxid:Name", "wxid_…" or ${MENTION_ALL}. ${MENTION_ALL} mentions everyone (written as @所有人), which only the group's owner and admins may do.`,
		displayOptions: show,
	},
	{
		displayName: 'Text Options',
		name: 'textOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Long Text',
				name: 'longText',
				type: 'options',
				default: 'split',
				options: [
					{
						name: 'Split Into Parts',
						value: 'split',
						description:
							'Send a text longer than Part Length as several messages, one output item each, paced like any message',
					},
					{
						name: 'Fail',
						value: 'fail',
						description: 'Refuse a text longer than Part Length, naming the item',
					},
				],
			},
			{
				displayName: 'Max Parts',
				name: 'maxParts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_PARTS_LIMIT },
				default: DEFAULT_MAX_PARTS,
				description: 'A text needing more parts than this is refused instead of flooding the chat',
			},
			{
				displayName: 'Part Length',
				name: 'partLength',
				type: 'number',
				typeOptions: { minValue: 100 },
				default: DEFAULT_PART_LENGTH,
				description:
					'Longest text sent as one message, in characters (an emoji counts 2). Public WeChat clients split at about 2,000.',
			},
		],
	},
];

interface TextOptions {
	longText: 'split' | 'fail';
	partLength: number;
	maxParts: number;
}

function readTextOptions(value: unknown): TextOptions {
	const raw = (value ?? {}) as Record<string, unknown>;
	const partLength = Number(raw.partLength ?? DEFAULT_PART_LENGTH);
	const maxParts = Number(raw.maxParts ?? DEFAULT_MAX_PARTS);
	if (!Number.isInteger(partLength) || partLength < 100)
		throw new AppMsgInputError('"Part Length" must be a whole number ≥ 100', 'Part Length');
	if (!Number.isInteger(maxParts) || maxParts < 1 || maxParts > MAX_PARTS_LIMIT)
		throw new AppMsgInputError(
			`"Max Parts" must be a whole number from 1 to ${MAX_PARTS_LIMIT}`,
			'Max Parts',
		);
	return { longText: raw.longText === 'fail' ? 'fail' : 'split', partLength, maxParts };
}

/** The text exactly as given; anything but text is refused rather than turned into "[object Object]". */
function readText(parameters: ParameterReader): string {
	const value = parameters.get('text', '');
	if (typeof value !== 'string' && typeof value !== 'number')
		throw new AppMsgInputError(
			`"Text" must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`,
			'Text',
		);
	const text = String(value);
	if (text.trim() === '') throw new AppMsgInputError('"Text" is required', 'Text');
	// WeChat cannot show control characters or half an emoji (a lone surrogate); say so instead of sending garbage.
	assertXmlText(text, 'Text');
	return text;
}

/** A cgi 522 answer's ids, from the flat or the list shape; never one that is not there. */
export function readTextReply(reply: CgiReply): Record<string, unknown> {
	const found = findMessageIds(reply.ResponseData);
	if (found.entryRet !== undefined && found.entryRet !== 0) {
		throw new GatewayError('ret', `WeChat refused the message: Ret ${found.entryRet}`, 'rejected', {
			ret: found.entryRet,
			errMsg: '',
		});
	}
	if (found.newMsgId === undefined) {
		// Ret 0: the text went out. Report exactly what came, and say that it held no id.
		return {
			Ret: reply.Ret,
			ErrMsg: reply.ErrMsg,
			ResponseData: reply.ResponseData,
			note: 'The gateway accepted the text (Ret 0) but its answer names no NewMsgId; ResponseData is what it answered',
		};
	}
	return {
		NewMsgId: found.newMsgId,
		ClientMsgId: found.clientMsgId ?? '',
		// What a later revoke needs besides NewMsgId; only some gateway builds answer it.
		...(found.msgId !== undefined ? { MsgId: found.msgId } : {}),
		Ret: reply.Ret,
		ErrMsg: reply.ErrMsg,
	};
}

/** Plain text (cgi 522), with mentions, split into parts when it is too long. */
export const sendText: SendOperation = {
	sends: true,
	option: {
		name: 'Send Text',
		value: 'sendText',
		action: 'Send a text message',
		description: 'Send a text, optionally @mentioning group members (cgi 522)',
	},
	properties,
	toRequest(parameters) {
		const options = readTextOptions(parameters.get('textOptions', {}));
		const mentions = parseMentions(parameters.get('mentions', ''));
		const text = withMentionTokens(readText(parameters), mentions);
		const recipients = parseRecipients(parameters.get('toUserName'));
		if (mentions.length > 0) {
			const person = recipients.find((recipient) => !recipient.endsWith('@chatroom'));
			if (person)
				throw new AppMsgInputError(
					`"Mentions" only work in a group, but "To" has ${person}: send mentions to a …@chatroom`,
					'Mentions',
				);
		}
		if (text.length > options.partLength && options.longText === 'fail')
			throw new AppMsgInputError(
				`"Text" is ${text.length} characters long (with mentions); Part Length is ${options.partLength} and Long Text is set to Fail`,
				'Text',
			);
		// Refused before splitting: a runaway text (megabytes) must not hold the process up either.
		const fewestParts = Math.ceil(text.length / options.partLength);
		if (fewestParts > options.maxParts)
			throw new AppMsgInputError(
				`"Text" is ${text.length} characters long and would take at least ${fewestParts} messages of at most ${options.partLength}; Max Parts is ${options.maxParts}`,
				'Text',
			);
		const parts = splitText(text, options.partLength);
		if (parts.length > options.maxParts)
			throw new AppMsgInputError(
				`"Text" is ${text.length} characters long and would take ${parts.length} messages of at most ${options.partLength}; Max Parts is ${options.maxParts}`,
				'Text',
			);
		const atUsers = atUsersOf(mentions);
		return {
			recipients,
			parts: parts.length,
			// The mention tokens are at the start, so the mentions go with the first part only.
			messageFor: (recipient, part) => ({
				call: {
					CgiCmd: CGI.sendText,
					CgiRequest: {
						ToUserName: recipient,
						Content: parts[part],
						MsgType: MSG_TYPE_TEXT,
						AtUsers: part === 0 ? atUsers : '',
					},
				},
			}),
			readReply: readTextReply,
			output: { MsgType: MSG_TYPE_TEXT },
			outputFor: (part: number) =>
				parts.length > 1 ? { part: part + 1, parts: parts.length } : {},
		};
	},
};
