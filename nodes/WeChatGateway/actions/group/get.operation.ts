import { contactInfoCall, groupOf, readContacts, type Contact } from '../contactInfo';
import { groupIdField, readGroupId } from '../idFields';
import type { SendOperation } from '../operation';

/** A group (cgi 182): one item, the gateway's fields as given, its members in ChatRoomMember. */
export const getGroup: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Get',
		value: 'get',
		action: 'Get a group',
		description:
			'Look up a group by its ID: name, owner and members (ChatRoomMember), as one item (cgi 182)',
	},
	properties: [groupIdField('get')],
	toRequest(parameters) {
		const groupId = readGroupId(parameters);
		return {
			recipients: [''],
			unpaced: true,
			messageFor: () => ({ call: contactInfoCall([groupId]) }),
			readReply: (reply) => ({ group: groupOf(groupId, readContacts(reply).contacts) }),
			toItems: (fields) => [
				{ json: { groupId, ...((fields.group as Contact | undefined) ?? {}) } },
			],
		};
	},
};
