/**
 * With `modelCommands`, the simulator checks cgi 182, 179, 594, 849, 110, 127 and 175 as the
 * gateway does and answers in the shapes public clients read (protocol.md, "Media, contacts,
 * groups and the account"); every accepted command is recorded with its request byte for byte.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { startMediaSimulator, type MediaSimulator } from './api';
import { call, openSocket } from './wire';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { THUMBNAIL_PNG, silk } = require('../../simulator/mediaBytes') as {
	THUMBNAIL_PNG: Buffer;
	silk(options?: { frames?: number; tencent?: boolean }): Buffer;
};

const GROUP = '6949093048@chatroom';
let simulator: MediaSimulator;
let files: http.Server;
let filesUrl: string;
const served: Record<string, Buffer> = {};

beforeAll(async () => {
	simulator = await startMediaSimulator({ modelCommands: true });
	files = http.createServer((req, res) => {
		const body = served[req.url ?? ''];
		if (body) res.writeHead(200).end(body);
		else res.writeHead(404).end();
	});
	await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
	filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
	served['/pic.png'] = THUMBNAIL_PNG;
	served['/voice.silk'] = silk({ frames: 150 });
	served['/notes.txt'] = Buffer.from('not a picture');
});
afterAll(async () => {
	await simulator.close();
	await new Promise((resolve) => files.close(resolve));
});
beforeEach(() => simulator.reset());

const ret = (answer: { json: { CgiBaseResponse: { Ret: number } } }) =>
	answer.json.CgiBaseResponse.Ret;

describe('cgi 182: contact and group info', () => {
	test('ResponseData is an array in the order asked; a 64-bit field is a bare number; an unknown id is an empty slot', async () => {
		const answer = await call(simulator, 182, { Wxid: ['wxid_friend42', GROUP, 'wxid_nobody'] });
		expect(ret(answer)).toBe(0);
		const [friend, group, unknown] = answer.json.ResponseData as Array<Record<string, unknown>>;
		expect(Object.keys(friend)).toEqual(
			expect.arrayContaining([
				'UserName',
				'NickName',
				'Remark',
				'Alias',
				'Sex',
				'Signature',
				'SmallHeadImgUrl',
				'BigHeadImgUrl',
				'Province',
				'City',
				'ChatRoomOwner',
				'ChatRoomMember',
			]),
		);
		expect(friend).toMatchObject({ UserName: 'wxid_friend42', NickName: 'Friend', Sex: 2 });
		expect(answer.text).toContain('"SnsBGObjectID":13020986498424369423');
		expect(group).toMatchObject({ UserName: GROUP, ChatRoomOwner: 'wxid_member7' });
		expect(group.ChatRoomMember).toContainEqual({
			Wxid: 'wxid_lin99',
			NickName: 'Lin',
			ChatroomMemberFlag: 2048,
		});
		expect(unknown).toMatchObject({ UserName: '', NickName: '', ChatRoomMember: [] });
		expect(simulator.messages[0]).toMatchObject({
			cgiCmd: 182,
			wxids: ['wxid_friend42', GROUP, 'wxid_nobody'],
		});
		expect(simulator.messages[0].request).toBe(
			`{"Wxid":["wxid_friend42","${GROUP}","wxid_nobody"]}`,
		);
	});

	test('{"ChatroomID"} asks for one group; seeded contacts answer; bad ids are Ret -2', async () => {
		simulator.contacts.seed({
			UserName: 'wxid_seeded1',
			NickName: 'Seeded',
			SnsUserInfo: { SnsBGObjectID: '18446744073709551615' },
		});
		const seeded = await call(simulator, 182, { Wxid: ['wxid_seeded1'] });
		expect(seeded.text).toContain('"SnsBGObjectID":18446744073709551615');
		expect((seeded.json.ResponseData as Array<{ NickName: string }>)[0].NickName).toBe('Seeded');
		const group = await call(simulator, 182, { ChatroomID: GROUP });
		expect((group.json.ResponseData as Array<{ UserName: string }>).map((c) => c.UserName)).toEqual(
			[GROUP],
		);
		expect(ret(await call(simulator, 182, { Wxid: [] }))).toBe(-2);
		expect(ret(await call(simulator, 182, { Wxid: 'wxid_friend42' }))).toBe(-2);
		expect((await call(simulator, 182, { Wxid: ['bad id'] })).json.CgiBaseResponse.ErrMsg).toMatch(
			/"bad id", which is not a wxid/,
		);
	});

	test('without modelCommands the echo answer is unchanged', async () => {
		const plain = await startMediaSimulator();
		try {
			const answer = await call(plain as MediaSimulator, 182, '{"Wxid":["wxid_friend42"]}');
			expect(answer.json.ResponseData).toMatchObject({
				CgiCmd: 182,
				Echo: { Wxid: ['wxid_friend42'] },
			});
		} finally {
			await plain.close();
		}
	});
});

describe('cgi 179: remove group members', () => {
	test('removed members are gone from the group; a member who is not there and an unknown group are Ret errors', async () => {
		const removed = await call(simulator, 179, { Wxid: ['wxid_spammer01'], ChatroomID: GROUP });
		expect(ret(removed)).toBe(0);
		expect(removed.json.ResponseData).toEqual({
			MemberCount: 1,
			MemberList: [{ MemberName: { string: 'wxid_spammer01' } }],
		});
		expect(simulator.messages[0]).toMatchObject({
			cgiCmd: 179,
			groupId: GROUP,
			removed: ['wxid_spammer01'],
		});
		const group = await call(simulator, 182, { Wxid: [GROUP] });
		expect(JSON.stringify(group.json.ResponseData)).not.toContain('wxid_spammer01');

		const again = await call(simulator, 179, { Wxid: ['wxid_spammer01'], ChatroomID: GROUP });
		expect(again.json.CgiBaseResponse).toEqual({
			Ret: -2,
			ErrMsg: `wxid_spammer01 is not a member of ${GROUP}`,
		});
		const unknown = await call(simulator, 179, {
			Wxid: ['wxid_lin99'],
			ChatroomID: '1111@chatroom',
		});
		expect(ret(unknown)).toBe(-1);
		expect(
			ret(await call(simulator, 179, { Wxid: ['wxid_lin99'], ChatroomID: 'wxid_friend42' })),
		).toBe(-2);
		expect(simulator.messages).toHaveLength(2); // the removal and the 182 read, nothing refused
	});

	test('reset() brings the seeded members back', async () => {
		await call(simulator, 179, { Wxid: ['wxid_spammer01'], ChatroomID: GROUP });
		simulator.reset();
		const group = await call(simulator, 182, { ChatroomID: GROUP });
		const [{ ChatRoomMember }] = group.json.ResponseData as Array<{
			ChatRoomMember: Array<{ Wxid: string }>;
		}>;
		expect(ChatRoomMember.map((m) => m.Wxid)).toContain('wxid_spammer01');
	});
});

describe('cgi 594: revoke, and cgi 849: pat', () => {
	test('revoke keeps NewMsgId exact; a quoted or missing NewMsgId, another OpCode and a 64-bit MsgId are refused', async () => {
		const request =
			'{"OpCode":0,"MsgId":1234567,"NewMsgId":7400409546359626802,"ToUserName":"wxid_friend42"}';
		const answer = await call(simulator, 594, request);
		expect(ret(answer)).toBe(0);
		expect(simulator.messages[0]).toMatchObject({
			cgiCmd: 594,
			request,
			revokedNewMsgId: '7400409546359626802',
			revokedMsgId: 1234567,
		});
		expect(simulator.calls[0].body).toBe(`{"CgiCmd":594,"CgiRequest":${request}}`);
		for (const bad of [
			'{"OpCode":0,"MsgId":1,"NewMsgId":"7400409546359626802","ToUserName":"wxid_friend42"}',
			'{"OpCode":0,"MsgId":1,"ToUserName":"wxid_friend42"}',
			'{"OpCode":1,"MsgId":1,"NewMsgId":7400409546359626802,"ToUserName":"wxid_friend42"}',
			'{"OpCode":0,"MsgId":7400409546359626802,"NewMsgId":7400409546359626802,"ToUserName":"wxid_friend42"}',
		])
			expect(ret(await call(simulator, 594, bad))).toBe(-2);
	});

	test('pat needs PattedUsername with a lower-case n, Scene 0, and a member of the group', async () => {
		expect(
			ret(
				await call(simulator, 849, { ChatUserName: GROUP, PattedUsername: 'wxid_lin99', Scene: 0 }),
			),
		).toBe(0);
		expect(simulator.messages[0]).toMatchObject({
			cgiCmd: 849,
			chatId: GROUP,
			pattedWxid: 'wxid_lin99',
		});
		const capital = await call(simulator, 849, {
			ChatUserName: GROUP,
			PattedUserName: 'wxid_lin99',
			Scene: 0,
		});
		expect(capital.json.CgiBaseResponse.ErrMsg).toMatch(/PattedUsername/);
		expect(
			ret(await call(simulator, 849, { ChatUserName: GROUP, PattedUsername: 'wxid_lin99' })),
		).toBe(-2);
		expect(
			ret(
				await call(simulator, 849, {
					ChatUserName: GROUP,
					PattedUsername: 'wxid_stranger',
					Scene: 0,
				}),
			),
		).toBe(-2);
		expect(
			ret(
				await call(simulator, 849, {
					ChatUserName: 'wxid_friend42',
					PattedUsername: 'wxid_friend42',
					Scene: 0,
				}),
			),
		).toBe(0);
	});
});

describe('cgi 110, 127, 175: image, voice, sticker', () => {
	test('an image from base64, a URL or XML: exactly one, a real image, plain base64', async () => {
		const base64 = await call(simulator, 110, {
			ToUserName: 'wxid_friend42',
			ImageBase64: THUMBNAIL_PNG.toString('base64'),
		});
		expect(ret(base64)).toBe(0);
		const newMsgId = simulator.messages[0].newMsgId;
		expect(base64.text).toContain(`"NewMsgId":${newMsgId}`);
		expect(base64.json.ResponseData).toMatchObject({
			MsgId: expect.any(Number),
			TotalLen: THUMBNAIL_PNG.length,
		});
		expect(simulator.messages[0]).toMatchObject({
			cgiCmd: 110,
			imageSource: 'base64',
			imageKind: 'png',
			imageBytes: THUMBNAIL_PNG.length,
		});

		expect(
			ret(
				await call(simulator, 110, {
					ToUserName: 'wxid_friend42',
					ImageUrl: `${filesUrl}/pic.png`,
				}),
			),
		).toBe(0);
		expect(simulator.messages[1]).toMatchObject({
			imageSource: 'url',
			imageBytes: THUMBNAIL_PNG.length,
		});
		const xml = '<msg><img aeskey="0f1e" cdnmidimgurl="3057abc" length="12345" md5="abc" /></msg>';
		expect(ret(await call(simulator, 110, { ToUserName: 'wxid_friend42', ImageXml: xml }))).toBe(0);
		expect(simulator.messages[2]).toMatchObject({ imageSource: 'xml', imageXml: xml });

		const refused: Array<[object, RegExp, number]> = [
			[
				{ ImageBase64: THUMBNAIL_PNG.toString('base64'), ImageUrl: `${filesUrl}/pic.png` },
				/exactly one of/,
				-2,
			],
			[{}, /exactly one of/, -2],
			[
				{ ImageBase64: `data:image/png;base64,${THUMBNAIL_PNG.toString('base64')}` },
				/without a data: prefix/,
				-2,
			],
			[
				{ ImageBase64: Buffer.from('plain text').toString('base64') },
				/not a PNG, JPEG, GIF, WebP or BMP/,
				-2,
			],
			[{ ImageUrl: `${filesUrl}/missing.png` }, /ImageUrl could not be fetched: HTTP 404/, -1],
			[
				{ ImageXml: '<!DOCTYPE x><msg><img aeskey="a" cdnmidimgurl="b"/></msg>' },
				/not well-formed/,
				-2,
			],
			[{ ImageXml: '<msg><img length="1"/></msg>' }, /no <img> with aeskey/, -2],
		];
		for (const [request, errMsg, code] of refused) {
			const answer = await call(simulator, 110, { ToUserName: 'wxid_friend42', ...request });
			expect(answer.json.CgiBaseResponse.Ret).toBe(code);
			expect(answer.json.CgiBaseResponse.ErrMsg).toMatch(errMsg);
		}
		expect(simulator.messages).toHaveLength(3);
	});

	test('a voice message is SILK v3 with VoiceTime in whole seconds up to 60', async () => {
		const voice = silk({ frames: 150 });
		const answer = await call(simulator, 127, {
			ToUserName: 'wxid_friend42',
			VoiceBase64: voice.toString('base64'),
			VoiceTime: 3,
		});
		expect(ret(answer)).toBe(0);
		expect(simulator.messages[0]).toMatchObject({
			cgiCmd: 127,
			voiceSource: 'base64',
			voiceTime: 3,
			voiceFrames: 150,
			voiceBytes: voice.length,
		});
		expect(
			ret(
				await call(simulator, 127, {
					ToUserName: 'wxid_friend42',
					VoiceUrl: `${filesUrl}/voice.silk`,
					VoiceTime: 3,
				}),
			),
		).toBe(0);
		expect(simulator.messages[1]).toMatchObject({ voiceSource: 'url', voiceFrames: 150 });
		for (const [request, errMsg] of [
			[{ VoiceBase64: voice.toString('base64'), VoiceTime: 3000 }, /whole seconds, 1 to 60/],
			[{ VoiceBase64: voice.toString('base64'), VoiceTime: 1.5 }, /whole seconds/],
			[{ VoiceBase64: voice.toString('base64') }, /whole seconds/],
			[
				{ VoiceBase64: Buffer.from('RIFF....WAVE').toString('base64'), VoiceTime: 1 },
				/not a SILK v3 file/,
			],
			[{ VoiceUrl: `${filesUrl}/notes.txt`, VoiceTime: 1 }, /not a SILK v3 file/],
		] as Array<[object, RegExp]>) {
			const refused = await call(simulator, 127, { ToUserName: 'wxid_friend42', ...request });
			expect(refused.json.CgiBaseResponse.ErrMsg).toMatch(errMsg);
		}
		expect(simulator.messages).toHaveLength(2);
	});

	test('a sticker by EmojiMd5 and EmojiLen; a known sticker with the wrong length is refused', async () => {
		const pushed = simulator.push('emoji');
		const md5 = pushed.md5!;
		const length = pushed.bytes!.length;
		const answer = await call(simulator, 175, {
			ToUserName: GROUP,
			EmojiMd5: md5,
			EmojiLen: length,
		});
		expect(ret(answer)).toBe(0);
		expect(answer.text).toContain(`"NewMsgId":${simulator.messages[0].newMsgId}`);
		expect(simulator.messages[0]).toMatchObject({ cgiCmd: 175, emojiMd5: md5, emojiLen: length });
		expect(
			ret(await call(simulator, 175, { ToUserName: GROUP, EmojiMd5: md5, EmojiLen: length + 1 })),
		).toBe(-2);
		expect(
			ret(await call(simulator, 175, { ToUserName: GROUP, EmojiMd5: 'xyz', EmojiLen: length })),
		).toBe(-2);
		expect(
			ret(await call(simulator, 175, { ToUserName: GROUP, EmojiMd5: md5, EmojiLen: '359' })),
		).toBe(-2);
		expect(ret(await call(simulator, 175, { EmojiMd5: md5, EmojiLen: length }))).toBe(-2);
	});
});

describe("a sent image, voice or sticker comes back over /ws as the account's own message", () => {
	test('with the MsgId and the exact NewMsgId of the answer, and the media XML', async () => {
		const socket = await openSocket(simulator);
		try {
			const voice = silk({ frames: 100 });
			const sends: Array<[number, object, number, RegExp]> = [
				[110, { ImageBase64: THUMBNAIL_PNG.toString('base64') }, 3, /<img aeskey="/],
				[
					127,
					{ VoiceBase64: voice.toString('base64'), VoiceTime: 2 },
					34,
					/voicelength="2000" length="\d+"/,
				],
				[175, { EmojiMd5: 'ab'.repeat(16), EmojiLen: 1234 }, 47, /md5="abababab/],
			];
			for (const [cgiCmd, request, msgType, xml] of sends) {
				const answer = await call(simulator, cgiCmd, { ToUserName: GROUP, ...request });
				const newMsgId = /"NewMsgId":(\d+)/.exec(answer.text)![1];
				const [frame] = await socket.take(1);
				expect(frame).toContain(`"NewMsgId":${newMsgId},`);
				const { AddMsg } = JSON.parse(frame).CurrentPacket.Data;
				expect(AddMsg).toMatchObject({
					MsgType: msgType,
					FromUserName: 'wxid_bot1',
					ToUserName: GROUP,
				});
				expect(JSON.stringify(answer.json)).toContain(`"MsgId":${AddMsg.MsgId}`);
				expect(AddMsg.Content).toMatch(xml);
			}
			expect(socket.frames).toHaveLength(0);
			await call(simulator, 182, { Wxid: ['wxid_lin99'] });
			await call(simulator, 849, { ChatUserName: GROUP, PattedUsername: 'wxid_lin99', Scene: 0 });
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect(socket.frames).toHaveLength(0); // reads and pats are not messages
		} finally {
			socket.close();
		}
	});
});

describe('faults on modelled commands', () => {
	test('a Ret fault for one cgi number hits only that command; a configured answer wins over the model', async () => {
		simulator.addFault({ action: 'ret', ret: -24, errMsg: 'spam', cgiCmd: 849, times: 1 });
		expect(ret(await call(simulator, 182, { Wxid: ['wxid_lin99'] }))).toBe(0);
		const refused = await call(simulator, 849, {
			ChatUserName: GROUP,
			PattedUsername: 'wxid_lin99',
			Scene: 0,
		});
		expect(refused.json.CgiBaseResponse).toEqual({ Ret: -24, ErrMsg: 'spam' });
		expect(
			ret(
				await call(simulator, 849, { ChatUserName: GROUP, PattedUsername: 'wxid_lin99', Scene: 0 }),
			),
		).toBe(0);
		simulator.configureCommands({ responses: { '110': '{}' } });
		const bare = await call(simulator, 110, {
			ToUserName: 'wxid_friend42',
			ImageUrl: 'not checked',
		});
		expect(bare.json.ResponseData).toEqual({});
		simulator.configureCommands({ responses: { '110': null } });
	});

	test('no answer: the command is never answered and nothing is recorded as sent; other commands still are', async () => {
		simulator.addFault({ action: 'hang', cgiCmd: 179 });
		expect(ret(await call(simulator, 182, { ChatroomID: GROUP }))).toBe(0);
		simulator.reset();
		simulator.addFault({ action: 'hang', cgiCmd: 179 });
		const abandoned = call(
			simulator,
			179,
			{ Wxid: ['wxid_spammer01'], ChatroomID: GROUP },
			{ signal: AbortSignal.timeout(500) },
		);
		await expect(abandoned).rejects.toThrow();
		expect(simulator.calls).toHaveLength(1);
		expect(simulator.messages).toHaveLength(0);
	});

	test('an offline account is refused with Ret -13', async () => {
		simulator.account.set({ wxid: 'wxid_bot1', online: false });
		const answer = await call(simulator, 182, { Wxid: ['wxid_lin99'] });
		expect(answer.json.CgiBaseResponse).toEqual({
			Ret: -13,
			ErrMsg: 'account wxid_bot1 is offline',
		});
	});
});
