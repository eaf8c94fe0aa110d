import type { IDataObject } from 'n8n-workflow';

import { AppMsgInputError } from '../appmsg/model';
import type { CgiCall } from '../transport/client';
import { GatewayError } from '../transport/errors';
import type { CgiReply } from '../transport/reply';
import { CGI } from '../wechat';

/**
 * Ids asked in one cgi 182 call. No public client says how many a gateway takes; public
 * clients ask for a few at a time, and 100 keeps one answer well under the transport's limit.
 */
export const CONTACTS_PER_CALL = 100;

/** cgi 182 for the given ids (people or groups). */
export function contactInfoCall(ids: readonly string[]): CgiCall {
	return { CgiCmd: CGI.getContact, CgiRequest: { Wxid: [...ids] } };
}

export type Contact = IDataObject;

/** The contacts of a cgi 182 answer, as the gateway gave them (64-bit numbers as digits). */
export function readContacts(reply: CgiReply): { contacts: Contact[] } {
	const list = reply.ResponseList;
	if (!list)
		throw new GatewayError(
			'badResponse',
			`The gateway said Ret 0 to cgi ${CGI.getContact} but its ResponseData is not a list of contacts`,
			'rejected',
		);
	return {
		contacts: list.map((entry) =>
			entry !== null && typeof entry === 'object' && !Array.isArray(entry)
				? (entry as Contact)
				: {},
		),
	};
}

/**
 * A list among the fields an answer was read into. A message skipped as a duplicate of one
 * whose outcome is unknown has no fields: then there is nothing to list.
 */
export function listIn(fields: Record<string, unknown>, name: string): IDataObject[] {
	const value = fields[name];
	return Array.isArray(value) ? (value as IDataObject[]) : [];
}

/** A contact's id; `''` for the empty slot the gateway answers for an id it does not know. */
export function userNameOf(contact: Contact): string {
	const name = contact.UserName as unknown;
	if (typeof name === 'string') return name;
	// WeChat's own protocol wraps strings as { string: "…" }; some builds pass that on.
	if (name !== null && typeof name === 'object' && 'string' in name)
		return String((name as { string: unknown }).string ?? '');
	return '';
}

/**
 * Each asked id with its contact, or none. The gateway answers in the order asked; when the
 * count differs, ids are matched by UserName instead (an alias asked then counts as not found).
 */
export function matchContacts(
	asked: readonly string[],
	contacts: readonly Contact[],
): Array<{ wxid: string; contact?: Contact }> {
	const byPosition = contacts.length === asked.length;
	return asked.map((wxid, index) => {
		const contact = byPosition
			? contacts[index]
			: contacts.find((candidate) => userNameOf(candidate) === wxid);
		return contact && userNameOf(contact) !== '' ? { wxid, contact } : { wxid };
	});
}

/** The one group a cgi 182 answer of `[groupId]` holds; an unknown group is the item's error. */
export function groupOf(groupId: string, contacts: readonly Contact[]): Contact {
	const [match] = matchContacts([groupId], contacts);
	if (!match.contact)
		throw new AppMsgInputError(
			`"Group ID" ${groupId} is not a group this account knows (cgi ${CGI.getContact} answered no contact for it): use the ID of a group the account is in`,
			'Group ID',
		);
	return match.contact;
}

/** The member list of a cgi 182 group, where the gateway puts it. */
export function membersOf(groupId: string, group: Contact): IDataObject[] {
	const nested = group.NewChatroomData as IDataObject | undefined;
	const members = group.ChatRoomMember ?? nested?.ChatRoomMember;
	if (!Array.isArray(members))
		throw new GatewayError(
			'badResponse',
			`The gateway answered group ${groupId} without its member list (ChatRoomMember)`,
			'rejected',
		);
	return members.filter(
		(member): member is IDataObject =>
			member !== null && typeof member === 'object' && !Array.isArray(member),
	);
}
