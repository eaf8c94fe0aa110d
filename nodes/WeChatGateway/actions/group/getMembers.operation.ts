import { CGI } from '../../wechat';
import { contactInfoCall, groupOf, listIn, membersOf, readContacts } from '../contactInfo';
import { groupIdField, readGroupId } from '../idFields';
import type { SendOperation } from '../operation';

/** A group's members (cgi 182): one item each, `groupId` and the member's fields as given. */
export const getGroupMembers: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Get Members',
		value: 'getMembers',
		action: 'Get the members of a group',
		description: `List the members of a group, one item each with Wxid, NickName and ChatroomMemberFlag (cgi ${CGI.getContact})`,
	},
	properties: [groupIdField('getMembers')],
	toRequest(parameters) {
		const groupId = readGroupId(parameters);
		return {
			recipients: [''],
			unpaced: true,
			messageFor: () => ({ call: contactInfoCall([groupId]) }),
			readReply: (reply) => ({
				members: membersOf(groupId, groupOf(groupId, readContacts(reply).contacts)),
			}),
			toItems: (fields) =>
				'members' in fields
					? listIn(fields, 'members').map((member) => ({ json: { groupId, ...member } }))
					: [{ json: { groupId } }],
		};
	},
};
