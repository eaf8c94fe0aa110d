import {
	CONTACTS_PER_CALL,
	contactInfoCall,
	listIn,
	matchContacts,
	readContacts,
} from '../contactInfo';
import { readWxids, wxidsField } from '../idFields';
import type { SendOperation } from '../operation';

/**
 * Contacts by wxid (cgi 182), one output item each, in the order asked: `wxid` (as asked),
 * `found`, and the gateway's own fields as it gives them. An id the gateway does not know
 * (it answers an empty slot) is an item `{ wxid, found: false }`, so a list of ids maps to a
 * list of items one for one. A read: no turn is waited for and nothing counts as sent to a chat.
 */
export const getContact: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Get',
		value: 'get',
		action: 'Get contacts',
		description:
			'Look up contacts by their wxids: nickname, remark, alias, avatar, region and signature, one item per contact (cgi 182)',
	},
	properties: [
		wxidsField(
			'get',
			`The contacts' wxids (wxid_… or a custom WeChat ID, never a nickname), separated by commas or new lines, or a mapped list, e.g. the trigger's senderWxid. The node asks the gateway for ${CONTACTS_PER_CALL} at a time; an unknown ID gives an item with found: false.`,
		),
	],
	toRequest(parameters) {
		const wxids = readWxids(parameters);
		const batches: string[][] = [];
		for (let start = 0; start < wxids.length; start += CONTACTS_PER_CALL)
			batches.push(wxids.slice(start, start + CONTACTS_PER_CALL));
		return {
			recipients: [''],
			parts: batches.length,
			unpaced: true,
			messageFor: (_recipient, part) => ({ call: contactInfoCall(batches[part]) }),
			readReply: readContacts,
			toItems: (fields, part) => {
				if (!('contacts' in fields)) return [{ json: {} }];
				return matchContacts(batches[part], listIn(fields, 'contacts')).map(
					({ wxid, contact }) => ({
						json: contact ? { wxid, found: true, ...contact } : { wxid, found: false },
					}),
				);
			},
		};
	},
};
