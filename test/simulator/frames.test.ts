/**
 * The /ws frames for media messages and the other events, in the real gateway's format: 64-bit
 * ids bare in the JSON text, WeChat's own XML in Content, and the event payloads clients read.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { startMediaSimulator, type MediaSimulator } from './api';
import { get, openSocket } from './wire';

const ACCOUNT = 'wxid_bot1';
const GROUP = '6949093048@chatroom';
const parser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '',
	parseTagValue: false,
});

let simulator: MediaSimulator;
let socket: Awaited<ReturnType<typeof openSocket>>;
beforeAll(async () => {
	simulator = await startMediaSimulator({ accounts: [ACCOUNT] });
	socket = await openSocket(simulator);
});
afterAll(async () => {
	socket.close();
	await simulator.close();
});
beforeEach(() => simulator.reset());

/** Pushes one frame and reads it back: its text, and its AddMsg with the Content's XML parsed. */
async function pushOne(
	kind: Parameters<MediaSimulator['push']>[0],
	spec: Record<string, unknown> = {},
) {
	const pushed = simulator.push(kind, spec);
	const [text] = await socket.take(1);
	const frame = JSON.parse(text);
	const addMsg = frame.CurrentPacket.Data.AddMsg;
	return {
		pushed,
		text,
		frame,
		addMsg,
		xml: addMsg && /^\s*</.test(addMsg.Content) ? parser.parse(addMsg.Content) : undefined,
	};
}

describe('media message frames', () => {
	test('image (3): <img> with its CDN attributes, ImgBuf a real PNG thumbnail as base64, NewMsgId bare above 2^53', async () => {
		const { pushed, text, frame, addMsg, xml } = await pushOne('image');
		expect(frame.CurrentWxid).toBe(ACCOUNT);
		expect(addMsg).toMatchObject({
			MsgType: 3,
			FromUserName: 'wxid_friend42',
			ToUserName: ACCOUNT,
			MsgId: pushed.msgId,
		});
		expect(BigInt(pushed.newMsgId!)).toBeGreaterThan(2n ** 53n);
		expect(text).toContain(`"NewMsgId":${pushed.newMsgId},`);
		expect(XMLValidator.validate(addMsg.Content)).toBe(true);
		for (const name of [
			'aeskey',
			'cdnthumburl',
			'cdnthumblength',
			'cdnthumbwidth',
			'cdnthumbheight',
			'cdnmidimgurl',
			'cdnbigimgurl',
			'length',
			'hdlength',
			'md5',
		])
			expect(xml.msg.img[name]).toEqual(expect.any(String));
		const thumbnail = Buffer.from(addMsg.ImgBuf, 'base64');
		expect(thumbnail).toEqual(pushed.thumbnail);
		expect(thumbnail.subarray(1, 4).toString('latin1')).toBe('PNG');
		const none = await pushOne('image', { thumbnail: false });
		expect(none.addMsg.ImgBuf).toBeNull();
	});

	test('voice (34): voicelength in ms = 20 ms a SILK frame, length in bytes, voiceformat 4', async () => {
		const { pushed, xml, addMsg } = await pushOne('voice', { frames: 75, group: GROUP });
		expect(addMsg).toMatchObject({
			MsgType: 34,
			FromUserName: GROUP,
			ActionUserName: 'wxid_member7',
		});
		expect(xml.msg.voicemsg).toMatchObject({
			voicelength: '1500',
			length: String(pushed.bytes!.length),
			voiceformat: '4',
			fromusername: 'wxid_member7',
		});
		for (const name of ['bufid', 'aeskey', 'voiceurl']) expect(xml.msg.voicemsg[name]).not.toBe('');
	});

	test('video (43), location (48) and contact card (42) carry the attributes the trigger reads', async () => {
		const video = await pushOne('video', { seconds: 31 });
		expect(video.addMsg.MsgType).toBe(43);
		expect(video.xml.msg.videomsg).toMatchObject({ playlength: '31', length: '1048576' });
		for (const name of ['aeskey', 'cdnvideourl', 'cdnthumburl', 'md5'])
			expect(video.xml.msg.videomsg[name]).toMatch(/^[0-9a-f]+$/);

		const location = await pushOne('location');
		expect(location.addMsg.MsgType).toBe(48);
		expect(location.xml.msg.location).toMatchObject({
			x: '22.540503',
			y: '113.934528',
			scale: '15',
			label: '广东省深圳市南山区深南大道10000号',
			poiname: '腾讯大厦',
		});

		const card = await pushOne('contactCard', { card: 'wxid_lin99', nickname: 'Lin <3' });
		expect(card.addMsg.MsgType).toBe(42);
		expect(card.addMsg.Content).toContain('nickname="Lin &lt;3"');
		expect(card.xml.msg).toMatchObject({
			username: 'wxid_lin99',
			nickname: 'Lin <3',
			alias: 'lin_99',
			bigheadimgurl: expect.stringMatching(/^http:\/\//),
		});
	});

	test("sticker (47): md5 and len of the GIF, cdnurl (escaped &amp; in the XML) at the simulator's sticker CDN", async () => {
		const { pushed, addMsg, xml } = await pushOne('emoji');
		expect(addMsg.MsgType).toBe(47);
		const emoji = xml.msg.emoji;
		expect(emoji).toMatchObject({
			md5: pushed.md5,
			len: String(pushed.bytes!.length),
			width: '24',
			height: '24',
		});
		expect(addMsg.Content).toContain('&amp;filekey=');
		expect(emoji.cdnurl.startsWith(`${simulator.url}/cdn/emoji/stodownload?m=${pushed.md5}&`)).toBe(
			true,
		);
		expect((await get(emoji.cdnurl)).bytes).toEqual(pushed.bytes);
	});

	test('a group join notice (10000) in both forms', async () => {
		const invited = await pushOne('groupJoin', { inviterName: 'Alice', joinedName: 'Bob' });
		expect(invited.addMsg).toMatchObject({
			MsgType: 10000,
			FromUserName: GROUP,
			Content: '"Alice"邀请"Bob"加入了群聊',
		});
		const scanned = await pushOne('groupJoin', {
			form: 'qr',
			inviterName: 'Alice',
			joinedName: 'Bob',
		});
		expect(scanned.addMsg.Content).toBe('"Bob"通过扫描"Alice"分享的二维码加入群聊');
	});
});

describe('event frames', () => {
	test('ON_EVENT_PAT_MSG: ChatUserName, FromUserName, PattedUserName, Template', async () => {
		simulator.push('pat', { from: 'wxid_member7' });
		simulator.push('pat', { from: 'wxid_member7', patted: 'wxid_lin99' });
		const [me, other] = (await socket.take(2)).map((t) => JSON.parse(t));
		expect(me).toEqual({
			CurrentPacket: {
				WebConnId: '',
				Data: {
					EventName: 'ON_EVENT_PAT_MSG',
					ChatUserName: GROUP,
					FromUserName: 'wxid_member7',
					PattedUserName: ACCOUNT,
					Template: '"${wxid_member7}" 拍了拍我',
				},
			},
			CurrentWxid: ACCOUNT,
		});
		expect(other.CurrentPacket.Data.Template).toBe('"${wxid_member7}" 拍了拍 "${wxid_lin99}"');
	});

	test('ON_EVENT_CONTACT_CHANGE: the contact with the 182 fields, the same frame several times, 64-bit bare', async () => {
		const pushed = simulator.push('contactChange', {
			wxid: 'wxid_friend42',
			changes: { Remark: 'Best friend' },
			times: 3,
		});
		expect(pushed.times).toBe(3);
		const frames = await socket.take(3);
		expect(new Set(frames).size).toBe(1);
		expect(frames[0]).toContain('"SnsBGObjectID":13020986498424369423');
		const { Data } = JSON.parse(frames[0]).CurrentPacket;
		expect(Data.EventName).toBe('ON_EVENT_CONTACT_CHANGE');
		expect(Data.Contact).toMatchObject({
			UserName: 'wxid_friend42',
			NickName: 'Friend',
			Remark: 'Best friend',
			ChatRoomMember: [],
		});
		// the change is what cgi 182 answers from now on
		expect(simulator.contacts.list().find((c) => c.UserName === 'wxid_friend42')).toMatchObject({
			Remark: 'Best friend',
		});
	});

	test('ON_EVENT_CHATROOM_INVITE_OTHER, ON_EVENT_FRIEND_REQ (XML in Content), ON_EVENT_ACCOUNT_OFFLINE (only CurrentWxid)', async () => {
		simulator.push('groupInvite', {
			inviter: 'wxid_member7',
			inviterName: 'Mei',
			invited: 'wxid_new1',
			invitedName: 'New',
		});
		const invite = JSON.parse((await socket.take(1))[0]).CurrentPacket.Data;
		expect(invite).toEqual({
			EventName: 'ON_EVENT_CHATROOM_INVITE_OTHER',
			FromUserName: GROUP,
			InviteUserName: 'wxid_member7',
			InviteNickName: 'Mei',
			InvitedUserName: 'wxid_new1',
			InvitedNickName: 'New',
		});

		const request = await pushOne('friendRequest', {
			from: 'wxid_stranger8',
			fromName: 'Str & anger',
			text: 'hi, <me>',
		});
		expect(request.frame.CurrentPacket.Data.EventName).toBe('ON_EVENT_FRIEND_REQ');
		expect(request.addMsg).toMatchObject({ MsgType: 37, FromUserName: 'fmessage' });
		expect(XMLValidator.validate(request.addMsg.Content)).toBe(true);
		expect(request.xml.msg).toMatchObject({
			fromusername: 'wxid_stranger8',
			fromnickname: 'Str & anger',
			content: 'hi, <me>',
			scene: '14',
			ticket: request.pushed.ticket,
		});
		expect(request.xml.msg.encryptusername).toMatch(/^v3_.*@stranger$/);

		simulator.push('accountOffline');
		expect(simulator.account.users()).toEqual([
			expect.objectContaining({ wxid: ACCOUNT, online: false }),
		]);
		expect(JSON.parse((await socket.take(1))[0])).toEqual({
			CurrentPacket: { WebConnId: '', Data: { EventName: 'ON_EVENT_ACCOUNT_OFFLINE' } },
			CurrentWxid: ACCOUNT,
		});
	});

	test('the control endpoint pushes the same frames; an unknown kind names the known ones', async () => {
		const response = await fetch(`${simulator.url}/__simulator/push`, {
			method: 'POST',
			body: JSON.stringify({ kind: 'location', account: ACCOUNT }),
		});
		expect(await response.json()).toMatchObject({
			reached: 1,
			msgId: expect.any(Number),
			newMsgId: expect.any(String),
		});
		expect(JSON.parse((await socket.take(1))[0]).CurrentPacket.Data.AddMsg.MsgType).toBe(48);
		expect(() => simulator.push('sticker' as never)).toThrow(
			/no frame kind "sticker"; try one of image, voice/,
		);
		expect(simulator.frameKinds).toHaveLength(12);
	});
});
