/**
 * The trigger's "Download Media" option: frames pushed in the real gateway's format on the
 * simulator's /ws reach an activated trigger over a real WebSocket; a voice message's and a
 * sticker's bytes arrive as binary `data`, byte for byte, and a download that fails never loses
 * the message: it comes with `downloadError` and a warning in n8n's log.
 */
import type { IBinaryData, IDataObject } from 'n8n-workflow';

import { startMediaSimulator, type FrameKind, type MediaSimulator } from '../simulator/api';
import { pitchHz, readWav, toneSilk } from '../support/voice';
import { activateOnSimulator, type ActiveTrigger } from './onSimulator';

const ACCOUNT = 'wxid_download_bot';
jest.setTimeout(60_000);

let sim: MediaSimulator;
let trigger: ActiveTrigger | undefined;
let logs: string[];

beforeAll(async () => {
	sim = await startMediaSimulator({ accounts: [ACCOUNT] });
});
afterAll(async () => await sim?.close());
beforeEach(() => sim.reset());
afterEach(async () => {
	await trigger?.close();
	trigger = undefined;
});

/** Activates the trigger with these options and credential fields on top of the simulator's. */
async function activate(options: IDataObject, credentials: IDataObject = {}) {
	trigger = await activateOnSimulator(
		sim,
		{
			baseUrl: sim.url,
			wxid: ACCOUNT,
			mediaDownloadFolder: sim.mediaFolder,
			mediaDownloadUrl: sim.mediaUrl,
			allowPrivateMediaUrls: true,
			...credentials,
		},
		{ options },
	);
	logs = trigger.logs;
}

const received = (kind: FrameKind, spec: Record<string, unknown> = {}) =>
	trigger!.received(kind, spec);

const bytesOf = (binary: IBinaryData | undefined) => Buffer.from(String(binary?.data), 'base64');

describe('with Download Media on', () => {
	beforeEach(async () => activate({ downloadMedia: true }));

	test('a voice message comes with its SILK bytes as binary "data", written by the gateway and read back', async () => {
		const { pushed, item, binary } = await received('voice', { frames: 80 });
		expect(bytesOf(binary?.data).equals(pushed.bytes!)).toBe(true);
		expect(binary?.data).toMatchObject({
			fileName: `${pushed.newMsgId}.silk`,
			mimeType: 'audio/silk',
		});
		expect(item).toMatchObject({ kind: 'voice', newMsgId: pushed.newMsgId });
		expect(item.downloadError).toBeUndefined();
		expect(sim.downloads).toEqual([
			expect.objectContaining({ msgId: String(pushed.msgId), written: true }),
		]);
	});

	test('a sticker comes with its GIF as binary "data"', async () => {
		const { pushed, binary } = await received('emoji');
		expect(bytesOf(binary?.data).equals(pushed.bytes!)).toBe(true);
		expect(binary?.data).toMatchObject({ mimeType: 'image/gif' });
	});

	test('an image keeps its thumbnail and gets no "data" (no public download call)', async () => {
		const { pushed, item, binary } = await received('image');
		expect(Object.keys(binary ?? {})).toEqual(['thumbnail']);
		expect(bytesOf(binary?.thumbnail).equals(pushed.thumbnail!)).toBe(true);
		expect(item.downloadError).toBeUndefined();
	});

	test('a download that fails still brings the message, with downloadError and a warning', async () => {
		sim.addFault({ action: 'ret', ret: -1, route: 'cdndownload' });
		const { pushed, item, binary } = await received('voice');
		expect(binary).toBeUndefined();
		expect(item).toMatchObject({
			kind: 'voice',
			newMsgId: pushed.newMsgId,
			messageXml: pushed.content,
		});
		expect(item.downloadError).toMatch(/WeChat refused the download: Ret -1/);
		expect(logs).toContainEqual(
			expect.stringMatching(
				new RegExp(
					`^warn WeChat Gateway Trigger: voice ${pushed.newMsgId} comes without its bytes: WeChat refused the download`,
				),
			),
		);
	});
});

describe('with Download Media on and Voice Format WAV', () => {
	beforeEach(async () => activate({ downloadMedia: true, voiceFormat: 'wav' }));

	test('a voice message comes as 24 kHz mono WAV of the same sound', async () => {
		const silk = await toneSilk(1.5, 330);
		const { pushed, item, binary } = await received('voice', { silk });
		expect(binary?.data).toMatchObject({
			fileName: `${pushed.newMsgId}.wav`,
			mimeType: 'audio/wav',
		});
		const wav = readWav(bytesOf(binary?.data));
		expect(wav).toMatchObject({ format: 1, channels: 1, sampleRate: 24_000, bitsPerSample: 16 });
		expect(wav.pcm.length / 2 / 24_000).toBeCloseTo(1.5, 1);
		expect(Math.round(pitchHz(wav.pcm, 24_000) / 10) * 10).toBe(330);
		expect(item.downloadError).toBeUndefined();
	});

	test('a sticker is not affected', async () => {
		const { pushed, binary } = await received('emoji');
		expect(bytesOf(binary?.data).equals(pushed.bytes!)).toBe(true);
		expect(binary?.data).toMatchObject({ mimeType: 'image/gif' });
	});

	test('audio the decoder refuses still brings the message, with downloadError', async () => {
		const frame = Buffer.alloc(2 + 65_000, 7);
		frame.writeUInt16LE(65_000, 0);
		const silk = Buffer.concat([Buffer.from('\x02#!SILK_V3', 'latin1'), frame]);
		const { item, binary } = await received('voice', { silk });
		expect(binary).toBeUndefined();
		expect(item.kind).toBe('voice');
		expect(item.downloadError).toMatch(
			/^The voice message's SILK audio could not be decoded \(.+\); take it as SILK instead$/,
		);
	});
});

test('a sticker whose cdnurl is private, with Allow Private Media URLs off: refused, the message still comes', async () => {
	await activate({ downloadMedia: true }, { allowPrivateMediaUrls: false });
	const { item, binary } = await received('emoji');
	expect(binary).toBeUndefined();
	expect(item.downloadError).toMatch(/"cdnUrl" host 127\.0\.0\.1 is loopback.*nothing was fetched/);
	expect(logs).toContainEqual(expect.stringMatching(/^warn .*emoji .* comes without its bytes/));
});

test("voice without the credential's media fields: downloadError explains them", async () => {
	await activate({ downloadMedia: true }, { mediaDownloadFolder: '', mediaDownloadUrl: '' });
	const { item, binary } = await received('voice');
	expect(binary).toBeUndefined();
	expect(item.downloadError).toMatch(/"Media Download Folder" and "Media Download URL" are empty/);
	expect(sim.downloads).toEqual([]);
});

test('with Download Media off (the default), nothing is downloaded', async () => {
	await activate({});
	const { binary, item } = await received('voice');
	expect(binary).toBeUndefined();
	expect(item.downloadError).toBeUndefined();
	expect(sim.downloads).toEqual([]);
	expect(sim.calls).toEqual([]);
});
