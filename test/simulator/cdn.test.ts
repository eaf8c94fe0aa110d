/**
 * The CDN side of the simulated gateway: /v2/cdnupload fetches FileUrl and answers the file's
 * <appmsg> (or an image's XML) as a string; /v2/cdndownload writes a pushed voice message's
 * SILK bytes into the media folder, which is served over HTTP; the sticker CDN serves stickers.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

import { startMediaSimulator, type MediaSimulator } from './api';
import { call, get, openSocket } from './wire';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { THUMBNAIL_PNG, silkFrames } = require('../../simulator/mediaBytes') as {
	THUMBNAIL_PNG: Buffer;
	silkFrames(bytes: Buffer): number | undefined;
};

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const parser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '',
	parseTagValue: false,
});
const REPORT = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 251));

let simulator: MediaSimulator;
let files: http.Server;
let filesUrl: string;

beforeAll(async () => {
	simulator = await startMediaSimulator({ modelCommands: true });
	files = http.createServer((req, res) => {
		if (req.url === '/report.pdf') res.writeHead(200).end(REPORT);
		else if (req.url === '/pic.png') res.writeHead(200).end(THUMBNAIL_PNG);
		else res.writeHead(404).end();
	});
	await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
	filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await simulator.close();
	await new Promise((resolve) => files.close(resolve));
});
beforeEach(() => simulator.reset());

const upload = (request: object) => call(simulator, 0, request, { path: 'cdnupload' });
const download = (request: object | string) => call(simulator, 0, request, { path: 'cdndownload' });

describe('/v2/cdnupload', () => {
	test('a file: ResponseData is a string holding an <appmsg> of type 6 that matches the fetched bytes, and it sends as cgi 222', async () => {
		const answer = await upload({
			ToUserName: 'wxid_friend42',
			FileType: 5,
			FileName: 'Q3 report & notes.pdf',
			FileUrl: `${filesUrl}/report.pdf`,
		});
		expect(answer.json.CgiBaseResponse.Ret).toBe(0);
		expect(typeof answer.json.ResponseData).toBe('string');
		const xml = answer.json.ResponseData as string;
		const { appmsg } = parser.parse(xml);
		expect(appmsg.type).toBe('6');
		expect(appmsg.title).toBe('Q3 report & notes.pdf');
		expect(appmsg.md5).toBe(md5(REPORT));
		expect(appmsg.appattach).toMatchObject({ totallen: String(REPORT.length), fileext: 'pdf' });
		expect(appmsg.appattach.attachid).toMatch(/^@cdn_[0-9a-f]+_[0-9a-f]{32}_1$/);
		expect(appmsg.appattach.attachid).toContain(appmsg.appattach.cdnattachurl);
		expect(appmsg.appattach.attachid).toContain(appmsg.appattach.aeskey);
		expect(simulator.uploads).toEqual([
			expect.objectContaining({
				fileType: 5,
				fileName: 'Q3 report & notes.pdf',
				bytes: REPORT.length,
				md5: md5(REPORT),
				xml,
			}),
		]);
		const sent = await call(simulator, 222, {
			ToUserName: 'wxid_friend42',
			AppMsgXml: xml,
			MsgType: 49,
		});
		expect(sent.json.CgiBaseResponse.Ret).toBe(0);
	});

	test('an image (FileType 2): an image XML string that cgi 110 takes as ImageXml', async () => {
		const answer = await upload({
			ToUserName: 'wxid_friend42',
			FileType: 2,
			FileUrl: `${filesUrl}/pic.png`,
		});
		const xml = answer.json.ResponseData as string;
		const { msg } = parser.parse(xml);
		expect(msg.img).toMatchObject({
			length: String(THUMBNAIL_PNG.length),
			md5: md5(THUMBNAIL_PNG),
			cdnthumbwidth: '16',
		});
		expect(msg.img.aeskey).toMatch(/^[0-9a-f]{32}$/);
		const sent = await call(simulator, 110, { ToUserName: 'wxid_friend42', ImageXml: xml });
		expect(sent.json.CgiBaseResponse.Ret).toBe(0);
		expect(
			ret(
				await upload({
					ToUserName: 'wxid_friend42',
					FileType: 2,
					FileUrl: `${filesUrl}/report.pdf`,
				}),
			),
		).toBe(-2);
	});

	test('fails when FileUrl is not reachable, on a Ret fault, and on bad requests; nothing is recorded', async () => {
		const unreachable = await upload({
			ToUserName: 'wxid_friend42',
			FileType: 5,
			FileName: 'a.pdf',
			FileUrl: `${filesUrl}/gone.pdf`,
		});
		expect(unreachable.json.CgiBaseResponse).toEqual({
			Ret: -1,
			ErrMsg: 'FileUrl could not be fetched: HTTP 404',
		});
		simulator.addFault({
			action: 'ret',
			ret: -1,
			errMsg: 'cdn upload failed',
			route: 'cdnupload',
			times: 1,
		});
		const refused = await upload({
			ToUserName: 'wxid_friend42',
			FileType: 5,
			FileName: 'a.pdf',
			FileUrl: `${filesUrl}/report.pdf`,
		});
		expect(refused.json.CgiBaseResponse).toEqual({ Ret: -1, ErrMsg: 'cdn upload failed' });
		expect(
			ret(
				await upload({
					ToUserName: 'wxid_friend42',
					FileType: 7,
					FileName: 'a.pdf',
					FileUrl: `${filesUrl}/report.pdf`,
				}),
			),
		).toBe(-2);
		expect(
			ret(
				await upload({
					ToUserName: 'wxid_friend42',
					FileType: 5,
					FileName: '../a.pdf',
					FileUrl: `${filesUrl}/report.pdf`,
				}),
			),
		).toBe(-2);
		expect(
			ret(await upload({ FileType: 5, FileName: 'a.pdf', FileUrl: `${filesUrl}/report.pdf` })),
		).toBe(-2);
		expect(
			ret(
				await call(
					simulator,
					5,
					{
						ToUserName: 'wxid_friend42',
						FileType: 5,
						FileName: 'a.pdf',
						FileUrl: `${filesUrl}/report.pdf`,
					},
					{ path: 'cdnupload' },
				),
			),
		).toBe(-2);
		expect(simulator.uploads).toEqual([]);
		expect(simulator.calls.map((c) => (c as { route?: string }).route)).toEqual(
			Array(6).fill('cdnupload'),
		);
	});
});

const ret = (answer: { json: { CgiBaseResponse: { Ret: number } } }) =>
	answer.json.CgiBaseResponse.Ret;

describe('/v2/cdndownload', () => {
	test('writes the pushed voice message (the same SILK bytes) at FileName, served at the media URL', async () => {
		const socket = await openSocket(simulator);
		try {
			const pushed = simulator.push('voice', { account: 'wxid_bot1', frames: 60 });
			const [frame] = await socket.take(1);
			const content = JSON.parse(frame).CurrentPacket.Data.AddMsg.Content as string;
			const fileName = path.join(simulator.mediaFolder, 'voice', `${pushed.newMsgId}.silk`);
			const request = `{"VoiceXml":${JSON.stringify(content)},"FileName":${JSON.stringify(fileName)},"FileType":128,"MsgId":${pushed.msgId}}`;
			const answer = await download(request);
			expect(answer.json.CgiBaseResponse.Ret).toBe(0);
			expect(fs.readFileSync(fileName)).toEqual(pushed.bytes);
			const served = await get(`${simulator.mediaUrl}/voice/${pushed.newMsgId}.silk`);
			expect(served.status).toBe(200);
			expect(served.bytes).toEqual(pushed.bytes);
			expect(served.bytes[0]).toBe(0x02);
			expect(silkFrames(served.bytes)).toBe(60);
			expect(simulator.downloads).toEqual([
				expect.objectContaining({
					fileName,
					msgId: String(pushed.msgId),
					written: true,
					bytes: pushed.bytes!.length,
				}),
			]);
		} finally {
			socket.close();
		}
	});

	test('a noFile fault: Ret 0, but the file never appears; unknown voices and paths outside the folder are refused', async () => {
		const pushed = simulator.push('voice');
		const fileName = path.join(simulator.mediaFolder, 'never.silk');
		simulator.addFault({ action: 'noFile', route: 'cdndownload', times: 1 });
		const request = {
			VoiceXml: pushed.content,
			FileName: fileName,
			FileType: 128,
			MsgId: pushed.msgId,
		};
		expect(ret(await download(request))).toBe(0);
		expect(fs.existsSync(fileName)).toBe(false);
		expect((await get(`${simulator.mediaUrl}/never.silk`)).status).toBe(404);
		expect(simulator.downloads).toEqual([expect.objectContaining({ written: false })]);

		expect(
			ret(
				await download({
					...request,
					MsgId: 42,
					VoiceXml: '<msg><voicemsg aeskey="nope" /></msg>',
				}),
			),
		).toBe(-1);
		expect(ret(await download({ ...request, FileName: '/etc/wechat.silk' }))).toBe(-1);
		expect(ret(await download({ ...request, FileName: 'relative.silk' }))).toBe(-2);
		expect(ret(await download({ ...request, FileType: 2 }))).toBe(-2);
		expect(ret(await download({ ...request, MsgId: String(pushed.msgId) }))).toBe(-2);
		expect((await get(`${simulator.mediaUrl}/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
	});
});

describe('the sticker CDN', () => {
	test("a sticker's cdnurl serves its GIF bytes; a 404 fault and an unknown md5 answer 404", async () => {
		const pushed = simulator.push('emoji');
		const sticker = await get(pushed.cdnUrl!);
		expect(sticker).toMatchObject({ status: 200, contentType: 'image/gif' });
		expect(sticker.bytes).toEqual(pushed.bytes);
		expect(md5(sticker.bytes)).toBe(pushed.md5);
		expect(sticker.bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');

		simulator.addFault({ action: 'http', status: 404, route: 'sticker', times: 1 });
		expect((await get(pushed.cdnUrl!)).status).toBe(404);
		expect((await get(pushed.cdnUrl!)).status).toBe(200);
		expect((await get(`${simulator.url}/cdn/emoji/stodownload?m=${'0'.repeat(32)}`)).status).toBe(
			404,
		);
		expect(simulator.calls).toHaveLength(0); // plain GETs, not gateway calls
	});
});
