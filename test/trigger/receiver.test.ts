import {
	triggerFiltersFrom,
	type TriggerParameters,
} from '../../nodes/WeChatGateway/trigger/filters';
import { FrameReceiver } from '../../nodes/WeChatGateway/trigger/receiver';
import {
	FRIEND,
	GROUP,
	MEMBER,
	frameText,
	hostileFrames,
	samples,
	type FrameSpec,
} from '../support/gatewaySocket';

const ACCOUNT = 'wxid_trigger_bot';
const OTHER_ACCOUNT = 'wxid_someone_else';
const SAMPLES = samples(ACCOUNT);
let nextId = 9_100_000_000_000_000_001n;
const newId = () => String(nextId++);

function receiverWith(parameters: TriggerParameters = {}, capacity?: number) {
	return new FrameReceiver(ACCOUNT, triggerFiltersFrom(parameters), {
		recentIdCapacity: capacity,
	});
}

function frameOf(sample: string, spec: Partial<FrameSpec> = {}) {
	const newMsgId = spec.newMsgId ?? newId();
	const { message, withExt } = SAMPLES[sample];
	return {
		newMsgId: String(newMsgId),
		text: frameText({ account: ACCOUNT, withExt, message, ...spec, newMsgId }),
	};
}

describe('the item a message becomes', () => {
	it('a private text: every field, the 64-bit id exact', () => {
		const { text, newMsgId } = frameOf('text');
		const item = receiverWith().receive(text).item;
		expect(item).toEqual({
			event: 'ON_EVENT_MSG_NEW',
			accountWxid: ACCOUNT,
			newMsgId,
			msgId: expect.stringMatching(/^\d+$/),
			msgType: 1,
			kind: 'text',
			chatId: FRIEND,
			isGroup: false,
			senderWxid: FRIEND,
			senderName: 'Friend',
			fromSelf: false,
			content: 'hello from a friend',
			mentionedMe: false,
			mentionsAll: false,
			mentions: [],
			createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			createTimeUnix: expect.any(Number),
			pushContent: 'Friend : hello from a friend',
		});
		expect(new Date(item!.createTime as string).getTime()).toBe(
			(item!.createTimeUnix as number) * 1000,
		);
	});

	it.each([
		['without NewMsgIdExt', 'bigIdWithoutExt'],
		['with NewMsgIdExt', 'bigIdWithExt'],
	])('a 64-bit id above 2^53 %s is exact', (_label, sample) => {
		const id = '9223372036854775801';
		expect(Number(id).toString()).not.toBe(id); // a plain number would round it
		const { text } = frameOf(sample, { newMsgId: id });
		expect(text).toContain(`"NewMsgId":${id}`);
		expect(receiverWith().receive(text).item?.newMsgId).toBe(id);
	});

	it('prefers NewMsgIdExt when both are there', () => {
		const text = frameText({
			account: ACCOUNT,
			newMsgId: '9223372036854775801',
			message: {},
		}).replace('"NewMsgIdExt":"9223372036854775801"', '"NewMsgIdExt":"9223372036854775807"');
		expect(receiverWith().receive(text).item?.newMsgId).toBe('9223372036854775807');
	});

	it('a group text with mentions: speaker from ActionUserName, mentions from atuserlist', () => {
		const item = receiverWith().receive(frameOf('groupText').text).item!;
		expect(item).toMatchObject({
			kind: 'text',
			chatId: GROUP,
			isGroup: true,
			senderWxid: MEMBER,
			senderName: 'Mei',
			mentionedMe: true,
			mentionsAll: false,
			mentions: [ACCOUNT, 'wxid_lin99'],
		});
	});

	it('a group text with the wxid:\\n prefix: the prefix names the speaker and leaves the content', () => {
		const item = receiverWith().receive(frameOf('groupTextPrefixed').text).item!;
		expect(item).toMatchObject({
			senderWxid: MEMBER,
			content: 'morning all',
			mentionsAll: true,
			mentionedMe: false,
			mentions: [],
		});
	});

	it.each([
		['miniProgram', 'miniProgram', 33],
		['file', 'file', 6],
		['channels', 'channelsVideo', 51],
		['link', 'link', 5],
		['quote', 'quote', 57],
	])(
		'app message %s: kind %s, messageXml without the prefix, appMsg summary',
		(sample, kind, type) => {
			const item = receiverWith().receive(frameOf(sample).text).item!;
			expect(item.kind).toBe(kind);
			expect(item.msgType).toBe(49);
			const xml = item.messageXml as string;
			expect(xml.trimStart().startsWith('<')).toBe(true);
			expect(item.content).toBe(xml);
			expect((item.appMsg as { type: number }).type).toBe(type);
		},
	);

	it('a mini program keeps what forwarding needs', () => {
		const item = receiverWith().receive(frameOf('miniProgram').text).item!;
		const appMsg = item.appMsg as Record<string, Record<string, unknown>>;
		expect(appMsg.miniProgram).toMatchObject({
			appId: 'wxa1b2c3d4e5f60718',
			username: 'gh_0a1b2c3d4e5f@app',
			pagePath: 'pages/goods/detail.html?id=10086&from=share',
		});
	});

	it('a file in a group: the sender from the message, the file fields in appMsg.file', () => {
		const item = receiverWith().receive(frameOf('file').text).item!;
		expect(item).toMatchObject({ chatId: GROUP, isGroup: true, senderWxid: MEMBER });
		expect((item.appMsg as Record<string, Record<string, unknown>>).file).toMatchObject({
			fileName: 'Gemini.pdf',
			fileSize: 1714122,
			aesKey: '6dfb7e6c7f6a1dfb985634e2446be1ea',
		});
	});

	it('includeRaw adds the frame as received, the id exact', () => {
		const id = '9223372036854775801';
		const item = receiverWith({ options: { includeRaw: true } }).receive(
			frameOf('bigIdWithoutExt', { newMsgId: id }).text,
		).item!;
		const raw = item.raw as { CurrentPacket: { Data: { AddMsg: { NewMsgId: unknown } } } };
		expect(raw.CurrentPacket.Data.AddMsg.NewMsgId).toBe(id);
	});
});

describe('filters', () => {
	const kinds = (parameters: TriggerParameters) => {
		const receiver = receiverWith(parameters);
		return Object.keys(SAMPLES).filter((name) => receiver.receive(frameOf(name).text).item);
	};

	it('messageKinds: empty means all; otherwise only those kinds', () => {
		expect(kinds({})).toEqual(Object.keys(SAMPLES));
		expect(kinds({ messageKinds: ['miniProgram', 'file', 'link'] })).toEqual([
			'link',
			'miniProgram',
			'file',
		]);
		expect(kinds({ messageKinds: ['system', 'image'] })).toEqual(['image', 'system']);
	});

	it('chats: private or groups', () => {
		const groups = ['groupText', 'groupTextPrefixed', 'file', 'channels', 'quote', 'system'];
		expect(kinds({ chats: 'groups' })).toEqual(groups);
		expect(kinds({ chats: 'private' })).toEqual(
			Object.keys(SAMPLES).filter((n) => !groups.includes(n)),
		);
	});

	it('groupIds: only those groups, private chats untouched', () => {
		const only = kinds({ options: { groupIds: 'other@chatroom' } });
		expect(only).not.toContain('groupText');
		expect(only).toContain('text');
		expect(kinds({ options: { groupIds: `x@chatroom, ${GROUP}` } })).toContain('groupText');
	});

	it('onlyWhenMentioned: group messages that mention the account or @all', () => {
		const only = kinds({ chats: 'groups', options: { onlyWhenMentioned: true } });
		expect(only).toEqual(['groupText', 'groupTextPrefixed']);
	});

	it('ignoreOwnMessages is on by default: what the account sent is not emitted', () => {
		const own = frameText({
			account: ACCOUNT,
			newMsgId: newId(),
			message: { fromUserName: ACCOUNT, toUserName: GROUP, content: 'sent by me' },
		});
		expect(receiverWith().receive(own).item).toBeUndefined();
		const item = receiverWith({ options: { ignoreOwnMessages: false } }).receive(own).item!;
		expect(item).toMatchObject({ fromSelf: true, chatId: GROUP, senderWxid: ACCOUNT });
	});

	it('frames for another account on the gateway are never emitted, whatever the filters', () => {
		const receiver = receiverWith({
			events: ['newMessage', 'accountOffline', 'pat'],
			options: { ignoreOwnMessages: false },
		});
		const other = frameText({
			account: OTHER_ACCOUNT,
			newMsgId: newId(),
			message: { content: 'x' },
		});
		expect(receiver.receive(other)).toEqual({});
		const offline = frameText({
			account: OTHER_ACCOUNT,
			newMsgId: newId(),
			eventName: 'ON_EVENT_ACCOUNT_OFFLINE',
		});
		expect(receiver.receive(offline)).toEqual({});
		// A build without CurrentWxid: the message must name the account.
		const noCurrent = (to: string) =>
			frameText({ account: to, newMsgId: newId(), currentWxid: null, message: { content: 'y' } });
		expect(receiver.receive(noCurrent(OTHER_ACCOUNT)).item).toBeUndefined();
		expect(receiver.receive(noCurrent(ACCOUNT)).item?.content).toBe('y');
	});

	it('events: other events only when chosen', () => {
		const pat = frameText({
			account: ACCOUNT,
			newMsgId: newId(),
			eventName: 'ON_EVENT_PAT_MSG',
			message: {
				msgType: 10002,
				content:
					'<sysmsg type="pat"><pat><fromusername>wxid_friend42</fromusername></pat></sysmsg>',
			},
		});
		expect(receiverWith().receive(pat).item).toBeUndefined();
		const item = receiverWith({ events: ['pat'] }).receive(pat).item!;
		expect(item).toMatchObject({ event: 'ON_EVENT_PAT_MSG', kind: 'system', chatId: FRIEND });
		const friendRequest = frameText({
			account: ACCOUNT,
			newMsgId: newId(),
			eventName: 'ON_EVENT_FRIEND_REQ',
			data: { Content: 'hi, add me', FromUserName: 'wxid_stranger' },
		});
		expect(receiverWith({ events: ['friendRequest'] }).receive(friendRequest).item).toEqual({
			event: 'ON_EVENT_FRIEND_REQ',
			accountWxid: ACCOUNT,
			data: { Content: 'hi, add me', FromUserName: 'wxid_stranger' },
		});
	});

	it('accountOffline: an item when chosen, a warning always', () => {
		const offline = frameText({
			account: ACCOUNT,
			newMsgId: newId(),
			eventName: 'ON_EVENT_ACCOUNT_OFFLINE',
		});
		const unchosen = receiverWith().receive(offline);
		expect(unchosen.item).toBeUndefined();
		expect(unchosen.log).toEqual({
			level: 'warn',
			message: expect.stringContaining(`${ACCOUNT} offline`),
		});
		const chosen = receiverWith({ events: ['newMessage', 'accountOffline'] }).receive(offline);
		expect(chosen.item).toMatchObject({ event: 'ON_EVENT_ACCOUNT_OFFLINE', accountWxid: ACCOUNT });
		expect(chosen.log?.level).toBe('warn');
	});

	it('bad parameters are refused naming the parameter', () => {
		expect(() => triggerFiltersFrom({ events: [] })).toThrow(/"Events" is empty/);
		expect(() => triggerFiltersFrom({ messageKinds: ['gif'] })).toThrow(/"messageKinds" has "gif"/);
		expect(() => triggerFiltersFrom({ chats: 'some' })).toThrow(/"Chats"/);
		expect(() => triggerFiltersFrom({ options: { groupIds: 'wxid_friend' } })).toThrow(
			/"Group IDs" has "wxid_friend"/,
		);
	});
});

describe('the same message once', () => {
	it('a repeated newMsgId is emitted once', () => {
		const receiver = receiverWith();
		const { text } = frameOf('text');
		expect(receiver.receive(text).item).toBeDefined();
		expect(receiver.receive(text).item).toBeUndefined();
		// the same id with and without NewMsgIdExt is the same message
		const id = '9223372036854775001';
		expect(receiver.receive(frameOf('bigIdWithExt', { newMsgId: id }).text).item).toBeDefined();
		expect(
			receiver.receive(frameOf('bigIdWithoutExt', { newMsgId: id }).text).item,
		).toBeUndefined();
	});

	it('the memory is bounded: the oldest ids are forgotten first', () => {
		const receiver = receiverWith({}, 100);
		const frames = Array.from({ length: 250 }, () => frameOf('text'));
		for (const frame of frames) expect(receiver.receive(frame.text).item).toBeDefined();
		for (const frame of frames.slice(-100))
			expect(receiver.receive(frame.text).item).toBeUndefined();
		expect(receiver.receive(frames[0].text).item).toBeDefined();
	});
});

describe('frames that are not messages', () => {
	const SECRET = 'Bearer trigger-s3cret-token';

	it('each hostile frame is skipped with a clear line, none names a secret, the next good frame arrives', () => {
		const receiver = receiverWith({}, undefined);
		for (const hostile of hostileFrames(ACCOUNT, newId)) {
			const started = performance.now();
			const reception = receiver.receive(hostile.text);
			const ms = performance.now() - started;
			expect({ what: hostile.what, item: reception.item }).toEqual({
				what: hostile.what,
				item: undefined,
			});
			if (hostile.what !== 'a command answer') {
				expect(reception.log).toEqual({
					level: 'warn',
					message: expect.stringMatching(/^WeChat Gateway Trigger: skipped /),
				});
			}
			expect(reception.log?.message ?? '').not.toContain(SECRET);
			expect(reception.log?.message.length ?? 0).toBeLessThan(600);
			expect(ms).toBeLessThan(250);
			expect(receiver.receive(frameOf('text').text).item?.kind).toBe('text');
		}
	});

	it('the XML bomb costs milliseconds and the log says why', () => {
		const bomb = hostileFrames(ACCOUNT, newId).find((f) => f.what === 'entity bomb')!;
		const started = performance.now();
		const reception = receiverWith().receive(bomb.text);
		expect(performance.now() - started).toBeLessThan(50);
		expect(reception.log?.message).toMatch(/DOCTYPE or ENTITY/);
	});

	it('a frame above the limit is not parsed at all', () => {
		const receiver = new FrameReceiver(ACCOUNT, triggerFiltersFrom({}), { maxFrameChars: 1000 });
		const big = frameText({
			account: ACCOUNT,
			newMsgId: newId(),
			message: { content: 'x'.repeat(2000) },
		});
		expect(receiver.receive(big).log?.message).toMatch(/above the limit of 1000/);
	});

	it('a command answer (no CurrentPacket) is ignored quietly', () => {
		const reception = receiverWith().receive('{"CgiBaseResponse":{"Ret":0},"ReqId":1}');
		expect(reception).toEqual({
			log: { level: 'debug', message: expect.stringMatching(/no CurrentPacket/) },
		});
	});
});
