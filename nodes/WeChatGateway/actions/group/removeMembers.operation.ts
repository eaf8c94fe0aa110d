import { CGI } from '../../wechat';
import { groupIdField, readGroupId, readWxids, wxidsField } from '../idFields';
import { readEnvelope } from '../envelope';
import type { SendOperation } from '../operation';

/**
 * Members out of a group (cgi 179), in one call. Paced and remembered like a message to the
 * group, so n8n's Retry On Fail never removes twice (a second removal would be refused anyway,
 * and would turn a success into an error).
 */
export const removeGroupMembers: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Remove Members',
		value: 'removeMembers',
		action: 'Remove members from a group',
		description: `Remove members from a group the account owns or administers, in one call (cgi ${CGI.removeGroupMembers})`,
	},
	properties: [
		groupIdField('removeMembers'),
		wxidsField(
			'removeMembers',
			"The members to remove: their wxids (never nicknames), separated by commas or new lines, or a mapped list, e.g. the Wxid of a Get Members item or the trigger's senderWxid. Each must be a member of the group, or the gateway refuses the whole call.",
		),
	],
	toRequest(parameters) {
		const groupId = readGroupId(parameters);
		const wxids = readWxids(parameters);
		return {
			recipients: [groupId],
			messageFor: (recipient) => ({
				call: {
					CgiCmd: CGI.removeGroupMembers,
					CgiRequest: { Wxid: wxids, ChatroomID: recipient },
				},
			}),
			readReply: readEnvelope,
			output: { groupId, removed: wxids },
		};
	},
};
