import {
	accountOfflineFields,
	CONTACT_CHANGE_WINDOW_MS,
	contactChangeFields,
	friendRequestFields,
	groupInviteFields,
	patFields,
} from '../../nodes/WeChatGateway/received/events';
import { RecentChanges } from '../../nodes/WeChatGateway/received/recentChanges';
import { readFrame } from '../../nodes/WeChatGateway/trigger/frame';

const ME = 'wxid_account01';

/** `CurrentPacket.Data` as the trigger reads it from a real frame's text. */
function dataOf(data: Record<string, unknown>): Record<string, unknown> {
	const frame = { CurrentWxid: ME, CurrentPacket: { Data: { EventName: 'ON_EVENT_X', ...data } } };
	const reading = readFrame(JSON.stringify(frame));
	if (!reading.ok) throw new Error(reading.reason);
	return reading.frame.data;
}

describe('pat', () => {
	const pat = (template: string, patted: string) =>
		dataOf({
			EventName: 'ON_EVENT_PAT_MSG',
			ChatUserName: '12345678@chatroom',
			FromUserName: '12345678@chatroom',
			PattedUserName: patted,
			Template: template,
		});

	it('someone pats the account', () => {
		expect(patFields(pat('"${wxid_friend01}" 拍了拍 "${wxid_account01}"', ME), ME)).toEqual({
			chatId: '12345678@chatroom',
			patterWxid: 'wxid_friend01',
			pattedWxid: ME,
			patsMe: true,
			template: '"${wxid_friend01}" 拍了拍 "${wxid_account01}"',
		});
	});

	it('someone pats someone else, with a suffix in the template', () => {
		const fields = patFields(
			pat('"${wxid_friend01}" 拍了拍 "${wxid_other02}" 的肩膀', 'wxid_other02'),
			ME,
		);
		expect(fields).toMatchObject({
			patterWxid: 'wxid_friend01',
			pattedWxid: 'wxid_other02',
			patsMe: false,
		});
	});

	it('the patted is read from the template when PattedUserName is missing', () => {
		const data = dataOf({
			ChatUserName: 'wxid_friend01',
			Template: '"${wxid_friend01}" 拍了拍 "${wxid_account01}"',
		});
		expect(patFields(data, ME)).toMatchObject({ pattedWxid: ME, patsMe: true });
	});

	it('placeholders that are no wxid are not taken; the sender stands in for the patter', () => {
		const data = dataOf({
			FromUserName: 'wxid_friend01',
			PattedUserName: ME,
			Template: '"${<b>x</b>}" 拍了拍我',
		});
		expect(patFields(data, ME)).toMatchObject({ patterWxid: 'wxid_friend01', patsMe: true });
	});

	it('without an account wxid nobody pats me', () => {
		expect(patFields(pat('"${a}" 拍了拍 "${b}"', 'b'), undefined).patsMe).toBe(false);
	});
});

describe('contact change', () => {
	const contact = {
		UserName: 'wxid_friend01',
		NickName: '小明',
		Remark: '',
		Sex: 1,
		ChatRoomMember: [],
	};

	it('hands the contact over as given, 64-bit numbers exact', () => {
		const data = dataOf({ EventName: 'ON_EVENT_CONTACT_CHANGE', Contact: contact });
		expect(contactChangeFields(data).contact).toEqual(contact);
		const big = readFrame(
			`{"CurrentPacket":{"Data":{"EventName":"x","Contact":{"UserName":"a","ChatroomVersion":18446744073709551615}}}}`,
		);
		expect(big.ok && contactChangeFields(big.frame.data).contact).toEqual({
			UserName: 'a',
			ChatroomVersion: '18446744073709551615',
		});
	});

	it('the same change reported with its keys in another order has the same key; another change does not', () => {
		const reordered = Object.fromEntries(Object.entries(contact).reverse());
		const { dedupeKey } = contactChangeFields(dataOf({ Contact: contact }));
		expect(contactChangeFields(dataOf({ Contact: reordered })).dedupeKey).toBe(dedupeKey);
		expect(
			contactChangeFields(dataOf({ Contact: { ...contact, Remark: 'Ming' } })).dedupeKey,
		).not.toBe(dedupeKey);
	});

	it('the same change within the window is emitted once, and again after it', () => {
		let now = 1_000_000;
		const recent = new RecentChanges(CONTACT_CHANGE_WINDOW_MS, () => now);
		const { dedupeKey } = contactChangeFields(dataOf({ Contact: contact }));
		expect(recent.isNew(dedupeKey)).toBe(true);
		now += 10;
		expect(recent.isNew(dedupeKey)).toBe(false);
		now += CONTACT_CHANGE_WINDOW_MS - 11;
		expect(recent.isNew(dedupeKey)).toBe(false);
		now += 1;
		expect(recent.isNew(dedupeKey)).toBe(true);
	});

	it('the memory forgets what left the window and never outgrows its capacity', () => {
		let now = 0;
		const recent = new RecentChanges(1000, () => now, 3);
		for (const key of ['a', 'b', 'c', 'd']) expect(recent.isNew(key)).toBe(true);
		expect(recent.size).toBe(3);
		expect(recent.isNew('a')).toBe(true);
		now = 5000;
		expect(recent.isNew('e')).toBe(true);
		expect(recent.size).toBe(1);
	});

	it('two triggers do not share a memory', () => {
		const first = new RecentChanges(1000, () => 0);
		const second = new RecentChanges(1000, () => 0);
		expect(first.isNew('k')).toBe(true);
		expect(second.isNew('k')).toBe(true);
	});

	it.each([0, -1, Number.NaN])('refuses a window of %p', (windowMs) => {
		expect(() => new RecentChanges(windowMs)).toThrow('windowMs must be > 0');
	});
});

describe('group invite', () => {
	it('names the group, who invited and who was invited', () => {
		const data = dataOf({
			EventName: 'ON_EVENT_CHATROOM_INVITE_OTHER',
			FromUserName: '12345678@chatroom',
			InviteUserName: 'wxid_inviter1',
			InviteNickName: '张三',
			InvitedUserName: 'wxid_joined01',
			InvitedNickName: '李四',
		});
		expect(groupInviteFields(data)).toEqual({
			groupId: '12345678@chatroom',
			inviterWxid: 'wxid_inviter1',
			inviterName: '张三',
			invitedWxid: 'wxid_joined01',
			invitedName: '李四',
		});
	});

	it('leaves out what the frame does not say, and what is not text', () => {
		expect(groupInviteFields(dataOf({ FromUserName: '1@chatroom', InviteUserName: 42 }))).toEqual({
			groupId: '1@chatroom',
		});
	});
});

describe('friend request', () => {
	const REQUEST = `<msg fromusername="wxid_stranger9" encryptusername="v1_0123abcd@stranger" fromnickname="王 &amp; 小二" content="我是群聊&quot;周末爬山&quot;的王小二" fullpy="wangxiaoer" shortpy="WXE" imagestatus="3" scene="14" country="" province="" city="" sign="" percard="1" sex="1" alias="" weibo="" albumflag="0" albumstyle="0" albumbgimgid="" snsflag="273" snsbgimgid="" snsbgobjectid="0" mhash="" mfullhash="" bigheadimgurl="" smallheadimgurl="" ticket="v2_0123456789abcdef@stranger" opcode="2" googlecontact="" qrticket="" chatroomusername="12345678@chatroom" sourceusername="" sourcenickname="" sharecardusername="" sharecardnickname="" cardversion="" extflag="0"><brandlist count="0" ver="0"></brandlist></msg>`;

	it('reads the request from Data.Content', () => {
		expect(
			friendRequestFields(dataOf({ EventName: 'ON_EVENT_FRIEND_REQ', Content: REQUEST })),
		).toEqual({
			fromWxid: 'wxid_stranger9',
			fromName: '王 & 小二',
			content: '我是群聊"周末爬山"的王小二',
			scene: 14,
			ticket: 'v2_0123456789abcdef@stranger',
			requestXml: REQUEST,
		});
	});

	it("or from the message's Content", () => {
		const fields = friendRequestFields(dataOf({ AddMsg: { MsgType: 37, Content: REQUEST } }));
		expect(fields.fromWxid).toBe('wxid_stranger9');
	});

	it.each([
		[
			'a DOCTYPE',
			`<!DOCTYPE msg [<!ENTITY x "y">]>${REQUEST}`,
			'contains a DOCTYPE or ENTITY declaration',
		],
		[
			'a huge attribute',
			REQUEST.replace('sign=""', `sign="${'x'.repeat(1024 * 1024)}"`),
			'characters long',
		],
		['an unclosed tag', '<msg fromusername="a">', 'is never closed'],
		['no XML at all', '', 'is empty'],
		['another root', '<sysmsg/>', "is not a friend request's XML"],
	])('%s is a clear error', (_name, content, message) => {
		expect(() => friendRequestFields(dataOf({ Content: content }))).toThrow(message);
	});
});

describe('account offline', () => {
	it('says when, as an ISO time', () => {
		expect(accountOfflineFields(new Date(Date.UTC(2026, 11, 2, 13, 0, 5)))).toEqual({
			at: '2026-12-02T13:00:05.000Z',
		});
		expect(Date.parse(accountOfflineFields().at)).not.toBeNaN();
	});
});
