/**
 * Send File through n8n's real engine against the simulator: the gateway uploads the file from
 * its URL (`/v2/cdnupload`), and the `<appmsg>` it answers is sent as cgi 222 to the same chat.
 * Upload and send are one message: an upload that fails sent nothing and says so, a send that
 * fails after the upload says the upload went through, and neither n8n's Retry On Fail nor Skip
 * Duplicates Within uploads and sends a file twice.
 */
import { at, readAppMsg } from '../../support/xml';
import {
	accepted,
	bodies,
	FAST,
	GROUP,
	mediaBytes,
	runMedia,
	useFileServer,
	useMediaGateway,
} from './mediaRun';

const FRIEND = 'wxid_friend42';
/** A made-up PDF: the gateway does not look inside, only at its bytes. */
const REPORT = Buffer.from(`%PDF-1.4\n% quarterly report\n${'x'.repeat(3000)}\n%%EOF\n`);
const served = useFileServer({ '/files/Q3-report.pdf': REPORT });
const sim = useMediaGateway();

const fileUrl = () => `${served.url}/files/Q3-report.pdf`;
const sendFile = (more: Record<string, unknown> = {}) => ({
	operation: 'sendFile',
	toUserName: '={{ $json.to }}',
	fileUrl: '={{ $json.url }}',
	fileName: 'Q3-report.pdf',
	...more,
});
const item = (to: string) => ({ to, url: fileUrl() });
/** What reached the gateway, as [path, CgiCmd, ToUserName]. */
const steps = () =>
	bodies(sim.gateway).map((body, index) => [
		sim.gateway.calls[index].query.funcname === 'MagicCgi' && 'FileType' in body.CgiRequest
			? 'upload'
			: 'send',
		body.CgiCmd,
		body.CgiRequest.ToUserName,
	]);

describe('the upload, then the send', () => {
	test('the gateway gets the upload request, then exactly the <appmsg> it answered as cgi 222; the exact ids come out', async () => {
		const { items, error } = await runMedia(sim.gateway, sendFile(), { items: [item(FRIEND)] });
		expect(error).toBeUndefined();
		const [upload, send] = bodies(sim.gateway);
		expect(JSON.stringify(upload)).toBe(
			JSON.stringify({
				CgiCmd: 0,
				CgiRequest: {
					ToUserName: FRIEND,
					FileType: 5,
					FileName: 'Q3-report.pdf',
					FileUrl: fileUrl(),
				},
			}),
		);
		expect(sim.gateway.calls[0].query).toMatchObject({
			funcname: 'MagicCgi',
			wxid: 'wxid_sender01',
			timeout: expect.any(String),
		});
		const [uploaded] = sim.gateway.uploads;
		expect(uploaded).toMatchObject({ bytes: REPORT.length, md5: mediaBytes.md5(REPORT) });
		expect(JSON.stringify(send)).toBe(
			JSON.stringify({
				CgiCmd: 222,
				CgiRequest: { ToUserName: FRIEND, AppMsgXml: uploaded.xml, MsgType: 49 },
			}),
		);
		const appMsg = readAppMsg(String(send.CgiRequest.AppMsgXml));
		expect([at(appMsg, 'title'), at(appMsg, 'type'), at(appMsg, 'appattach', 'totallen')]).toEqual([
			'Q3-report.pdf',
			'6',
			String(REPORT.length),
		]);
		const [message] = sim.gateway.messages;
		expect(items.map((output) => output.json)).toEqual([
			{
				ToUserName: FRIEND,
				NewMsgId: message.newMsgId,
				ClientMsgId: message.clientMsgId,
				Ret: 0,
				ErrMsg: '',
				MsgType: 49,
				FileName: 'Q3-report.pdf',
			},
		]);
		expect(BigInt(String(items[0].json.NewMsgId))).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
	});

	test('to two chats: each is uploaded for and sent to on its own, one output item each', async () => {
		const { items, error } = await runMedia(sim.gateway, sendFile(), {
			items: [{ to: `${FRIEND}, ${GROUP}`, url: fileUrl() }],
		});
		expect(error).toBeUndefined();
		expect(steps()).toEqual([
			['upload', 0, FRIEND],
			['send', 222, FRIEND],
			['upload', 0, GROUP],
			['send', 222, GROUP],
		]);
		expect(items.map((output) => [output.json.ToUserName, output.pairedItem])).toEqual([
			[FRIEND, { item: 0 }],
			[GROUP, { item: 0 }],
		]);
	});
});

describe('an upload that fails sent nothing, and says so', () => {
	test.each([
		[
			'WeChat refuses the upload',
			{ action: 'ret', ret: -1, route: 'cdnupload' },
			/WeChat refused the upload: Ret -1/,
		],
		[
			'the upload answers a picture instead of an <appmsg>',
			{
				action: 'json',
				route: 'cdnupload',
				body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":"<msg><img aeskey=\\"k\\" /></msg>"}',
			},
			/"ResponseData of the upload" has no <appmsg> element/,
		],
		[
			'the upload answers an <appmsg> with a DOCTYPE',
			{
				action: 'json',
				route: 'cdnupload',
				body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":"<!DOCTYPE a [<!ENTITY e \\"x\\">]><appmsg><type>6</type></appmsg>"}',
			},
			/"ResponseData of the upload".*DOCTYPE/,
		],
		[
			'the upload answers no XML at all',
			{
				action: 'json',
				route: 'cdnupload',
				body: '{"CgiBaseResponse":{"Ret":0,"ErrMsg":""},"ResponseData":{}}',
			},
			/without the <appmsg> to send/,
		],
	])('%s', async (_name, fault, reason) => {
		sim.gateway.addFault(fault);
		const { items, error } = await runMedia(
			sim.gateway,
			sendFile({ options: { ...FAST, retries: 0 } }),
			{ items: [item(FRIEND)], continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			ToUserName: FRIEND,
			delivery: 'notSent',
			error: expect.stringMatching(/^Nothing was sent: the upload failed: /),
		});
		expect(String(items[0].json.error)).toMatch(reason);
		expect(String(items[0].json.error)).toMatch(/\(item 0, to wxid_friend42\)/);
		expect(steps().map(([step]) => step)).toEqual(['upload']);
		expect(sim.gateway.messages).toHaveLength(0);
	});

	test('a file the gateway cannot fetch: its refusal is the error, nothing is sent', async () => {
		const { items } = await runMedia(sim.gateway, sendFile(), {
			items: [{ to: FRIEND, url: `${served.url}/files/missing.pdf` }],
			continueOnFail: true,
		});
		expect(items[0].json).toMatchObject({ delivery: 'notSent' });
		expect(String(items[0].json.error)).toMatch(
			/^Nothing was sent: the upload failed: WeChat refused the upload: Ret -1 \(FileUrl could not be fetched: HTTP 404\)/,
		);
		expect(sim.gateway.messages).toHaveLength(0);
	});
});

describe('a send that fails after the upload says the upload went through', () => {
	test('WeChat refuses the send', async () => {
		sim.gateway.addFault({ action: 'ret', ret: -1, cgiCmd: 222 });
		const { items } = await runMedia(sim.gateway, sendFile({ options: { ...FAST, retries: 0 } }), {
			items: [item(FRIEND)],
			continueOnFail: true,
		});
		expect(items[0].json).toMatchObject({ delivery: 'rejected' });
		expect(String(items[0].json.error)).toMatch(
			/^The upload went through, but the send failed: WeChat refused the message: Ret -1/,
		);
		expect(sim.gateway.uploads).toHaveLength(1);
		expect(sim.gateway.messages).toHaveLength(0);
	});

	test("the send's answer is lost: unknown, and n8n's Retry On Fail neither uploads nor sends it again", async () => {
		sim.gateway.addFault({ action: 'drop', cgiCmd: 222, times: 1 });
		const { items, error } = await runMedia(sim.gateway, sendFile(), {
			items: [item(FRIEND)],
			continueOnFail: true,
			retryOnFail: { maxTries: 3, waitBetweenTries: 1 },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ delivery: 'unknown' });
		expect(String(items[0].json.error)).toMatch(/The upload went through, but the send failed/);
		expect(steps()).toEqual([
			['upload', 0, FRIEND],
			['send', 222, FRIEND],
		]);
		expect(sim.gateway.messages).toHaveLength(1);
	});
});

describe('one message for the memories', () => {
	test("n8n's Retry On Fail after a refused send: the chat that has the file gets no second upload or send", async () => {
		sim.gateway.addFault({ action: 'ret', ret: -1, cgiCmd: 222, toUserName: GROUP, times: 1 });
		const { items, error } = await runMedia(
			sim.gateway,
			sendFile({ options: { ...FAST, retries: 0 } }),
			{
				items: [{ to: `${FRIEND}, ${GROUP}`, url: fileUrl() }],
				retryOnFail: { maxTries: 2, waitBetweenTries: 1 },
			},
		);
		expect(error).toBeUndefined();
		// The node never retries a refusal itself: the second upload to the group is n8n's Retry On Fail.
		expect(steps()).toEqual([
			['upload', 0, FRIEND],
			['send', 222, FRIEND],
			['upload', 0, GROUP],
			['send', 222, GROUP],
			['upload', 0, GROUP],
			['send', 222, GROUP],
		]);
		expect(sim.gateway.messages.map((m) => m.toUserName)).toEqual([FRIEND, GROUP]);
		expect(items.map((output) => output.json.NewMsgId)).toEqual(
			sim.gateway.messages.map((m) => m.newMsgId),
		);
	});

	test('the same file again within Skip Duplicates Within is neither uploaded nor sent again', async () => {
		const run = () =>
			runMedia(sim.gateway, sendFile({ options: { ...FAST, skipDuplicatesWithin: 10 } }), {
				items: [item(FRIEND)],
			});
		const first = await run();
		const second = await run();
		expect([first.error, second.error]).toEqual([undefined, undefined]);
		expect(steps()).toEqual([
			['upload', 0, FRIEND],
			['send', 222, FRIEND],
		]);
		expect(second.items[0].json).toMatchObject({
			skippedDuplicate: true,
			NewMsgId: first.items[0].json.NewMsgId,
		});
	});
});

describe('bad input names the field and the item; nothing is sent', () => {
	const good = () => ({ ...item(GROUP), name: 'Q3-report.pdf' });
	test.each([
		[
			'a URL that is not http(s)',
			{ url: 'ftp://files.example/a.pdf' },
			/"File URL" must be an http:\/\/ or https:\/\/ URL.*\(item 1\)/,
		],
		['no URL', { url: '' }, /"File URL" is required.*\(item 1\)/],
		['no file name', { name: '  ' }, /"File Name" is required.*\(item 1\)/],
		[
			'a file name with a folder',
			{ name: 'reports/Q3.pdf' },
			/"File Name" must be a name without folders.*\(item 1\)/,
		],
		[
			'a file name with a line break',
			{ name: 'Q3\nreport.pdf' },
			/"File Name" holds a control character.*\(item 1\)/,
		],
		[
			'a file name too long',
			{ name: `${'a'.repeat(252)}.pdf` },
			/"File Name" is 256 characters long; a file name has at most 255.*\(item 1\)/,
		],
	])('%s', async (_name, bad, message) => {
		const { items, error } = await runMedia(
			sim.gateway,
			sendFile({ fileName: '={{ $json.name }}' }),
			{
				items: [good(), { ...good(), to: FRIEND, ...bad }],
				continueOnFail: true,
			},
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ ToUserName: GROUP, MsgType: 49 });
		expect(String(items[1].json.error)).toMatch(message);
		expect(steps()).toEqual([
			['upload', 0, GROUP],
			['send', 222, GROUP],
		]);
		expect(accepted(sim.gateway)).toHaveLength(1);
	});
});
