import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import { messageIdDigits } from '../../appmsg/quote';
import { JsonInteger } from '../../transport/exactJson';
import { CGI } from '../../wechat';
import { readEnvelope } from '../envelope';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';

const show = { show: { operation: ['revoke'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'New Message ID',
		name: 'newMsgId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.NewMsgId }}',
		description:
			"The NewMsgId of the message to take back: the output of the node that sent it, or the trigger's newMsgId for the account's own message. A 64-bit number kept as text so it stays exact.",
		displayOptions: show,
	},
	{
		displayName: 'Message ID',
		name: 'msgId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.MsgId }}',
		description:
			"The same message's MsgId (a smaller, 32-bit number): the sending node's MsgId where the gateway answered one, or the trigger's msgId for the account's own message",
		displayOptions: show,
	},
];

/** WeChat's MsgId: a whole number from 1 to 2^32 − 1, as a number or its digits. */
function readMsgId(parameters: ParameterReader): number {
	const value = parameters.get('msgId', '');
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
	const id = /^\s*\d{1,10}\s*$/.test(text) ? Number(text) : NaN;
	if (!Number.isInteger(id) || id < 1 || id > 0xffffffff)
		throw new AppMsgInputError(
			`"Message ID" must be the message's MsgId, a whole number below 2^32 (not its NewMsgId), got "${String(value).slice(0, 40)}"`,
			'Message ID',
		);
	return id;
}

/**
 * Takes back a message the account sent (cgi 594), in the chat it went to. NewMsgId goes out as
 * a bare JSON number with every digit: a gateway reading a 64-bit field refuses a string.
 * Paced and remembered like a message, so it is never sent twice.
 */
export const revokeMessage: SendOperation = {
	sends: true,
	option: {
		name: 'Revoke',
		value: 'revoke',
		action: 'Revoke a sent message',
		description: `Take back a message the account sent, within WeChat's time limit for recalls (cgi ${CGI.revokeMessage})`,
	},
	properties,
	toRequest(parameters) {
		const recipients = parseRecipients(parameters.get('toUserName'));
		if (recipients.length !== 1)
			throw new AppMsgInputError(
				`"To" has ${recipients.length} chats; a revoke goes to the one chat the message was sent to (its ToUserName)`,
				'To',
			);
		const newMsgId = messageIdDigits(parameters.get('newMsgId', ''), 'New Message ID');
		const msgId = readMsgId(parameters);
		return {
			recipients,
			messageFor: (recipient) => ({
				call: {
					CgiCmd: CGI.revokeMessage,
					CgiRequest: {
						OpCode: 0,
						MsgId: msgId,
						NewMsgId: new JsonInteger(newMsgId),
						ToUserName: recipient,
					},
				},
			}),
			readReply: readEnvelope,
			output: { revokedNewMsgId: newMsgId, revokedMsgId: msgId },
		};
	},
};
