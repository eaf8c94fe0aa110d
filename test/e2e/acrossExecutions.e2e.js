'use strict';
/**
 * Exactly once across executions, in a real n8n server (this package packed and installed as a
 * community package, against the gateway simulator):
 * - a webhook workflow fails at item 3 (the simulator refuses it once); n8n's own Retry of the
 *   failed execution (POST /rest/executions/:id/retry, the editor's Retry button) is a new
 *   execution: items 1 and 2 are not sent again, item 3 is, and the output says which were
 *   skipped;
 * - a webhook called twice with one payload, Skip Duplicates Within 10 min: sent once.
 */
const path = require('node:path');

const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');

const { rt } = lib;
const SENDER = 'wxid_once_sender';
const OWNER = { email: 'once@example.com', password: 'Once-Passw0rd' };
const CREDENTIAL = { id: 'onceCredential01', name: 'Once gateway' };
const RETRY_ITEMS = [0, 1, 2, 3, 4].map((i) => ({
	to: `wxid_once_retry${i}`,
	title: `Retry ${i}`,
}));
const HOOK_ITEMS = [0, 1, 2].map((i) => ({ to: `wxid_once_hook${i}`, title: `Hook ${i}` }));

const log = lib.timedLog('e2e-once');
const ctx = {};

/** Webhook (POST body.items) → Split Out → WeChat Gateway Send Link, one per item. */
function webhookWorkflow(id, pathName, options) {
	return {
		id,
		name: `e2e once: ${pathName}`,
		nodes: [
			{
				id: `${id}-hook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: `${id}-webhook`,
				parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} },
			},
			{
				id: `${id}-split`,
				name: 'Items',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.items', options: {} },
			},
			{
				id: `${id}-wechat`,
				name: 'Send',
				type: lib.NODE_TYPE,
				typeVersion: 1,
				position: [440, 0],
				credentials: { weChatGatewayApi: CREDENTIAL },
				parameters: {
					operation: 'sendLink',
					toUserName: '={{ $json.to }}',
					title: '={{ $json.title }}',
					url: 'https://example.com/once',
					options: { messageInterval: 0, maxRecipientsPerMinute: 0, ...options },
				},
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** n8n's REST answers execution data in `flatted` form; the runtime brings the package. */
function parseExecutionData(data) {
	if (typeof data !== 'string') return data;
	const flatted = require(
		require.resolve('flatted', { paths: [path.join(ctx.runtime.n8nDir, 'node_modules', 'n8n')] }),
	);
	return flatted.parse(data);
}

async function executions(workflowId) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const r = await rt.rest({
		port: ctx.port,
		cookie: ctx.cookie,
		path: `/rest/executions?filter=${filter}`,
	});
	return r.data.results.filter((e) => e.status !== 'running' && e.status !== 'new');
}

async function execution(id) {
	const r = await rt.rest({ port: ctx.port, cookie: ctx.cookie, path: `/rest/executions/${id}` });
	return { ...r.data, data: parseExecutionData(r.data.data) };
}

const sendOutput = (exec) => exec.data.resultData.runData.Send.at(-1).data?.main?.[0] ?? [];

async function activate(id) {
	await rt.activateWorkflow({ port: ctx.port, cookie: ctx.cookie, id });
	const url = `http://127.0.0.1:${ctx.port}/webhook/${id === 'onceRetryFlow001' ? 'once-retry' : 'once-hook'}`;
	await waitFor(`${url} registered`, async () => {
		const text = await (await fetch(url)).text();
		return /Did you mean to make a POST request/.test(text);
	});
	return url;
}

const post = (url, items) =>
	fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ items }),
	});

beforeAll(
	async () => {
		ctx.sim = await startGatewaySimulator({
			accounts: [SENDER],
			faults: [{ action: 'ret', ret: -1, toUserName: RETRY_ITEMS[2].to, times: 1 }],
		});
		Object.assign(
			ctx,
			await lib.startInstance({
				name: 'once-e2e',
				credentials: [lib.simulatorCredential(CREDENTIAL, ctx.sim, SENDER)],
				workflows: [
					webhookWorkflow('onceRetryFlow001', 'once-retry', {}),
					webhookWorkflow('onceHookFlow0001', 'once-hook', { skipDuplicatesWithin: 10 }),
				],
				owner: OWNER,
				log,
			}),
		);
		log(`n8n on ${ctx.port}, simulator ${ctx.sim.url}`);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	if (ctx.stop) await ctx.stop();
	if (ctx.sim) await ctx.sim.close();
}, 120 * 1000);

test("n8n's Retry of a failed execution (REST) sends items 3-5 and skips items 1-2, which went out before", async () => {
	const url = await activate('onceRetryFlow001');
	expect((await post(url, RETRY_ITEMS)).status).toBe(200);
	const [failed] = await waitFor('the failed execution', async () => {
		const list = await executions('onceRetryFlow001');
		return list.length >= 1 && list;
	});
	expect(failed.status).toBe('error');
	const failedData = await execution(failed.id);
	const error = failedData.data.resultData.error;
	expect(error.message).toMatch(/Ret -1.*\(item 2, to wxid_once_retry2\)/);
	expect(error.description).toContain(
		'Sent before this error in this run: 2 messages (items 0, 1); neither Retry On Fail nor a Retry of this execution within 24 h sends them again',
	);
	expect(ctx.sim.messages.map((m) => m.toUserName)).toEqual([RETRY_ITEMS[0].to, RETRY_ITEMS[1].to]);

	const retry = await rt.rest({
		port: ctx.port,
		cookie: ctx.cookie,
		method: 'POST',
		path: `/rest/executions/${failed.id}/retry`,
		body: { loadWorkflow: false },
	});
	expect(retry.data).toMatchObject({
		mode: 'retry',
		retryOf: String(failed.id),
		status: 'success',
	});
	const retried = await execution(retry.data.id);
	const items = sendOutput(retried).map((i) => i.json);

	// The gateway got every message exactly once over both executions.
	expect(ctx.sim.messages.map((m) => m.toUserName)).toEqual(RETRY_ITEMS.map((i) => i.to));
	expect(items.map((json) => [json.ToUserName, json.NewMsgId])).toEqual(
		ctx.sim.messages.map((m) => [m.toUserName, m.newMsgId]),
	);
	expect(items.map((json) => json.skippedDuplicate === true)).toEqual([
		true,
		true,
		false,
		false,
		false,
	]);
	expect(items[0].duplicateOf).toMatchObject({ executionId: String(failed.id), foundBy: 'retry' });
	log(
		`retry ${retry.data.id} of ${failed.id}: ${JSON.stringify(items.map((j) => j.skippedDuplicate ?? false))}`,
	);
});

test('a webhook called twice with one payload, Skip Duplicates Within 10 min: each message goes out once', async () => {
	const url = await activate('onceHookFlow0001');
	const before = ctx.sim.messages.length;
	expect((await post(url, HOOK_ITEMS)).status).toBe(200);
	await waitFor(
		'the first execution',
		async () => (await executions('onceHookFlow0001')).length >= 1,
	);
	expect((await post(url, HOOK_ITEMS)).status).toBe(200);
	const list = await waitFor('both executions', async () => {
		const found = await executions('onceHookFlow0001');
		return found.length >= 2 && found;
	});
	expect(list.map((e) => e.status)).toEqual(['success', 'success']);
	const [second, first] = await Promise.all(list.map((e) => execution(e.id))); // newest first
	const sent = ctx.sim.messages.slice(before);
	expect(sent.map((m) => m.toUserName)).toEqual(HOOK_ITEMS.map((i) => i.to));
	expect(sendOutput(first).map((i) => i.json.skippedDuplicate === true)).toEqual([
		false,
		false,
		false,
	]);
	expect(sendOutput(second).map((i) => [i.json.skippedDuplicate, i.json.NewMsgId])).toEqual(
		sent.map((m) => [true, m.newMsgId]),
	);
});
