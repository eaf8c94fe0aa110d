// @ts-check
'use strict';
/**
 * Contacts and groups as the gateway knows them, and the cgi commands that read or change them:
 * 182 (contact / group info), 179 (remove group members), 594 (revoke) and 849 (pat). Each model
 * checks a request the way the gateway does and answers in the shape public clients read.
 */
const { int64, bigJson, withInt64Text } = require('./bigJson');
const { rawMemberText, refuse, WXID, GROUP_ID } = require('./wire');
const { GROUP, FRIEND, MEMBER } = require('./frames');

/** How many ids one cgi 182 call takes here; more is refused with Ret -2. */
const MAX_CONTACTS_PER_CALL = 100;

/**
 * A contact's Moments info; SnsBGObjectID (the Moments cover's id) is a 64-bit number, bare in
 * the JSON. `fields` gives it as digits.
 */
const snsInfo = (fields = {}) => ({
	SnsFlag: 1,
	SnsBGImgID: '',
	SnsFlagEx: 7297,
	...fields,
	SnsBGObjectID: int64(fields.SnsBGObjectID ?? 0),
});

/** A contact with every field cgi 182 gives, filled from `fields`. */
function contact(fields) {
	const userName = fields.UserName;
	const isGroup = GROUP_ID.test(userName ?? '');
	return {
		UserName: userName,
		NickName: '',
		Remark: '',
		Alias: '',
		Sex: 0,
		Signature: '',
		SmallHeadImgUrl: userName ? `http://wx.qlogo.cn/mmhead/ver_1/${userName}/132` : '',
		BigHeadImgUrl: userName ? `http://wx.qlogo.cn/mmhead/ver_1/${userName}/0` : '',
		Province: '',
		City: '',
		ChatRoomOwner: '',
		ChatRoomMember: [],
		...(isGroup ? { ChatroomVersion: 700001234, ChatroomMaxCount: 500 } : {}),
		...fields,
		SnsUserInfo: snsInfo(fields.SnsUserInfo),
	};
}

const member = (Wxid, NickName, ChatroomMemberFlag = 0) => ({ Wxid, NickName, ChatroomMemberFlag });

/** What every fresh simulator knows: the friends and the group the frame samples use. */
function seedContacts() {
	return [
		contact({
			UserName: FRIEND,
			NickName: 'Friend',
			Remark: 'Friend (work)',
			Alias: 'friend_42',
			Sex: 2,
			Signature: 'hello <world> & "you"',
			Province: 'Guangdong',
			City: 'Shenzhen',
			SnsUserInfo: {
				SnsFlag: 1,
				SnsBGImgID: 'http://shmmsns.qpic.cn/mmsns/bg/0',
				SnsBGObjectID: '13020986498424369423',
				SnsFlagEx: 7297,
			},
		}),
		contact({ UserName: MEMBER, NickName: 'Mei', Sex: 2, Province: 'Zhejiang', City: 'Hangzhou' }),
		contact({ UserName: 'wxid_lin99', NickName: 'Lin', Sex: 1 }),
		contact({ UserName: 'wxid_spammer01', NickName: '免费领取 🎁', Sex: 0 }),
		contact({
			UserName: GROUP,
			NickName: 'Simulated group',
			ChatRoomOwner: MEMBER,
			ChatRoomMember: [
				member(MEMBER, 'Mei'),
				member('wxid_lin99', 'Lin', 2048),
				member(FRIEND, 'Friend'),
				member('wxid_spammer01', '免费领取 🎁'),
			],
		}),
	];
}

/** The contact store; `seed` adds or replaces contacts (missing fields filled in). */
function createContacts() {
	/** @type {Map<string, any>} */
	const byWxid = new Map();
	const reset = () => {
		byWxid.clear();
		for (const c of seedContacts()) byWxid.set(c.UserName, c);
	};
	reset();

	function seed(contacts) {
		for (const fields of Array.isArray(contacts) ? contacts : [contacts]) {
			if (!fields || !WXID.test(fields.UserName ?? ''))
				throw new Error('a seeded contact needs a UserName that is a wxid or a …@chatroom id');
			byWxid.set(fields.UserName, contact(fields));
		}
		return list();
	}
	/** Every contact, 64-bit numbers as strings of their digits. */
	const list = () => withInt64Text([...byWxid.values()]);

	/** An id the gateway does not know comes back as an empty slot, in its place in the array. */
	const lookUp = (wxid) =>
		byWxid.get(wxid) ??
		contact({
			UserName: '',
			SmallHeadImgUrl: '',
			BigHeadImgUrl: '',
			SnsUserInfo: { SnsFlag: 0, SnsFlagEx: 0 },
		});

	/** cgi 182: `{"Wxid":[…]}` or `{"ChatroomID":"…@chatroom"}` → ResponseData is an array. */
	function getContacts(request) {
		const ids = request.ChatroomID !== undefined ? [request.ChatroomID] : request.Wxid;
		if (!Array.isArray(ids) || ids.length === 0)
			return refuse(-2, 'CgiRequest.Wxid must be a non-empty array of wxids');
		if (ids.length > MAX_CONTACTS_PER_CALL)
			return refuse(
				-2,
				`CgiRequest.Wxid has ${ids.length} ids; one call takes at most ${MAX_CONTACTS_PER_CALL}`,
			);
		const bad = ids.find((id) => typeof id !== 'string' || !WXID.test(id));
		if (bad !== undefined)
			return refuse(-2, `CgiRequest.Wxid has ${JSON.stringify(bad)}, which is not a wxid`);
		const contacts = ids.map(lookUp);
		return { ok: true, responseData: bigJson(contacts), fields: { wxids: ids } };
	}

	/** cgi 179: removes `Wxid` members from `ChatroomID`. */
	function removeMembers(request) {
		const { ChatroomID: groupId, Wxid: wxids } = request;
		if (typeof groupId !== 'string' || !GROUP_ID.test(groupId))
			return refuse(-2, 'CgiRequest.ChatroomID must be a …@chatroom id');
		if (
			!Array.isArray(wxids) ||
			wxids.length === 0 ||
			wxids.some((w) => typeof w !== 'string' || !WXID.test(w))
		)
			return refuse(-2, 'CgiRequest.Wxid must be a non-empty array of wxids');
		const group = byWxid.get(groupId);
		if (!group) return refuse(-1, `ChatroomID ${groupId} is not a group this account is in`);
		const missing = wxids.find((w) => !group.ChatRoomMember.some((m) => m.Wxid === w));
		if (missing) return refuse(-2, `${missing} is not a member of ${groupId}`);
		return {
			ok: true,
			responseData: bigJson({
				MemberCount: wxids.length,
				MemberList: wxids.map((w) => ({ MemberName: { string: w } })),
			}),
			fields: { groupId, removed: wxids },
			commit() {
				group.ChatRoomMember = group.ChatRoomMember.filter((m) => !wxids.includes(m.Wxid));
			},
		};
	}

	/** cgi 594: OpCode 0, MsgId (32-bit), NewMsgId (64-bit, a bare number), ToUserName. */
	function revoke(request, { requestText }) {
		if (request.OpCode !== 0) return refuse(-2, 'CgiRequest.OpCode must be 0');
		if (!Number.isInteger(request.MsgId) || request.MsgId < 0 || request.MsgId > 0xffffffff)
			return refuse(-2, 'CgiRequest.MsgId must be a 32-bit message id');
		const newMsgId = rawMemberText(requestText, 'NewMsgId');
		if (newMsgId === undefined || !/^[1-9]\d*$/.test(newMsgId))
			return refuse(-2, 'CgiRequest.NewMsgId must be a 64-bit id written as a bare number');
		if (typeof request.ToUserName !== 'string')
			return refuse(-2, 'CgiRequest.ToUserName is required');
		return {
			ok: true,
			responseData: bigJson({ Introduction: '', SysWording: '你撤回了一条消息' }),
			fields: { revokedMsgId: request.MsgId, revokedNewMsgId: newMsgId },
		};
	}

	/** cgi 849: `ChatUserName`, `PattedUsername` (lower-case n), `Scene` 0. */
	function pat(request) {
		if (typeof request.ChatUserName !== 'string' || !WXID.test(request.ChatUserName))
			return refuse(-2, 'CgiRequest.ChatUserName must be a wxid or a …@chatroom id');
		if (typeof request.PattedUsername !== 'string' || !WXID.test(request.PattedUsername))
			return refuse(-2, 'CgiRequest.PattedUsername must be a wxid');
		if (request.Scene !== 0) return refuse(-2, 'CgiRequest.Scene must be 0');
		const group = byWxid.get(request.ChatUserName);
		if (
			group &&
			GROUP_ID.test(request.ChatUserName) &&
			!group.ChatRoomMember.some((m) => m.Wxid === request.PattedUsername)
		)
			return refuse(-2, `${request.PattedUsername} is not a member of ${request.ChatUserName}`);
		return {
			ok: true,
			responseData: '{}',
			fields: { chatId: request.ChatUserName, pattedWxid: request.PattedUsername },
		};
	}

	return {
		models: { 182: getContacts, 179: removeMembers, 594: revoke, 849: pat },
		seed,
		list,
		/** A contact as cgi 182 gives it (64-bit numbers marked for bigJson), for a contact-change frame. */
		get: lookUp,
		/** Changes fields of a known contact, as a contact change does. */
		update(wxid, changes) {
			const known = byWxid.get(wxid);
			if (!known) throw new Error(`no contact ${wxid} to change`);
			byWxid.set(wxid, contact({ ...withInt64Text(known), ...changes }));
		},
		reset,
	};
}

module.exports = { createContacts, contact, MAX_CONTACTS_PER_CALL };
