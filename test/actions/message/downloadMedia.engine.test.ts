/**
 * Download Media through n8n's real engine against the simulator: a voice message is written by
 * the gateway into the Media Download Folder (the exact /v2/cdndownload body checked) and read
 * back from the Media Download URL, byte for byte; a sticker comes from its cdnurl, and a cdnurl
 * that points at the n8n host's own network is refused with nothing fetched; what cannot be
 * downloaded says why, naming the item.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { readSilk } from '../../../nodes/WeChatGateway/media/silk';
import { pitchHz, readWav, silkCodec, toneSilk } from '../../support/voice';
import { bodies, mediaBytes, mediaXml, runMedia, SENDER, useMediaGateway } from './mediaRun';

const sim = useMediaGateway();
const download = { operation: 'downloadMedia' };
const credentialsFor = (extra: IDataObject = {}) => ({
	baseUrl: sim.gateway.url,
	wxid: SENDER,
	timeout: 10,
	mediaDownloadFolder: sim.gateway.mediaFolder,
	mediaDownloadUrl: sim.gateway.mediaUrl,
	allowPrivateMediaUrls: true,
	...extra,
});
/** The trigger's item for a pushed message, as Download Media's defaults map it. */
const triggerItem = (
	pushed: { content?: string; msgId?: number; newMsgId?: string },
	msgType: number,
) => ({
	messageXml: pushed.content,
	msgType,
	msgId: String(pushed.msgId),
	newMsgId: pushed.newMsgId,
	chatId: 'wxid_friend42',
});

describe('a voice message', () => {
	test('the gateway writes it into the Media Download Folder and n8n reads exactly its SILK bytes', async () => {
		const pushed = sim.gateway.push('voice', { account: SENDER, frames: 60 });
		const { items, error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor(),
			items: [triggerItem(pushed, 34)],
		});
		expect(error).toBeUndefined();
		const [body] = bodies(sim.gateway);
		expect(body).toEqual({
			CgiCmd: 0,
			CgiRequest: {
				VoiceXml: pushed.content,
				FileName: expect.any(String),
				FileType: 128,
				MsgId: pushed.msgId,
			},
		});
		const fileName = String(body.CgiRequest.FileName);
		expect(path.dirname(fileName)).toBe(sim.gateway.mediaFolder);
		expect(path.basename(fileName)).toMatch(/^wechat-voice-\d+-[0-9a-f]{8}\.silk$/);
		expect(sim.gateway.calls[0].query).toEqual({
			funcname: 'MagicCgi',
			timeout: '10',
			wxid: SENDER,
		});
		expect(sim.gateway.downloads).toEqual([
			expect.objectContaining({ fileName, msgId: String(pushed.msgId), written: true }),
		]);
		const [item] = items;
		expect(item.json).toEqual({
			...triggerItem(pushed, 34),
			downloaded: {
				kind: 'voice',
				fileName: `${pushed.newMsgId}.silk`,
				mimeType: 'audio/silk',
				fileSize: pushed.bytes!.length,
				durationMs: 1200,
			},
		});
		expect(item.binary?.data).toMatchObject({
			fileName: `${pushed.newMsgId}.silk`,
			mimeType: 'audio/silk',
		});
		expect(Buffer.from(String(item.binary!.data.data), 'base64').equals(pushed.bytes!)).toBe(true);
	});

	test('the kind is read from the XML when Message Type is empty, and the bytes go where asked', async () => {
		const pushed = sim.gateway.push('voice', { account: SENDER });
		const { items, error } = await runMedia(
			sim.gateway,
			{ ...download, msgType: '', binaryPropertyName: 'audio' },
			{ credentials: credentialsFor(), items: [triggerItem(pushed, 34)] },
		);
		expect(error).toBeUndefined();
		expect(Buffer.from(String(items[0].binary!.audio.data), 'base64').equals(pushed.bytes!)).toBe(
			true,
		);
	});

	test('Voice Format WAV: the same sound as 24 kHz mono WAV, named .wav, with its length', async () => {
		const silk = await toneSilk(2, 440);
		const pushed = sim.gateway.push('voice', { account: SENDER, silk });
		const { items, error } = await runMedia(
			sim.gateway,
			{ ...download, voiceFormat: 'wav' },
			{ credentials: credentialsFor(), items: [triggerItem(pushed, 34)] },
		);
		expect(error).toBeUndefined();
		const wavBytes = Buffer.from(String(items[0].binary!.data.data), 'base64');
		expect(items[0].json.downloaded).toEqual({
			kind: 'voice',
			fileName: `${pushed.newMsgId}.wav`,
			mimeType: 'audio/wav',
			fileSize: wavBytes.length,
			durationMs: readSilk(silk, 'silk').durationMs,
		});
		expect(items[0].binary!.data).toMatchObject({ mimeType: 'audio/wav' });
		const wav = readWav(wavBytes);
		expect(wav).toMatchObject({ format: 1, channels: 1, sampleRate: 24_000, bitsPerSample: 16 });
		expect(wav.pcm.equals(await silkCodec('decode', silk, 24_000))).toBe(true);
		expect(Math.round(pitchHz(wav.pcm, 24_000) / 10) * 10).toBe(440);
	});

	test('a Voice Format that is neither silk nor wav is an error naming the field and the item', async () => {
		const pushed = sim.gateway.push('voice', { account: SENDER });
		const { error } = await runMedia(
			sim.gateway,
			{ ...download, voiceFormat: 'mp3' },
			{ credentials: credentialsFor(), items: [triggerItem(pushed, 34)] },
		);
		expect(error?.message).toMatch(/"Voice Format" must be silk or wav, got "mp3".*\(item 0\)$/);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test('both media fields empty: an error that explains them, and nothing is asked of the gateway', async () => {
		const pushed = sim.gateway.push('voice', { account: SENDER });
		const { error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor({ mediaDownloadFolder: '', mediaDownloadUrl: '' }),
			items: [triggerItem(pushed, 34)],
		});
		expect(error?.message).toMatch(
			/"Media Download Folder" and "Media Download URL" are empty\. A voice message is downloaded by the gateway into a file on its own host/,
		);
		expect(error?.description).toMatch(/fix "Media Download Folder"/);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test('the gateway says Ret 0 but no file appears: a clear error naming the item', async () => {
		const pushed = sim.gateway.push('voice', { account: SENDER });
		sim.gateway.addFault({ action: 'noFile', route: 'cdndownload' });
		const { error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor(),
			items: [triggerItem(pushed, 34)],
		});
		expect(error?.message).toMatch(
			/The gateway answered the voice download, but no file appeared at "Media Download URL" \(.*\.silk\) within 3 s.*\(item 0\)$/,
		);
		expect(sim.gateway.downloads).toEqual([expect.objectContaining({ written: false })]);
	});

	test("a refused download is the gateway's refusal; with Continue On Fail the item says so", async () => {
		sim.gateway.addFault({ action: 'ret', ret: -1, route: 'cdndownload' });
		const { items, error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor(),
			continueOnFail: true,
			items: [triggerItem(sim.gateway.push('voice', { account: SENDER }), 34)],
		});
		expect(error).toBeUndefined();
		expect(items[0].json.error).toMatch(/WeChat refused the download: Ret -1.*\(item 0\)/);
		expect(items[0].binary).toBeUndefined();
	});
});

describe('a sticker', () => {
	test('comes from its cdnurl as the GIF it is, with no gateway call', async () => {
		const pushed = sim.gateway.push('emoji', { account: SENDER });
		const { items, error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor(),
			items: [triggerItem(pushed, 47)],
		});
		expect(error).toBeUndefined();
		expect(sim.gateway.calls).toHaveLength(0);
		expect(items[0].json.downloaded).toEqual({
			kind: 'emoji',
			fileName: `${pushed.newMsgId}.gif`,
			mimeType: 'image/gif',
			fileSize: mediaBytes.STICKER_GIF.length,
		});
		expect(Buffer.from(String(items[0].binary!.data.data), 'base64').equals(pushed.bytes!)).toBe(
			true,
		);
	});

	test('a cdnurl that answers 404 is an error naming the field and the host', async () => {
		const pushed = sim.gateway.push('emoji', { account: SENDER });
		sim.gateway.addFault({ action: 'http', status: 404, route: 'sticker' });
		const { error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor(),
			items: [triggerItem(pushed, 47)],
		});
		expect(error?.message).toMatch(/"cdnUrl" answered HTTP 404 from 127\.0\.0\.1:\d+ \(item 0\)/);
	});

	describe('whose cdnurl points at the n8n host or its network is refused, nothing fetched', () => {
		let counting: Server;
		let port: number;
		let connections = 0;
		beforeAll(async () => {
			counting = createServer((_req, res) => res.end(mediaBytes.STICKER_GIF));
			counting.on('connection', () => connections++);
			await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
			port = (counting.address() as AddressInfo).port;
		});
		afterAll(async () => new Promise((resolve) => counting.close(resolve)));

		test.each([
			['loopback', () => `http://127.0.0.1:${port}/s.gif`, /host 127\.0\.0\.1 is loopback/],
			[
				'a name resolving to loopback',
				() => `http://localhost:${port}/s.gif`,
				/host localhost resolves to (127\.0\.0\.1|::1), which is loopback/,
			],
			['a private range', () => 'http://10.1.2.3/s.gif', /host 10\.1\.2\.3 is a private network/],
			[
				'the metadata address',
				() => 'http://169.254.169.254/latest/meta-data/',
				/host 169\.254\.169\.254 is/,
			],
		])('%s', async (_name, url, reason) => {
			const before = connections;
			const xml = mediaXml
				.emojiXml({
					md5: mediaBytes.md5(mediaBytes.STICKER_GIF),
					length: mediaBytes.STICKER_GIF.length,
					baseUrl: 'http://unused',
					from: 'wxid_friend42',
					to: SENDER,
				})
				.replace(/cdnurl="[^"]*"/, `cdnurl="${url().replace(/&/g, '&amp;')}"`);
			const { error } = await runMedia(sim.gateway, download, {
				credentials: credentialsFor({ allowPrivateMediaUrls: false }),
				items: [{ messageXml: xml, msgType: 47, newMsgId: '1' }],
			});
			expect(error?.message).toMatch(reason);
			expect(error?.message).toMatch(/nothing was fetched.*"Allow Private Media URLs"/);
			expect(connections).toBe(before);
		});
	});
});

describe('what cannot be downloaded says why, and nothing is fetched', () => {
	test.each([
		[
			'a picture',
			3,
			'image',
			/Downloading a picture is not supported: the gateway's download call for this kind is not publicly known/,
		],
		['a video', 43, 'video', /Downloading a video is not supported/],
	])('%s', async (_name, msgType, kind, message) => {
		const pushed = sim.gateway.push(kind as 'image' | 'video', { account: SENDER });
		const { error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor(),
			items: [triggerItem(pushed, msgType)],
		});
		expect(error?.message).toMatch(message);
		expect(error?.message).toMatch(/\(item 0\)$/);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test.each([
		[
			'a text (Message Type 1)',
			{ messageXml: '<msg><voicemsg length="1"/></msg>', msgType: 1 },
			/"Message Type" is 1, not a media message: voice messages \(34\) and stickers \(47\) download/,
		],
		[
			'an app message, its kind read from the XML',
			{ messageXml: '<msg><appmsg><title>report.pdf</title><type>6</type></appmsg></msg>' },
			/Downloading a file \(or another app message\) is not supported: the gateway's download call for this kind is not publicly known/,
		],
	])('%s', async (_name, item, message) => {
		const { error } = await runMedia(sim.gateway, download, {
			credentials: credentialsFor(),
			items: [item],
		});
		expect(error?.message).toMatch(message);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test.each([
		[
			'a DOCTYPE',
			`<!DOCTYPE msg [<!ENTITY x "y">]><msg><emoji md5="a" cdnurl="http://a/b"/></msg>`,
			/DOCTYPE/i,
		],
		[
			'a 1 MB attribute',
			`<msg><emoji md5="a" cdnurl="http://a/${'x'.repeat(1024 * 1024)}"/></msg>`,
			/"messageXml" is \d+ characters long/,
		],
	])(
		'hostile sticker XML (%s) is refused before anything is fetched',
		async (_name, xml, reason) => {
			const { error } = await runMedia(sim.gateway, download, {
				credentials: credentialsFor(),
				items: [{ messageXml: xml, msgType: 47 }],
			});
			expect(error?.message).toMatch(reason);
			expect(sim.gateway.calls).toHaveLength(0);
		},
	);
});
