'use strict';
/**
 * End-to-end: sending media from a real `n8n start` (this package packed and installed as a
 * community package) to the gateway simulator, which checks cgi 110 and the CDN upload as the
 * gateway does. One n8n, one import, two executions:
 *  - a webhook starts "Code draws a PNG → Send Image from binary → Send File from a URL": the
 *    Code node is the one of the example "a chart to a group every morning", its picture reaches
 *    the gateway byte for byte (base64-decoded), and the file the simulator serves is uploaded,
 *    then its <appmsg> sent as cgi 222;
 *  - an active trigger keeps pictures in groups, and a picture pushed through the simulator's
 *    socket is forwarded by Send Image from its XML, without a byte downloaded.
 *
 *   npx jest test/e2e/mediaSend.e2e.js --selectProjects e2e     (E2E_KEEP=1 keeps the n8n folder)
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const { XMLParser } = require('fast-xml-parser');

const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');

const { rt } = lib;
const SENDER = 'wxid_media_e2e_sender';
const OWNER = { email: 'media-e2e@example.com', password: 'Media-Passw0rd' };
const CREDENTIAL = { id: 'e2eMediaCred0001', name: 'e2e media gateway' };
const SEND_WORKFLOW = 'wcgwMediaSendE2E';
const FORWARD_WORKFLOW = 'wcgwMediaFwdE2E1';
const HOOK_PATH = 'media-send-e2e';
const FILE_TO = 'wxid_media_e2e_file';
const GROUP_A = '11111111111@chatroom';
const GROUP_B = '22222222222@chatroom';
const REPORT = Buffer.from(
	`%PDF-1.4\n% a report the gateway fetches\n${'r'.repeat(4000)}\n%%EOF\n`,
);
const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0 };

const log = lib.timedLog('media-send e2e');
const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false });
const ctx = {};

/** The example's nodes by name: its Code node is run as saved. */
function exampleNode(file, type) {
	const example = JSON.parse(
		fs.readFileSync(path.join(__dirname, '../../examples/workflows', file), 'utf8'),
	);
	return example.nodes.find((node) => node.type === type);
}
const CHART_CODE = exampleNode('chart-to-group-every-morning.json', 'n8n-nodes-base.code');

/** What the Code node's picture is, computed here from the same code. */
function chartBytes() {
	const items = vm.runInNewContext(`(function () {${CHART_CODE.parameters.jsCode}\n})()`, {
		Buffer,
	});
	return { to: items[0].json.group, png: Buffer.from(items[0].binary.data.data, 'base64') };
}

const wechat = (name, position, parameters) => ({
	id: `${name}-${position[0]}`.replace(/\W+/g, '-'),
	name,
	type: lib.NODE_TYPE,
	typeVersion: 1,
	position,
	credentials: { weChatGatewayApi: CREDENTIAL },
	parameters: { ...parameters, options: FAST },
});
const connect = (...names) =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

function sendWorkflow() {
	return {
		id: SEND_WORKFLOW,
		name: 'e2e media: webhook → PNG → Send Image → Send File',
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{
				id: 'media-hook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: `${SEND_WORKFLOW}-webhook`,
				parameters: { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'lastNode', options: {} },
			},
			{ ...CHART_CODE, id: 'media-code', position: [220, 0] },
			wechat('Send Image', [440, 0], {
				operation: 'sendImage',
				toUserName: '={{ $json.group }}',
				imageSource: 'binary',
				binaryPropertyName: 'data',
			}),
			wechat('Send File', [660, 0], {
				operation: 'sendFile',
				toUserName: FILE_TO,
				fileUrl: "={{ $('Webhook').first().json.body.fileUrl }}",
				fileName: "={{ $('Webhook').first().json.body.fileName }}",
			}),
		],
		connections: connect('Webhook', CHART_CODE.name, 'Send Image', 'Send File'),
	};
}

function forwardWorkflow() {
	return {
		id: FORWARD_WORKFLOW,
		name: 'e2e media: pictures in group A → Send Image from XML to group B',
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{
				id: 'media-trigger',
				name: 'Picture received',
				type: 'n8n-nodes-wechat-gateway.weChatGatewayTrigger',
				typeVersion: 1,
				position: [0, 300],
				credentials: { weChatGatewayApi: CREDENTIAL },
				parameters: {
					events: ['newMessage'],
					messageKinds: ['image'],
					chats: 'groups',
					options: { groupIds: GROUP_A },
				},
			},
			wechat('Forward', [300, 300], {
				operation: 'sendImage',
				toUserName: GROUP_B,
				imageSource: 'xml',
				messageXml: '={{ $json.messageXml }}',
			}),
		],
		connections: connect('Picture received', 'Forward'),
	};
}

beforeAll(
	async () => {
		ctx.sim = await startGatewaySimulator({ accounts: [SENDER], modelCommands: true });
		fs.writeFileSync(path.join(ctx.sim.mediaFolder, 'Q3-report.pdf'), REPORT);
		Object.assign(
			ctx,
			await lib.startInstance({
				name: 'media-send-e2e',
				credentials: [lib.simulatorCredential(CREDENTIAL, ctx.sim, SENDER)],
				workflows: [sendWorkflow(), forwardWorkflow()],
				activate: [SEND_WORKFLOW, FORWARD_WORKFLOW],
				owner: OWNER,
				log,
			}),
		);
		ctx.hook = `http://127.0.0.1:${ctx.port}/webhook/${HOOK_PATH}`;
		await waitFor(`${ctx.hook} registered`, async () =>
			/Did you mean to make a POST request/.test(await (await fetch(ctx.hook)).text()),
		);
		await waitFor('the trigger to open its socket', () => ctx.sim.ws.clients === 1, {
			timeoutMs: 30_000,
		});
		log(`n8n on ${ctx.port}, simulator ${ctx.sim.url}, both workflows active`);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	if (ctx.stop) await ctx.stop();
	if (ctx.sim) await ctx.sim.close();
}, 120 * 1000);

const bodyOf = (call) => JSON.parse(call.body);

test('a Code node draws a PNG → Send Image from binary: the same bytes at the gateway; → Send File from a URL the gateway serves: uploaded, then sent', async () => {
	const fileUrl = `${ctx.sim.url}/media/Q3-report.pdf`;
	const response = await fetch(ctx.hook, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ fileUrl, fileName: 'Q3-report.pdf' }),
	});
	const text = await response.text();
	expect({ status: response.status, text }).toMatchObject({ status: 200 });
	const fileOutput = JSON.parse(text);

	const { to, png } = chartBytes();
	const picture = ctx.sim.calls.find((call) => bodyOf(call).CgiCmd === 110);
	expect(Object.keys(bodyOf(picture).CgiRequest)).toEqual(['ToUserName', 'ImageBase64']);
	expect(bodyOf(picture).CgiRequest.ToUserName).toBe(to);
	expect(Buffer.from(bodyOf(picture).CgiRequest.ImageBase64, 'base64').equals(png)).toBe(true);
	expect(ctx.sim.messages.find((m) => m.cgiCmd === 110)).toMatchObject({
		imageSource: 'base64',
		imageKind: 'png',
		imageBytes: png.length,
	});

	const [upload] = ctx.sim.uploads;
	expect(upload).toMatchObject({
		toUserName: FILE_TO,
		fileType: 5,
		fileName: 'Q3-report.pdf',
		fileUrl,
		bytes: REPORT.length,
	});
	const sent = ctx.sim.messages.find((m) => m.cgiCmd === 222);
	expect(sent).toMatchObject({ toUserName: FILE_TO, appMsgXml: upload.xml });
	expect(xml.parse(sent.appMsgXml).appmsg).toMatchObject({ title: 'Q3-report.pdf', type: '6' });
	expect(fileOutput).toMatchObject({
		ToUserName: FILE_TO,
		NewMsgId: sent.newMsgId,
		MsgType: 49,
		FileName: 'Q3-report.pdf',
	});
});

test('a picture received in group A is forwarded to group B by Send Image from its XML', async () => {
	const pushed = ctx.sim.push('image', { group: GROUP_A });
	const forward = await waitFor('the forward to group B', () =>
		ctx.sim.messages.find((m) => m.cgiCmd === 110 && m.toUserName === GROUP_B),
	);
	expect(forward).toMatchObject({ imageSource: 'xml' });
	const sentImg = xml.parse(forward.imageXml).msg.img;
	const receivedImg = xml.parse(pushed.content.replace(/^[^<]*:\n/, '')).msg.img;
	expect(sentImg['@_aeskey']).toBe(receivedImg['@_aeskey']);
	expect(sentImg['@_cdnmidimgurl']).toBe(receivedImg['@_cdnmidimgurl']);
	expect(forward.imageXml).not.toMatch(/^[^<]*:\n/);
	expect(ctx.sim.messages.filter((m) => m.toUserName === GROUP_B)).toHaveLength(1);
});
