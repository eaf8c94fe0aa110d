import type { XmlElement } from '../appmsg/model';
import { isWeChatId } from '../wechat';
import {
	childElement,
	childElements,
	childText,
	MAX_RECEIVED_XML_CHARS,
	parseReceivedXml,
	withoutSpeaker,
} from './xml';

/**
 * Who joined a group, from a system notice (MsgType 10000, or its `<sysmsg>` XML form). WeChat
 * writes these in the account's language; the plain form names people only by their display
 * names, the XML form also by wxid.
 */

export interface JoinedMember {
	wxid?: string;
	name: string;
}

/** How each notice is worded: the text around the inviter and the people who joined. */
interface Wording {
	/** Between the inviter and the joined (invite), or right after the joined (QR code). */
	marker: string;
	/** What ends the joined names (invite) or follows the marker (QR code). */
	end: string;
	joinedBeforeMarker: boolean;
}

const WORDINGS: readonly Wording[] = [
	{ marker: '邀请', end: '加入了群聊', joinedBeforeMarker: false },
	{ marker: '通过扫描', end: '分享的二维码加入群聊', joinedBeforeMarker: true },
	{ marker: ' invited ', end: ' to the group chat', joinedBeforeMarker: false },
	{
		marker: ' joined the group chat via the QR code shared by ',
		end: '',
		joinedBeforeMarker: true,
	},
];

/** Quotes WeChat puts around names, straight or typographic. */
const QUOTES = /^["“”]+|["“”]+$/g;

/** The part of a notice that names who joined, found with indexOf alone: linear on any input. */
function joinedPart(notice: string): string | undefined {
	for (const { marker, end, joinedBeforeMarker } of WORDINGS) {
		const at = notice.indexOf(marker);
		if (at === -1 || (joinedBeforeMarker && at === 0)) continue;
		const endAt = end === '' ? notice.length : notice.indexOf(end, at + marker.length);
		if (endAt === -1) continue;
		return joinedBeforeMarker ? notice.slice(0, at) : notice.slice(at + marker.length, endAt);
	}
	return undefined;
}

/** `"B、C"`, `"B"、"C"` and `"B", "C"` are all B and C. */
function splitNames(part: string): string[] {
	const trimmed = part.trim();
	const quotedList = /["“”]\s*(?:、|,)\s*["“”]/;
	const pieces = quotedList.test(trimmed)
		? trimmed.split(new RegExp(quotedList.source, 'g'))
		: trimmed.replace(QUOTES, '').split('、');
	return pieces.map((piece) => piece.trim().replace(QUOTES, '').trim()).filter(Boolean);
}

/** A `$name$` template's members from its `<link name="name">`'s member list. */
function linkedMembers(template: XmlElement, placeholder: string): JoinedMember[] {
	const links = childElements(childElement(template, 'link_list'), 'link');
	const link = links.find(
		(candidate) => (candidate['@'] as XmlElement | undefined)?.name === placeholder,
	);
	const members = childElements(childElement(link, 'memberlist'), 'member');
	return members.flatMap((member) => {
		const wxid = childText(member, 'username')?.trim();
		const name = childText(member, 'nickname')?.trim() ?? '';
		if (!wxid && !name) return [];
		return [wxid && isWeChatId(wxid) ? { wxid, name } : { name }];
	});
}

function fromSysmsg(content: string): JoinedMember[] | undefined {
	const document = parseReceivedXml(content, 'Content', MAX_RECEIVED_XML_CHARS);
	const template = childElement(
		childElement(childElement(document, 'sysmsg'), 'sysmsgtemplate'),
		'content_template',
	);
	const wording = childText(template, 'template');
	if (!template || !wording) return undefined;
	const part = joinedPart(wording);
	if (part === undefined) return undefined;
	const placeholder = /^\$([A-Za-z_][\w]*)\$$/.exec(part.trim().replace(QUOTES, ''));
	if (placeholder) return linkedMembers(template, placeholder[1]);
	return splitNames(part).map((name) => ({ name }));
}

/**
 * The members a "… joined the group" notice names, or undefined when the notice says no such
 * thing. Hostile XML in the `<sysmsg>` form is a clear error naming `Content`.
 */
export function joinedMembers(content: unknown): JoinedMember[] | undefined {
	if (typeof content !== 'string' || content.length > MAX_RECEIVED_XML_CHARS) return undefined;
	const notice = withoutSpeaker(content);
	if (notice.startsWith('<')) return fromSysmsg(notice);
	const part = joinedPart(notice);
	if (part === undefined) return undefined;
	const names = splitNames(part);
	return names.length > 0 ? names.map((name) => ({ name })) : undefined;
}
