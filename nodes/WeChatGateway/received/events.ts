import { createHash } from 'node:crypto';

import { AppMsgInputError } from '../appmsg/model';
import { isWeChatId } from '../wechat';
import { attribute, childElement, numeric, parseReceivedXml } from './xml';

/**
 * Named fields for the trigger's events other than new messages, from the frame's
 * `CurrentPacket.Data`. Values are taken as the gateway gives them; a field that is missing or
 * of the wrong type is left out rather than guessed.
 */

type Data = Record<string, unknown>;

/** How long repeats of one contact change are folded into one: the gateway sends them in a burst. */
export const CONTACT_CHANGE_WINDOW_MS = 10_000;

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value !== '' ? value : undefined;

/** Leaves out the fields that are undefined, so an item carries only what the frame said. */
function defined<T extends object>(fields: T): T {
	for (const key of Object.keys(fields) as Array<keyof T>)
		if (fields[key] === undefined) delete fields[key];
	return fields;
}

export interface PatFields {
	chatId?: string;
	patterWxid?: string;
	pattedWxid?: string;
	/** Whether the account itself was patted. */
	patsMe: boolean;
	template?: string;
}

/** `${wxid}` placeholders in a pat's Template, in order: the patter first, then the patted. */
const PLACEHOLDER = /\$\{([^}]{1,128})\}/g;

export function patFields(data: Data, accountWxid: string | undefined): PatFields {
	const template = text(data.Template);
	const named = [...(template ?? '').matchAll(PLACEHOLDER)]
		.map((match) => match[1])
		.filter(isWeChatId);
	const pattedWxid = text(data.PattedUserName) ?? named[1];
	return defined({
		chatId: text(data.ChatUserName),
		patterWxid: named[0] ?? text(data.FromUserName),
		pattedWxid,
		patsMe: accountWxid !== undefined && pattedWxid === accountWxid,
		template,
	});
}

export interface ContactChangeFields {
	contact: unknown;
	/** The same for every report of the same change: for RecentChanges. */
	dedupeKey: string;
}

/** JSON with every object's keys sorted, so that key order never makes two reports differ. */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Data)[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export function contactChangeFields(data: Data): ContactChangeFields {
	const contact = data.Contact;
	const dedupeKey = createHash('sha256').update(canonicalJson(contact)).digest('hex');
	return { contact, dedupeKey };
}

export interface GroupInviteFields {
	groupId?: string;
	inviterWxid?: string;
	inviterName?: string;
	invitedWxid?: string;
	invitedName?: string;
}

export function groupInviteFields(data: Data): GroupInviteFields {
	return defined({
		groupId: text(data.FromUserName),
		inviterWxid: text(data.InviteUserName),
		inviterName: text(data.InviteNickName),
		invitedWxid: text(data.InvitedUserName),
		invitedName: text(data.InvitedNickName),
	});
}

export interface FriendRequestFields {
	fromWxid?: string;
	fromName?: string;
	content?: string;
	scene?: number | string;
	ticket?: string;
	/** The request's XML as received: what accepting it through the gateway takes. */
	requestXml: string;
}

/**
 * A friend request's fields from its XML (`<msg fromusername fromnickname content scene ticket
 * …>`), which builds put in `Data.Content` or in the message's `Content`. XML that is hostile
 * or no request at all is a clear error naming `field`.
 */
export function friendRequestFields(data: Data, field = 'Content'): FriendRequestFields {
	const addMsg = data.AddMsg as Data | undefined;
	const requestXml = text(data.Content) ?? text(addMsg?.Content) ?? '';
	const msg = childElement(parseReceivedXml(requestXml, field), 'msg');
	if (!msg)
		throw new AppMsgInputError(
			`"${field}" is not a friend request's XML (expected <msg fromusername="…" …>)`,
			field,
		);
	return defined({
		fromWxid: attribute(msg, 'fromusername'),
		fromName: attribute(msg, 'fromnickname'),
		content: attribute(msg, 'content'),
		scene: numeric(attribute(msg, 'scene')),
		ticket: attribute(msg, 'ticket'),
		requestXml,
	});
}

export interface AccountOfflineFields {
	/** When the trigger heard of it: the frame carries no time of its own. */
	at: string;
}

export function accountOfflineFields(now: Date = new Date()): AccountOfflineFields {
	return { at: now.toISOString() };
}
