/**
 * Workflows saved with 0.2 open and run unchanged: every WeChat Gateway node of every shipped
 * example (typeVersion 1, no `resource` parameter) runs through n8n's real engine with its
 * parameters exactly as saved, only its credential pointed at the simulator, and the gateway
 * receives the call the operation makes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

import { NodeHelpers, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { findOperation } from '../../nodes/WeChatGateway/actions/registry';
import { WeChatGateway } from '../../nodes/WeChatGateway/WeChatGateway.node';
import { runWeChatNode } from '../support/engine';
import { startSimulator, type Simulator } from '../support/simulators';

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
		},
	],
	'n8n-nodes-wechat-gateway.weChatGatewayTrigger': [
		{
			chatId: 'wxid_friend01',
			messageXml: fixture('link.received.xml'),
			newMsgId: '7400409546359626802',
			senderWxid: 'wxid_friend01',
			senderName: 'Alice',
			msgType: 1,
			content: 'hello',
		},
	],
};

/** The items a node of the example hands on: a Set node's fields, a Code node's literal items. */
function itemsOf(node: SavedNode, upstream: () => IDataObject[]): IDataObject[] {
	if (node.type === 'n8n-nodes-base.set') {
		const { assignments } = node.parameters.assignments as {
			assignments: Array<{ name: string; value: IDataObject[string] }>;
		};
		return [Object.fromEntries(assignments.map(({ name, value }) => [name, value]))];
	}
	if (node.type === 'n8n-nodes-base.code') {
		const code = `(function () {${String(node.parameters.jsCode)}\n})()`;
		const items = vm.runInNewContext(code, {}) as Array<{ json: IDataObject }>;
		return items.map((item) => JSON.parse(JSON.stringify(item.json)) as IDataObject);
	}
	if (node.type === 'n8n-nodes-base.filter') return upstream();
	const items = TRIGGER_ITEMS[node.type];
	if (!items) throw new Error(`No items known for ${node.type}`);
	return items;
}

let gateway: Simulator;
beforeAll(async () => {
	gateway = await startSimulator({ accounts: [SENDER] });
});
afterAll(async () => gateway.close());
beforeEach(() => {
	gateway.reset();
	freshProcessStores();
});

const cases = workflows.flatMap(({ file, workflow }) =>
	workflow.nodes.filter(isActionNode).map((node) => ({ file, workflow, node })),
);

test('the examples hold WeChat Gateway nodes as 0.2 saved them', () => {
	expect(cases.length).toBeGreaterThanOrEqual(12);
	for (const { node } of cases) {
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
		const outputOf = async (name: string): Promise<IDataObject[]> => {
			const feeding = Object.entries(workflow.connections).find(([, outputs]) =>
				outputs.main?.some((branch) => branch.some((link) => link.node === name)),
			);
			if (!feeding) return [{}];
			const source = workflow.nodes.find((candidate) => candidate.name === feeding[0])!;
			if (isActionNode(source)) return (await runSaved(source)).items.map((item) => item.json);
			const above = source.type === 'n8n-nodes-base.filter' ? await outputOf(source.name) : [];
			return itemsOf(source, () => above);
		};
		const runSaved = async (saved: SavedNode) =>
			runWeChatNode({
				credentials: { baseUrl: gateway.url, wxid: SENDER, timeout: 10 },
				parameters: saved.parameters,
				items: await outputOf(saved.name),
			});

		const result = await runSaved(node);
		expect(result.error).toBeUndefined();
		const operation = findOperation('message', String(node.parameters.operation));
		expect(operation).toBeDefined();
		const sent = gateway.calls;
		if (!operation!.sends) {
			expect(sent).toHaveLength(0);
			expect(result.items.length).toBeGreaterThan(0);
			expect(typeof result.items[0].json.type).toBe('number');
			return;
		}
		expect(sent.length).toBe(result.items.length);
		for (const [index, call] of sent.entries()) {
			const body = JSON.parse(call.body) as { CgiCmd: number; CgiRequest: IDataObject };
			const output = result.items[index].json;
			expect(body.CgiRequest.ToUserName).toBe(output.ToUserName);
			expect(output.NewMsgId ?? output.Ret).toBeDefined();
			if (operation!.option.value === 'sendText') expect(body.CgiCmd).toBe(522);
			else if (operation!.option.value !== 'callGatewayCommand') expect(body.CgiCmd).toBe(222);
			else expect(body.CgiCmd).toBe(JSON.parse(JSON.stringify(node.parameters.cgiCmd)));
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
