/**
 * Workflows saved with 0.2 open and run unchanged: every WeChat Gateway node of every shipped
 * example (typeVersion 1, no `resource` parameter) runs through n8n's real engine with its
 * parameters exactly as saved, only its credential pointed at the simulator, and the gateway
 * receives the call the operation makes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

import { NodeHelpers, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { findOperation } from '../../nodes/WeChatGateway/actions/registry';
import { WeChatGateway } from '../../nodes/WeChatGateway/WeChatGateway.node';
import { detectImageType } from '../../nodes/WeChatGateway/media/imageType';
import { runWeChatNode, type RunOptions } from '../support/engine';
import { startMediaSimulator, type MediaSimulator } from '../simulator/api';

const SENDER = 'wxid_sender01';
const DIR = path.join(__dirname, '../../examples/workflows');
const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');

interface SavedNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: INodeParameters;
}
interface SavedWorkflow {
	nodes: SavedNode[];
	connections: Record<string, { main?: Array<Array<{ node: string }>> }>;
}

const workflows = readdirSync(DIR)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({
		file,
		workflow: JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as SavedWorkflow,
	}));

const isActionNode = (node: SavedNode) => node.type === 'n8n-nodes-wechat-gateway.weChatGateway';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { imageXml } = require('../../simulator/mediaXml') as {
	imageXml(bytes: Buffer, seed: number | string): string;
};
/** A file the simulated gateway serves itself, for the examples whose form names a file URL. */
const SERVED_FILE = 'Q3-report.pdf';

/** What the triggers of the examples emit, as the trigger's and n8n's own docs describe it. */
const TRIGGER_ITEMS: Record<string, IDataObject[]> = {
	'n8n-nodes-base.manualTrigger': [{}],
	'n8n-nodes-base.webhook': [{ body: { Content: fixture('file.received.xml') } }],
	'n8n-nodes-base.formTrigger': [
		{
			'Send to': 'wxid_friend01',
			Title: 'Weekly report',
			Link: 'https://example.com/r?id=1&x=2',
			Description: 'Sales up',
			'Image URL': 'https://example.com/t.png',
			get 'File URL'() {
				return `${gateway.url}/media/${SERVED_FILE}`;
			},
			'File name': SERVED_FILE,
		},
	],
	'n8n-nodes-wechat-gateway.weChatGatewayTrigger': [
		{
			accountWxid: SENDER,
			chatId: '12345678901@chatroom',
			messageXml: fixture('link.received.xml'),
			newMsgId: '7400409546359626802',
			senderWxid: 'wxid_friend01',
			senderName: 'Alice',
			msgType: 1,
			content: 'hello',
			// a join notice's and a pat's fields, for the examples that start with those
			joined: [{ wxid: 'wxid_friend02', name: 'Bob' }, { name: 'Mei' }],
			patterWxid: 'wxid_friend01',
			patsMe: true,
			at: '2026-01-01T00:00:00.000Z',
		},
	],
};

/** A trigger that keeps pictures alone emits a picture a group member sent. */
const isPictureTrigger = (node: SavedNode) =>
	node.type === 'n8n-nodes-wechat-gateway.weChatGatewayTrigger' &&
	JSON.stringify(node.parameters.messageKinds) === '["image"]';
const PICTURE_RECEIVED: IDataObject = {
	chatId: '11111111111@chatroom',
	senderWxid: 'wxid_member77',
	kind: 'image',
	msgType: 3,
	newMsgId: '7400409546359626803',
	messageXml: imageXml(Buffer.from('a picture on WeChat'), 1),
};

interface CodeItem {
	json: IDataObject;
	binary?: Record<string, { data: string; mimeType?: string; fileName?: string }>;
}

/** A Code node's items, run as n8n runs its code (with Buffer, as the Code node has it). */
function codeItems(node: SavedNode): CodeItem[] {
	const code = `(function () {${String(node.parameters.jsCode)}\n})()`;
	return vm.runInNewContext(code, { Buffer }) as CodeItem[];
}

/** The files of a Code node's items (base64 in `data`, as n8n takes them), for the engine feed. */
function filesOf(node: SavedNode): RunOptions['binaries'] {
	return codeItems(node).map(
		(item) =>
			item.binary &&
			Object.fromEntries(
				Object.entries(item.binary).map(([name, file]) => [
					name,
					{ ...file, data: Buffer.from(file.data, 'base64') },
				]),
			),
	);
}

/** The items a node of the example hands on: a Set node's fields, a Code node's literal items. */
function itemsOf(node: SavedNode, upstream: () => IDataObject[]): IDataObject[] {
	if (node.type === 'n8n-nodes-base.set') {
		const { assignments } = node.parameters.assignments as {
			assignments: Array<{ name: string; value: IDataObject[string] }>;
		};
		return [Object.fromEntries(assignments.map(({ name, value }) => [name, value]))];
	}
	if (node.type === 'n8n-nodes-base.code')
		return codeItems(node).map((item) => JSON.parse(JSON.stringify(item.json)) as IDataObject);
	if (node.type === 'n8n-nodes-base.filter') return upstream();
	if (isPictureTrigger(node)) return [PICTURE_RECEIVED];
	const items = TRIGGER_ITEMS[node.type];
	if (!items) throw new Error(`No items known for ${node.type}`);
	return items;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { silk } = require('../../simulator/mediaBytes') as { silk(options?: object): Buffer };

/** What a trigger with Download Media on hands on as binary `data` (a voice message's SILK). */
function downloadedBy(feeder: SavedNode | undefined): RunOptions['binaries'] {
	const options = feeder?.parameters.options as IDataObject | undefined;
	if (feeder?.type !== 'n8n-nodes-wechat-gateway.weChatGatewayTrigger' || !options?.downloadMedia)
		return undefined;
	return [{ data: { data: silk(), fileName: 'voice.silk', mimeType: 'audio/silk' } }];
}

let gateway: MediaSimulator;
beforeAll(async () => {
	gateway = await startMediaSimulator({ accounts: [SENDER] });
	writeFileSync(path.join(gateway.mediaFolder, SERVED_FILE), '%PDF-1.4\n%%EOF\n');
});
afterAll(async () => gateway.close());
/** What a gateway answers about the examples' group (cgi 182), as demo and start give it. */
const GATEWAY_ANSWERS = JSON.parse(
	readFileSync(path.join(DIR, '..', 'gateway-answers.json'), 'utf8'),
) as Record<string, string>;
beforeEach(() => {
	gateway.reset();
	gateway.configureCommands({ responses: GATEWAY_ANSWERS });
	freshProcessStores();
});

/** The cgi each example's operation calls (app message kinds: 222). */
const CGI_OF: Record<string, number> = {
	'message.sendText': 522,
	'message.sendImage': 110,
	'message.sendVoice': 127,
	'message.revoke': 594,
	'message.pat': 849,
	'contact.get': 182,
	'group.get': 182,
	'group.getMembers': 182,
	'group.removeMembers': 179,
};

/**
 * The WeChat nodes of a workflow with an AI Agent read the trigger through $('…') past the agent,
 * which this one-node harness cannot give: test/e2e/aiAssistant.e2e.js runs them in a real n8n.
 */
const hasAgent = (workflow: SavedWorkflow) =>
	workflow.nodes.some((node) => node.type === '@n8n/n8n-nodes-langchain.agent');

const cases = workflows
	.filter(({ workflow }) => !hasAgent(workflow))
	.flatMap(({ file, workflow }) =>
		workflow.nodes.filter(isActionNode).map((node) => ({ file, workflow, node })),
	);

const resourceOf = (node: SavedNode) => String(node.parameters.resource ?? 'message');

test('the examples hold WeChat Gateway nodes as 0.2 saved them (no resource), or of a newer resource', () => {
	expect(cases.length).toBeGreaterThanOrEqual(12);
	for (const { node } of cases.filter((entry) => resourceOf(entry.node) !== 'message')) {
		expect([node.name, node.typeVersion]).toEqual([node.name, 1]);
		expect(findOperation(resourceOf(node), String(node.parameters.operation))).toBeDefined();
	}
	for (const { node } of cases.filter((entry) => resourceOf(entry.node) === 'message')) {
		expect([node.name, node.typeVersion, 'resource' in node.parameters]).toEqual([
			node.name,
			1,
			false,
		]);
	}
});

test.each(cases.map((entry) => [`${entry.file}: ${entry.node.name}`, entry] as const))(
	'%s runs unchanged',
	async (_name, { workflow, node }) => {
		/** The output of the node that feeds `name`, running earlier WeChat nodes for real. */
		const feederOf = (name: string): SavedNode | undefined => {
			const feeding = Object.entries(workflow.connections).find(([, outputs]) =>
				outputs.main?.some((branch) => branch.some((link) => link.node === name)),
			);
			return feeding && workflow.nodes.find((candidate) => candidate.name === feeding[0]);
		};
		const outputOf = async (name: string): Promise<IDataObject[]> => {
			const source = feederOf(name);
			if (!source) return [{}];
			if (isActionNode(source)) return (await runSaved(source)).items.map((item) => item.json);
			const above = source.type === 'n8n-nodes-base.filter' ? await outputOf(source.name) : [];
			return itemsOf(source, () => above);
		};
		const runSaved = async (saved: SavedNode) =>
			runWeChatNode({
				credentials: { baseUrl: gateway.url, wxid: SENDER, timeout: 10 },
				parameters: saved.parameters,
				items: await outputOf(saved.name),
				binaries:
					feederOf(saved.name)?.type === 'n8n-nodes-base.code'
						? filesOf(feederOf(saved.name)!)
						: downloadedBy(feederOf(saved.name)),
			});

		const result = await runSaved(node);
		expect(result.error).toBeUndefined();
		const operation = findOperation(resourceOf(node), String(node.parameters.operation));
		expect(operation).toBeDefined();
		const sent = gateway.calls;
		if (!operation!.sends) {
			expect(sent).toHaveLength(0);
			expect(result.items.length).toBeGreaterThan(0);
			expect(typeof result.items[0].json.type).toBe('number');
			return;
		}
		const cgi =
			operation!.option.value === 'callGatewayCommand'
				? Number(node.parameters.cgiCmd)
				: (CGI_OF[`${resourceOf(node)}.${operation!.option.value}`] ?? 222);
		if (resourceOf(node) === 'account') {
			// A GET of one of the gateway's account pages, without a body.
			expect(sent.map((call) => [(call as { route?: string }).route, call.body])).toEqual([
				[expect.stringMatching(/^(wechatinfo|login\/push|login\/getqrcode)$/), ''],
			]);
			expect(result.items).toHaveLength(1);
			return;
		}
		if (resourceOf(node) !== 'message') {
			// A read: one call, and the items its answer holds (one per member).
			expect(sent.map((call) => JSON.parse(call.body).CgiCmd)).toEqual([cgi]);
			expect(result.items.length).toBeGreaterThan(0);
			return;
		}
		// A file is uploaded before it is sent: one upload for each message.
		const routeOf = (call: (typeof sent)[number]) => (call as { route?: string }).route ?? 'api';
		const uploads = sent.filter((call) => routeOf(call) === 'cdnupload');
		const messages = sent.filter((call) => routeOf(call) === 'api');
		expect(uploads.length).toBe(operation!.option.value === 'sendFile' ? messages.length : 0);
		expect(messages.length).toBe(result.items.length);
		for (const [index, call] of messages.entries()) {
			const body = JSON.parse(call.body) as { CgiCmd: number; CgiRequest: IDataObject };
			const output = result.items[index].json;
			// a pat names its chat ChatUserName
			expect(body.CgiRequest.ToUserName ?? body.CgiRequest.ChatUserName).toBe(output.ToUserName);
			expect(output.NewMsgId ?? output.Ret).toBeDefined();
			expect(body.CgiCmd).toBe(cgi);
			if (operation!.option.value === 'sendImage' && body.CgiRequest.ImageXml === undefined) {
				const picture = Buffer.from(String(body.CgiRequest.ImageBase64), 'base64');
				expect(detectImageType(picture)?.mime).toBe('image/png');
			}
		}
	},
);

test('a node saved without operation (0.2 omitted the default) is Send Link under Message', async () => {
	const parameters = {
		toUserName: 'wxid_friend01',
		title: 'Report',
		url: 'https://example.com/r',
		options: { messageInterval: 0 },
	};
	const { description } = new WeChatGateway();
	const resolved = NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		true,
		false,
		null,
		description,
	)!;
	expect([resolved.resource, resolved.operation]).toEqual(['message', 'sendLink']);
	const { error } = await runWeChatNode({
		credentials: { baseUrl: gateway.url, wxid: SENDER, timeout: 10 },
		parameters,
	});
	expect(error).toBeUndefined();
	const [call] = gateway.calls;
	expect(JSON.parse(call.body).CgiCmd).toBe(222);
});

test('the AI tool example (its fields come from the model) opens as Send Link under Message', () => {
	const { workflow } = workflows.find(({ file }) => file === 'ai-agent-wechat-tool.json')!;
	const tool = workflow.nodes.find((node) => node.type.endsWith('.weChatGatewayTool'))!;
	const { description } = new WeChatGateway();
	const resolved = NodeHelpers.getNodeParameters(
		description.properties,
		tool.parameters,
		true,
		false,
		null,
		description,
	)!;
	expect(findOperation(String(resolved.resource), String(resolved.operation))?.option.value).toBe(
		'sendLink',
	);
});
