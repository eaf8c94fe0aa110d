/**
 * The trigger's events and media kinds come with named fields: frames pushed in the real
 * gateway's format on the simulator's /ws, received by an activated trigger over a real
 * WebSocket, each item checked field by field.
 */
import type { IDataObject } from 'n8n-workflow';

import { startMediaSimulator, type FrameKind, type MediaSimulator } from '../simulator/api';
import { waitUntil, type SimulatedGatewaySocket } from '../support/gatewaySocket';
import { activateOnSimulator, type ActiveTrigger, type Emitted } from './onSimulator';

const ACCOUNT = 'wxid_fields_bot';
const GROUP = '6949093048@chatroom';
const MEMBER = 'wxid_member7';
const ALL_EVENTS = [
	'newMessage',
	'pat',
	'friendRequest',
	'contactChange',
	'groupInvite',
	'accountOffline',
];
jest.setTimeout(60_000);

let sim: MediaSimulator;
const socket = () => (sim as unknown as { ws: SimulatedGatewaySocket }).ws;
let trigger: ActiveTrigger;
let emitted: Emitted[];
let logs: string[];

beforeAll(async () => {
	sim = await startMediaSimulator({ accounts: [ACCOUNT] });
});
afterAll(async () => await sim?.close());

beforeEach(async () => {
	sim.reset();
	trigger = await activateOnSimulator(
		sim,
		{ baseUrl: sim.url, wxid: ACCOUNT },
		{ events: ALL_EVENTS },
	);
	({ emitted, logs } = trigger);
});
afterEach(async () => await trigger.close());

const received = (kind: FrameKind, spec: Record<string, unknown> = {}) =>
	trigger.received(kind, spec);

describe('events', () => {
	test('pat: who patted whom, in which chat, and whether it was the account', async () => {
		const { item } = await received('pat');
		expect(item).toMatchObject({
			event: 'ON_EVENT_PAT_MSG',
			accountWxid: ACCOUNT,
			chatId: GROUP,
			patterWxid: MEMBER,
			pattedWxid: ACCOUNT,
			patsMe: true,
			template: `"\${${MEMBER}}" 拍了拍我`,
		});
		const other = await received('pat', { patted: 'wxid_lin99' });
		expect(other.item).toMatchObject({ pattedWxid: 'wxid_lin99', patsMe: false });
	});

	test('contactChange: the contact as given, one item for a change the gateway sends three times', async () => {
		const pushed = sim.push('contactChange', { changes: { NickName: 'Renamed' }, times: 3 });
		expect(pushed.reached).toBe(1);
		await waitUntil('the change', () => emitted.length >= 1);
		// The three frames were written together; give a late repeat time to show.
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(emitted).toHaveLength(1);
		const { contact } = emitted[0].json as { contact: IDataObject };
		expect(emitted[0].json.event).toBe('ON_EVENT_CONTACT_CHANGE');
		expect(contact).toMatchObject({ UserName: 'wxid_friend42', NickName: 'Renamed' });
		// A different change is a new item.
		sim.push('contactChange', { changes: { NickName: 'Renamed again' }, times: 2 });
		await waitUntil('the second change', () => emitted.length >= 2);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(emitted).toHaveLength(2);
	});

	test('groupInvite: the group, who invited and who was invited', async () => {
		const { item } = await received('groupInvite');
		expect(item).toMatchObject({
			event: 'ON_EVENT_CHATROOM_INVITE_OTHER',
			groupId: GROUP,
			inviterWxid: MEMBER,
			inviterName: 'Mei',
			invitedWxid: 'wxid_newbie5',
			invitedName: 'Newbie',
		});
	});

	test("friendRequest: the request's fields and its XML", async () => {
		const { item, pushed } = await received('friendRequest', { fromName: 'Ann', scene: 30 });
		expect(item).toMatchObject({
			event: 'ON_EVENT_FRIEND_REQ',
			fromWxid: 'wxid_stranger8',
			fromName: 'Ann',
			content: '我是群聊"Simulated group"的Stranger',
			scene: 30,
			ticket: pushed.ticket,
			requestXml: pushed.content,
		});
	});

	test('friendRequest with hostile XML: the event still comes, without those fields, with a warning', async () => {
		const before = emitted.length;
		socket().inject({
			account: ACCOUNT,
			eventName: 'ON_EVENT_FRIEND_REQ',
			message: {
				msgType: 37,
				fromUserName: 'fmessage',
				content: '<!DOCTYPE msg [<!ENTITY x "y">]><msg fromusername="wxid_evil01" />',
			},
		});
		const { json } = await waitUntil('the request', () => emitted[before]);
		expect(json.event).toBe('ON_EVENT_FRIEND_REQ');
		expect(json).not.toHaveProperty('fromWxid');
		expect(json).not.toHaveProperty('requestXml');
		expect(logs.some((line) => line.startsWith('warn') && /request XML/.test(line))).toBe(true);
	});

	test('accountOffline: when the trigger heard of it', async () => {
		const before = Date.now();
		const { item } = await received('accountOffline');
		expect(item.event).toBe('ON_EVENT_ACCOUNT_OFFLINE');
		const at = Date.parse(item.at as string);
		expect(item.at).toBe(new Date(at).toISOString());
		expect(at).toBeGreaterThanOrEqual(before - 1000);
	});
});

describe('a system notice', () => {
	test.each([
		['an invitation', 'invite'],
		['a QR code', 'qr'],
	])('a member joining by %s is a system message naming them', async (_label, form) => {
		const { item } = await received('groupJoin', { form, joinedName: 'Lin' });
		expect(item).toMatchObject({
			event: 'ON_EVENT_MSG_NEW',
			kind: 'system',
			chatId: GROUP,
			joined: [{ name: 'Lin' }],
		});
	});
});

describe('media kinds', () => {
	test('image: its fields, its XML, and the ImgBuf thumbnail as binary "thumbnail", byte for byte', async () => {
		const { item, binary, pushed } = await received('image');
		expect(item.kind).toBe('image');
		expect(item.messageXml).toBe(pushed.content);
		expect(item.image).toEqual({
			md5: expect.stringMatching(/^[0-9a-f]{32}$/),
			length: expect.any(Number),
			hdLength: expect.any(Number),
			aesKey: expect.any(String),
			cdnThumbUrl: expect.any(String),
			cdnMidImgUrl: expect.any(String),
			cdnBigImgUrl: expect.any(String),
			thumbWidth: expect.any(Number),
			thumbHeight: expect.any(Number),
		});
		expect(Buffer.from(binary!.thumbnail.data, 'base64').equals(pushed.thumbnail!)).toBe(true);
		expect(binary!.thumbnail.mimeType).toBe('image/png');
		expect(JSON.stringify(item)).not.toContain('thumbnail');
	});

	test('image without ImgBuf: no thumbnail, the fields all the same', async () => {
		const { item, binary } = await received('image', { thumbnail: false });
		expect(item.image).toHaveProperty('md5');
		expect(binary).toBeUndefined();
	});

	test('voice: duration in milliseconds from the frames, length of the SILK bytes', async () => {
		const { item, pushed } = await received('voice', { frames: 150 });
		expect(item.voice).toMatchObject({ durationMs: 3000, length: pushed.bytes!.length });
		expect(item.messageXml).toBe(pushed.content);
	});

	test.each([
		['video', { seconds: 9 }, { durationSec: 9, length: 1048576 }],
		['emoji', {}, { width: expect.any(Number) }],
		[
			'location',
			{ poiName: 'Tower' },
			{ latitude: 22.540503, longitude: 113.934528, poiName: 'Tower', scale: 15 },
		],
		['contactCard', {}, { wxid: 'wxid_lin99', nickname: 'Lin', alias: 'lin_99' }],
	] as const)('%s: an object named after the kind', async (kind, spec, fields) => {
		const { item, pushed } = await received(kind, spec);
		expect(item.kind).toBe(kind);
		expect(item[kind]).toMatchObject(fields);
		expect(item.messageXml).toBe(pushed.content);
	});

	test('emoji: md5, size and the CDN URL it can be fetched from', async () => {
		const { item, pushed } = await received('emoji');
		expect(item.emoji).toMatchObject({
			md5: pushed.md5,
			size: pushed.bytes!.length,
			cdnUrl: pushed.cdnUrl,
		});
	});

	test.each([
		['a DOCTYPE', '<!DOCTYPE msg><msg><img md5="abc" /></msg>'],
		['no <img> at all', '<msg><voicemsg length="3" /></msg>'],
		['a 200 KB attribute', `<msg><img md5="${'a'.repeat(200 * 1024)}" /></msg>`],
	])('image XML with %s: the item still comes, with mediaError', async (_label, content) => {
		const before = emitted.length;
		socket().inject({ account: ACCOUNT, message: { msgType: 3, content } });
		const { json } = await waitUntil('the image', () => emitted[before]);
		expect(json.kind).toBe('image');
		expect(json.mediaError).toEqual(expect.stringContaining('image XML was refused'));
		expect(json).not.toHaveProperty('image');
		expect(logs.some((line) => line.startsWith('warn') && /image XML/.test(line))).toBe(true);
	});
});
