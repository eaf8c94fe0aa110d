/**
 * Send Image (cgi 110) through n8n's real engine against the simulator: a picture from n8n binary
 * data arrives as plain base64 of exactly its bytes, a URL and a received picture's XML as given;
 * anything that is not a picture WeChat shows is refused by its bytes, naming the item and the
 * property, and nothing is sent.
 */
import { MAX_IMAGE_BYTES } from '../../../nodes/WeChatGateway/media/imageType';
import {
	accepted,
	bodies,
	GROUP,
	mediaBytes,
	mediaXml,
	FAST,
	runMedia,
	useFileServer,
	useMediaGateway,
	type File,
} from './mediaRun';

const FRIEND = 'wxid_friend42';
/** A real 40×30 PNG: a gradient, compressed by zlib. */
const CHART = mediaBytes.png(40, 30, (x, y) => [x * 6, y * 8, (x * y) % 256]);
const served = useFileServer({ '/chart.png': CHART });
const sim = useMediaGateway();

const fromBinary = { operation: 'sendImage', toUserName: '={{ $json.to }}' };
const png = (data: Buffer, fileName = 'chart.png'): File => ({
	data,
	fileName,
	mimeType: 'image/png',
});

describe('from binary data', () => {
	test('the exact bytes of the PNG arrive as plain base64 in ImageBase64; the exact ids come out', async () => {
		const { items, error } = await runMedia(sim.gateway, fromBinary, {
			items: [{ to: FRIEND }],
			binaries: [{ data: png(CHART) }],
		});
		expect(error).toBeUndefined();
		const [body] = bodies(sim.gateway);
		expect(Object.keys(body.CgiRequest)).toEqual(['ToUserName', 'ImageBase64']);
		expect(body).toEqual({
			CgiCmd: 110,
			CgiRequest: { ToUserName: FRIEND, ImageBase64: expect.any(String) },
		});
		const sent = String(body.CgiRequest.ImageBase64);
		expect(sent).not.toMatch(/^data:/);
		expect(Buffer.from(sent, 'base64').equals(CHART)).toBe(true);
		const [message] = accepted(sim.gateway);
		expect(message).toMatchObject({ imageSource: 'base64', imageKind: 'png' });
		expect(items.map((item) => item.json)).toEqual([
			{
				ToUserName: FRIEND,
				NewMsgId: message.newMsgId,
				MsgId: String(1_000_000 + Number(message.callNumber)),
				Ret: 0,
				ErrMsg: '',
				MsgType: 3,
			},
		]);
		expect(BigInt(String(items[0].json.NewMsgId))).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
	});

	test('a GIF from another property, to two chats: the same bytes to each, one output item each', async () => {
		const { items, error } = await runMedia(
			sim.gateway,
			{ ...fromBinary, binaryPropertyName: 'sticker' },
			{
				items: [{ to: `${FRIEND}, ${GROUP}` }],
				binaries: [{ sticker: { data: mediaBytes.STICKER_GIF, mimeType: 'image/gif' } }],
			},
		);
		expect(error).toBeUndefined();
		const sent = bodies(sim.gateway);
		expect(sent.map((body) => body.CgiRequest.ToUserName)).toEqual([FRIEND, GROUP]);
		for (const body of sent)
			expect(Buffer.from(String(body.CgiRequest.ImageBase64), 'base64')).toEqual(
				mediaBytes.STICKER_GIF,
			);
		expect(items.map((item) => [item.json.ToUserName, item.pairedItem])).toEqual([
			[FRIEND, { item: 0 }],
			[GROUP, { item: 0 }],
		]);
	});

	test("n8n's Retry On Fail after a refusal: the chat that has the picture does not get it again", async () => {
		sim.gateway.addFault({ action: 'ret', ret: -1, nth: 2, times: 1 });
		const { items, error } = await runMedia(
			sim.gateway,
			{ ...fromBinary, options: { ...FAST, retries: 0 } },
			{
				items: [{ to: `${FRIEND}, ${GROUP}` }],
				binaries: [{ data: png(CHART) }],
				retryOnFail: { maxTries: 2, waitBetweenTries: 1 },
			},
		);
		expect(error).toBeUndefined();
		// The node never retries a refusal itself (and Retries is 0): the third call is n8n's Retry On Fail.
		expect(
			sim.gateway.calls.map((call) => [JSON.parse(call.body).CgiRequest.ToUserName, call.ret]),
		).toEqual([
			[FRIEND, 0],
			[GROUP, -1],
			[GROUP, 0],
		]);
		expect(items.map((item) => item.json.ToUserName)).toEqual([FRIEND, GROUP]);
	});

	test('the same picture again within Skip Duplicates Within is not sent twice', async () => {
		const run = () =>
			runMedia(
				sim.gateway,
				{ ...fromBinary, options: { messageInterval: 0, skipDuplicatesWithin: 10 } },
				{ items: [{ to: FRIEND }], binaries: [{ data: png(CHART) }] },
			);
		const first = await run();
		const second = await run();
		expect([first.error, second.error]).toEqual([undefined, undefined]);
		expect(sim.gateway.calls).toHaveLength(1);
		expect(second.items[0].json).toMatchObject({
			skippedDuplicate: true,
			NewMsgId: first.items[0].json.NewMsgId,
		});
	});
});

describe('refused by the bytes, naming the item and the property; nothing is sent', () => {
	const refusals: Array<[string, File, RegExp]> = [
		[
			'a text file named .png with an image mime type',
			png(Buffer.from('quarterly numbers, not a picture\n'), 'numbers.png'),
			/Binary property "data" is not a PNG, JPEG, GIF, WebP or BMP picture.*\(item 1\)/,
		],
		[
			'a PNG one byte over the limit',
			png(Buffer.concat([CHART, Buffer.alloc(MAX_IMAGE_BYTES + 1 - CHART.length)])),
			new RegExp(
				`Binary property "data" holds ${MAX_IMAGE_BYTES + 1} bytes; a picture may have at most ${MAX_IMAGE_BYTES}.*\\(item 1\\)`,
			),
		],
		['an empty file', png(Buffer.alloc(0)), /Binary property "data" is empty.*\(item 1\)/],
	];
	test.each(refusals)('%s', async (_name, file, message) => {
		const { items, error } = await runMedia(sim.gateway, fromBinary, {
			items: [{ to: FRIEND }, { to: GROUP }],
			binaries: [{ data: png(CHART) }, { data: file }],
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(bodies(sim.gateway).map((body) => body.CgiRequest.ToUserName)).toEqual([FRIEND]);
		expect(items[1].json.error).toMatch(message);
	});

	test('an item without the binary property: the error names it and what the item has', async () => {
		const { error } = await runMedia(sim.gateway, fromBinary, {
			items: [{ to: FRIEND }],
			binaries: [{ attachment: png(CHART) }],
		});
		expect(error?.message).toBe(
			'The item has no binary property "data" (it has "attachment"); set "Input Binary Field" to the property that holds the file (item 0)',
		);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test('an item without any binary data', async () => {
		const { error } = await runMedia(sim.gateway, fromBinary, { items: [{ to: FRIEND }] });
		expect(error?.message).toMatch(/no binary property "data" \(it has no binary data\).*item 0/);
		expect(sim.gateway.calls).toHaveLength(0);
	});
});

describe('from a URL', () => {
	test('an http URL goes to the gateway as ImageUrl, which fetches it', async () => {
		const imageUrl = `${served.url}/chart.png`;
		const { items, error } = await runMedia(sim.gateway, {
			operation: 'sendImage',
			toUserName: FRIEND,
			imageSource: 'url',
			imageUrl,
		});
		expect(error).toBeUndefined();
		expect(bodies(sim.gateway)).toEqual([
			{ CgiCmd: 110, CgiRequest: { ToUserName: FRIEND, ImageUrl: imageUrl } },
		]);
		expect(accepted(sim.gateway)[0]).toMatchObject({
			imageSource: 'url',
			imageMd5: mediaBytes.md5(CHART),
		});
		expect(items[0].json).toMatchObject({ ToUserName: FRIEND, MsgType: 3 });
	});

	test.each([
		['a data: URL', `data:image/png;base64,${CHART.toString('base64')}`],
		['an ftp:// URL', 'ftp://files.example.com/chart.png'],
		['no URL at all', 'chart.png'],
	])('%s is refused and nothing is sent', async (_name, imageUrl) => {
		const { error } = await runMedia(sim.gateway, {
			operation: 'sendImage',
			toUserName: FRIEND,
			imageSource: 'url',
			imageUrl,
		});
		expect(error?.message).toMatch(
			/^"Image URL" must be an http:\/\/ or https:\/\/ URL.*\(item 0\)$/,
		);
		expect(sim.gateway.calls).toHaveLength(0);
	});
});

describe("from a received picture's XML", () => {
	const received = mediaXml.imageXml(CHART, 77);

	test('the XML of the image frame is sent as ImageXml; a group speaker line is left out', async () => {
		const { items, error } = await runMedia(
			sim.gateway,
			{
				operation: 'sendImage',
				toUserName: GROUP,
				imageSource: 'xml',
				messageXml: '={{ $json.messageXml }}',
				options: { messageInterval: 0, includeXml: true },
			},
			{ items: [{ messageXml: received }, { messageXml: `wxid_member7:\n${received}` }] },
		);
		expect(error).toBeUndefined();
		expect(bodies(sim.gateway)).toEqual([
			{ CgiCmd: 110, CgiRequest: { ToUserName: GROUP, ImageXml: received.trim() } },
			{ CgiCmd: 110, CgiRequest: { ToUserName: GROUP, ImageXml: received.trim() } },
		]);
		expect(accepted(sim.gateway)[0]).toMatchObject({ imageSource: 'xml' });
		expect(items[0].json).toMatchObject({ MsgType: 3, ImageXml: received.trim() });
	});

	test.each([
		[
			'a DOCTYPE',
			`<?xml version="1.0"?><!DOCTYPE msg [<!ENTITY x "y">]><msg><img aeskey="k" cdnmidimgurl="u"/></msg>`,
			/"Message XML".*(DOCTYPE|entity)/i,
		],
		[
			'a 1 MB attribute',
			`<msg><img aeskey="${'a'.repeat(1024 * 1024)}" cdnmidimgurl="u"/></msg>`,
			/"Message XML" is \d+ characters long/,
		],
		[
			'a sticker instead of a picture',
			'<msg><emoji md5="0123456789abcdef0123456789abcdef" len="10"></emoji></msg>',
			/"Message XML" is not the XML of a received image message/,
		],
		[
			'a picture without its CDN key',
			'<msg><img md5="0123456789abcdef0123456789abcdef" length="10"/></msg>',
			/"Message XML" is a picture without its aeskey or CDN URL/,
		],
	])('%s is refused and nothing is sent', async (_name, messageXml, message) => {
		const { error } = await runMedia(sim.gateway, {
			operation: 'sendImage',
			toUserName: GROUP,
			imageSource: 'xml',
			messageXml,
		});
		expect(error?.message).toMatch(message);
		expect(error?.message).toMatch(/\(item 0\)$/);
		expect(sim.gateway.calls).toHaveLength(0);
	});
});
