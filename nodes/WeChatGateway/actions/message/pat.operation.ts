import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import { CGI, isWeChatId } from '../../wechat';
import { readEnvelope } from '../envelope';
import type { SendOperation } from '../operation';
import { parseRecipients } from '../recipients';

const show = { show: { operation: ['pat'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Chat ID',
		name: 'chatId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.chatId }}',
		description:
			"Where the pat shows: the chat's ID, never its name: a group (…@chatroom) or a person's wxid, e.g. the trigger's chatId",
		displayOptions: show,
	},
	{
		displayName: 'Wxid',
		name: 'wxid',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.senderWxid }}',
		description:
			"Who is patted: their wxid (never a nickname), e.g. the trigger's senderWxid; in a group, a member of it",
		displayOptions: show,
	},
];

/** A pat ("拍一拍", cgi 849) in a chat; paced and remembered like a message to that chat. */
export const pat: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Pat',
		value: 'pat',
		action: 'Pat someone in a chat',
		description: `Pat someone in a chat, as a double tap on their avatar does (cgi ${CGI.pat})`,
	},
	properties,
	toRequest(parameters) {
		const chats = parseRecipients(parameters.get('chatId', ''), 'Chat ID');
		if (chats.length !== 1)
			throw new AppMsgInputError(
				`"Chat ID" has ${chats.length} chats; a pat goes to one`,
				'Chat ID',
			);
		const value = parameters.get('wxid', '');
		const wxid = typeof value === 'string' ? value.trim() : '';
		if (!isWeChatId(wxid))
			throw new AppMsgInputError(
				`"Wxid" has "${String(value).slice(0, 60)}", which is not a WeChat ID: give the wxid of who to pat, not a nickname`,
				'Wxid',
			);
		return {
			recipients: chats,
			messageFor: (recipient) => ({
				call: {
					CgiCmd: CGI.pat,
					CgiRequest: { ChatUserName: recipient, PattedUsername: wxid, Scene: 0 },
				},
			}),
			readReply: readEnvelope,
			output: { chatId: chats[0], wxid },
		};
	},
};
