'use strict';
/**
 * End-to-end: this package, packed with `npm pack` and installed the way n8n installs a
 * community package, inside a real n8n (pinned, from scripts/n8n-runtime), against the gateway
 * simulator. Every assertion on a message is checked against the bytes the simulator received.
 *
 *   npm run test:e2e          (builds, packs, prepares n8n — cached —, cleans up)
 *   E2E_KEEP=1 npm run test:e2e   keeps the temporary n8n folder and prints its path
 *
 * One `n8n execute` costs seconds, so the work is batched: one import for all workflows, one
 * execution that runs every operation in branches, and the slow steps started together in
 * beforeAll (at most two n8n CLI processes at a time, beside the n8n server); each test awaits
 * the step it checks.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { XMLParser } = require('fast-xml-parser');

const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');
const wf = require('./workflows');

const { rt } = lib;
const SENDER = 'wxid_e2e_sender';
const AUTH = { name: 'X-Api-Key', value: 'e2e-s3cret-Value' };
/** 2^53 + 1: the first id that a JavaScript number cannot hold. */
const FIRST_ID = '9007199254740993';
const REJECTED = 'wxid_e2e_reject';
const REJECT_ERRMSG = 'simulated bad argument for this recipient';
const OWNER = { email: 'e2e@example.com', password: 'E2e-Passw0rd' };

const log = (m) => process.stderr.write(`[e2e ${((Date.now() - T0) / 1000).toFixed(1)}s] ${m}\n`);
const T0 = Date.now();

const xml = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	parseTagValue: false,
	trimValues: false,
});
const appmsg = (text) => xml.parse(text).appmsg;

/** Everything the tests share; filled by beforeAll. */
const ctx = {};

/** Marks a promise as handled now (a test awaits it later) and returns it. */
function later(promise) {
	promise.catch(() => {});
	return promise;
}

/** At most `n` of the given async jobs at a time. */
function limiter(n) {
	let active = 0;
	const queue = [];
	const next = () => {
		if (active >= n || !queue.length) return;
		active++;
		const { fn, resolve, reject } = queue.shift();
		fn()
			.then(resolve, reject)
			.finally(() => {
				active--;
				next();
			});
	};
	return (fn) => new Promise((resolve, reject) => (queue.push({ fn, resolve, reject }), next()));
}

const paired = (p) => (Array.isArray(p) ? p.map((x) => x.item) : p ? [p.item] : []);

beforeAll(
	async () => {
		ctx.work = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-e2e-'));
		log(`work folder ${ctx.work}`);
		await lib.buildPackage({ log });
		ctx.tarball = await lib.packPackage({ outDir: path.join(ctx.work, 'pack'), log });
		ctx.runtime = await rt.ensureRuntime({ log });
		log(`n8n ${ctx.runtime.version} on Node ${ctx.runtime.nodeVersion}`);

		ctx.sim = await startGatewaySimulator({
			accounts: [SENDER],
			firstMsgId: FIRST_ID,
			faults: [{ action: 'ret', ret: -2, errMsg: REJECT_ERRMSG, toUserName: REJECTED }],
		});
		ctx.authSim = await startGatewaySimulator({ accounts: [SENDER], authHeader: AUTH });
		ctx.demoSim = await startGatewaySimulator({
			accounts: [lib.DEMO_ACCOUNT],
			commandResponses: lib.exampleCommandResponses(),
		});
		ctx.retrySim = await startGatewaySimulator({
			accounts: [SENDER],
			faults: [
				{
					action: 'ret',
					ret: -1,
					errMsg: 'simulated system error, once',
					toUserName: wf.RETRY_RECIPIENTS[2],
					times: 1,
				},
				{ action: 'drop', toUserName: wf.UNKNOWN_RECIPIENTS[1], times: 1 },
			],
		});
		ctx.port = await rt.findFreePort();
		ctx.closedPort = await rt.findFreePort(); // handed out, never listened on: connections are refused
		log(
			`simulators ${ctx.sim.url} (auth ${ctx.authSim.url}, examples ${ctx.demoSim.url}); n8n will listen on ${ctx.port}`,
		);

		const C = wf.CREDENTIALS;
		const credential = (c, data) => ({
			...c,
			type: lib.credentialType(),
			data: { authentication: 'none', timeout: 10, ignoreSslIssues: false, ...data },
		});
		ctx.credentials = [
			credential(C.good, { baseUrl: ctx.sim.url, wxid: SENDER }),
			credential(C.auth, {
				baseUrl: ctx.authSim.url,
				wxid: SENDER,
				authentication: 'header',
				authHeaderName: AUTH.name,
				authHeaderSecret: AUTH.value,
			}),
			credential(C.wrongAccount, { baseUrl: ctx.sim.url, wxid: 'wxid_e2e_not_logged_in' }),
			credential(C.refused, { baseUrl: `http://127.0.0.1:${ctx.closedPort}`, wxid: SENDER }),
			credential(C.notGateway, { baseUrl: `http://127.0.0.1:${ctx.port}`, wxid: SENDER }),
			credential(C.retry, { baseUrl: ctx.retrySim.url, wxid: SENDER }),
			...lib.exampleCredentials(ctx.demoSim.url),
		];
		ctx.examples = lib.loadExampleWorkflows().map((e) => e.workflow);
		ctx.main = wf.mainWorkflow();
		ctx.fail = wf.failWorkflow();
		ctx.retry = wf.retryWorkflow();
		ctx.userFolder = path.join(ctx.work, 'n8n');
		await lib.prepareInstance({
			userFolder: ctx.userFolder,
			tarball: ctx.tarball,
			credentials: ctx.credentials,
			workflows: [ctx.main, ctx.fail, ctx.retry, ...ctx.examples],
			log,
		});

		// the slow steps, together: two n8n CLI processes at a time, beside the server
		const cli = limiter(2);
		const timed = (name, fn) => async () => {
			const started = Date.now();
			const value = await fn();
			log(`${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
			return value;
		};
		ctx.serverReady = later(
			timed('n8n start', async () => {
				const server = await rt.startServer({
					userFolder: ctx.userFolder,
					port: ctx.port,
					env: lib.childEnv(),
				});
				ctx.server = server;
				const { cookie } = await rt.setupOwner({ port: server.port, ...OWNER });
				return { server, cookie };
			})(),
		);
		ctx.mainRun = later(
			cli(
				timed('execute main', () => lib.execute({ userFolder: ctx.userFolder, id: ctx.main.id })),
			),
		);
		ctx.failRun = later(
			cli(
				timed('execute fail', () => lib.execute({ userFolder: ctx.userFolder, id: ctx.fail.id })),
			),
		);
		ctx.retryRun = later(
			cli(
				timed('execute retry', () => lib.execute({ userFolder: ctx.userFolder, id: ctx.retry.id })),
			),
		);
		ctx.exported = later(
			cli(
				timed('export:nodes', () =>
					rt.exportNodes({ userFolder: ctx.userFolder, env: lib.childEnv() }),
				),
			),
		);
		const runnable = ctx.examples.filter(lib.runsFromCli).sort(lib.byOperation);
		ctx.exampleRuns = later(
			Promise.all(
				runnable.map((w) =>
					cli(
						timed(`example ${w.id}`, () =>
							lib
								.runExamples({ userFolder: ctx.userFolder, workflows: [w], jobs: 1 })
								.then((r) => r[0]),
						),
					),
				),
			),
		);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	// let every step end before the folder goes
	await Promise.allSettled(
		[ctx.serverReady, ctx.mainRun, ctx.failRun, ctx.retryRun, ctx.exported, ctx.exampleRuns].filter(
			Boolean,
		),
	);
	if (ctx.server) await ctx.server.stop();
	for (const sim of [ctx.sim, ctx.authSim, ctx.demoSim, ctx.retrySim]) if (sim) await sim.close();
	if (ctx.work) {
		if (process.env.E2E_KEEP) log(`kept ${ctx.work}`);
		else fs.rmSync(ctx.work, { recursive: true, force: true });
	}
	log('cleaned up');
}, 120 * 1000);

/** Simulator messages to one recipient. */
const to = (sim, recipient) => sim.messages.filter((m) => m.toUserName === recipient);

/** The output items of a node in the main run, after checking the run succeeded. */
async function mainOutput(nodeName) {
	const result = await ctx.mainRun;
	if (!lib.succeeded(result))
		throw new Error(
			`the main execution failed: ${JSON.stringify(result.error)}\n${lib.tail(result.stdout + result.stderr, 3000)}`,
		);
	const items = lib.nodeOutput(result.run, nodeName);
	if (!items) throw new Error(`node "${nodeName}" did not run`);
	return items;
}

/** Asserts that an output item is the simulator's message to that recipient, id for id. */
function expectDelivered(sim, json, recipient) {
	const received = to(sim, recipient);
	expect(received).toHaveLength(1);
	expect(json).toMatchObject({ ToUserName: recipient, Ret: 0, ErrMsg: '' });
	expect(json.NewMsgId).toBe(received[0].newMsgId);
	expect(json.ClientMsgId).toBe(received[0].clientMsgId);
	return received[0];
}

// ---------------------------------------------------------------------------

describe('the package inside n8n', () => {
	test('n8n export:nodes lists the node and its AI tool variant', async () => {
		const nodes = await ctx.exported;
		const node = nodes.find((n) => n.name === lib.NODE_TYPE);
		const tool = nodes.find((n) => n.name === lib.TOOL_TYPE);
		expect(node).toBeDefined();
		expect(tool).toBeDefined();
		expect(node.displayName).toBe('WeChat Gateway');
		expect(node.credentials).toEqual([
			expect.objectContaining({ name: lib.credentialType(), required: true }),
		]);
		const operations = node.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) => p.options.map((o) => `${p.displayOptions.show.resource[0]}:${o.value}`));
		expect(operations.sort()).toEqual(lib.operationOrder().sort());
		expect(JSON.stringify(tool.outputs)).toContain('ai_tool');
		expect(tool.properties.map((p) => p.name)).toEqual(
			expect.arrayContaining([
				'toolDescription',
				'operation',
				'toUserName',
				'messageXml',
				'options',
			]),
		);
	});

	test('every example uses node types and versions n8n has, real parameter names, and explains itself in sticky notes', async () => {
		const nodes = await ctx.exported;
		const described = (type, version) =>
			nodes.find((n) => n.name === type && [].concat(n.version).includes(version));
		for (const workflow of ctx.examples) {
			const stickies = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
			expect({
				workflow: workflow.name,
				stickies: stickies.length > 0 && stickies.every((s) => s.parameters.content.length > 80),
			}).toEqual({ workflow: workflow.name, stickies: true });
			for (const node of workflow.nodes) {
				const description = described(node.type, node.typeVersion);
				expect({
					workflow: workflow.name,
					node: node.name,
					type: `${node.type}@${node.typeVersion}`,
					known: !!description,
				}).toMatchObject({ known: true });
				if (node.type !== lib.NODE_TYPE && node.type !== lib.TOOL_TYPE) continue;
				expect(node.credentials).toEqual({
					weChatGatewayApi: { id: 'WeChatGwDemo0001', name: 'WeChat Gateway (local simulator)' },
				});
				// every parameter set is one the node declares (top level and inside collections)
				const names = new Set(description.properties.map((p) => p.name));
				for (const [key, value] of Object.entries(node.parameters)) {
					expect({ node: node.name, parameter: key, declared: names.has(key) }).toMatchObject({
						declared: true,
					});
					if (value && typeof value === 'object' && !Array.isArray(value)) {
						const inner = new Set(
							description.properties
								.filter((p) => p.name === key)
								.flatMap((p) => (p.options || []).map((o) => o.name)),
						);
						for (const sub of Object.keys(value))
							expect({
								node: node.name,
								parameter: `${key}.${sub}`,
								declared: inner.has(sub),
							}).toMatchObject({ declared: true });
					}
				}
			}
		}
	});
});

describe('every operation through n8n execute', () => {
	test('sendLink: several items mapped by expressions from the previous node, several recipients each, paired to their item', async () => {
		const items = await mainOutput('Link per item');
		const expected = [
			['wxid_e2e_a', 0],
			['wxid_e2e_b', 1],
			['11111111111@chatroom', 1],
			['wxid_e2e_c', 2],
			['wxid_e2e_d', 2],
			['wxid_e2e_e', 2],
		];
		expect(items.map((i) => [i.json.ToUserName, paired(i.pairedItem)[0]])).toEqual(expected);
		for (const [index, { json }] of items.entries()) {
			const [recipient, itemIndex] = expected[index];
			const message = expectDelivered(ctx.sim, json, recipient);
			const source = wf.LINK_ITEMS[itemIndex];
			expect(json.type).toBe(5);
			// the XML n8n reports is the XML on the wire, byte for byte
			expect(json.AppMsgXml).toBe(message.appMsgXml);
			const sent = appmsg(message.appMsgXml);
			expect(sent.title).toBe(source.title);
			expect(sent.url).toBe(source.url);
			expect(sent.des).toBe(`${source.title} (${itemIndex} of 3)`);
			expect(sent.sourcedisplayname).toBe('E2E News');
			expect(message.appMsgXml).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;|#)/); // every & escaped
			expect(message).toMatchObject({ wxid: SENDER, timeout: '10', type: 5 });
		}
		const call = ctx.sim.calls.find((c) => c.toUserName === 'wxid_e2e_a');
		expect(call.query).toEqual({ funcname: 'MagicCgi', timeout: '10', wxid: SENDER });
		expect(JSON.parse(call.body)).toMatchObject({
			CgiCmd: 222,
			CgiRequest: { ToUserName: 'wxid_e2e_a', MsgType: 49 },
		});
	});

	test('NewMsgId is exact: the 64-bit ids the simulator issued, digit for digit, beyond 2^53', async () => {
		const { run } = await ctx.mainRun;
		await ctx.failRun;
		const ids = Object.keys(run.data.resultData.runData)
			.filter((name) => name !== 'Header auth') // that one went to the other simulator
			.flatMap((name) => lib.nodeOutput(run, name) || [])
			// a command's id is the one its ResponseData names
			.map((i) => i.json.NewMsgId ?? i.json.ResponseData?.NewMsgId)
			.filter((id) => id !== undefined);
		expect(ids).toHaveLength(18);
		for (const id of ids) expect(id).toMatch(/^\d+$/);
		// the simulator counts up from 2^53 + 1: a JSON.parse would have rounded about half of them
		expect(String(Number(FIRST_ID))).not.toBe(FIRST_ID);
		expect(ids.filter((id) => String(Number(id)) !== id).length).toBeGreaterThanOrEqual(5);
		const issued = ctx.sim.messages
			.filter((m) => m.toUserName !== 'wxid_e2e_f1')
			.map((m) => m.newMsgId);
		expect([...ids].sort()).toEqual([...issued].sort());
		expect(ctx.sim.messages.map((m) => m.newMsgId)).toContain(FIRST_ID);
	});

	test('forwardChannelsVideo from a received group message, with an override', async () => {
		const [item] = await mainOutput('Channels');
		const message = expectDelivered(ctx.sim, item.json, 'wxid_e2e_channels');
		expect(message.type).toBe(51);
		expect(message.appMsgXml.startsWith('<appmsg')).toBe(true);
		expect(message.appMsgXml).not.toContain('wxid_member77');
		const feed = appmsg(message.appMsgXml).finderFeed;
		expect(feed).toMatchObject({
			objectId: '14297890483116038323',
			objectNonceId: '5812342379112345678_0_0_0_0_0',
			nickname: '示例工作室 Studio',
			desc: 'Overridden caption',
		});
		expect(feed.username).toMatch(/@finder$/);
	});

	test('forwardMiniProgram from fields: expressions, and the page path gets its .html', async () => {
		const [item] = await mainOutput('Mini program');
		const message = expectDelivered(ctx.sim, item.json, '22222222222@chatroom');
		expect(message.type).toBe(33);
		const sent = appmsg(message.appMsgXml);
		expect(sent.title).toBe('Order #7');
		expect(sent.weappinfo).toMatchObject({
			appid: 'wxa1b2c3d4e5f60718',
			username: 'gh_0a1b2c3d4e5f@app',
			pagepath: 'pages/order/detail.html?id=7',
		});
		expect(sent.sourceusername).toBe('gh_0a1b2c3d4e5f@app');
	});

	test('forwardFile from the XML of a received file: the CDN attachment as received', async () => {
		const [item] = await mainOutput('File');
		const message = expectDelivered(ctx.sim, item.json, 'wxid_e2e_file');
		expect(message.type).toBe(6);
		const sent = appmsg(message.appMsgXml);
		const received = xml.parse(wf.RECEIVED.file).msg.appmsg;
		expect(sent.title).toBe('Gemini.pdf');
		for (const key of ['totallen', 'attachid', 'cdnattachurl', 'aeskey', 'fileext'])
			expect(sent.appattach[key]).toBe(received.appattach[key]);
		expect(sent.md5).toBe(received.md5);
		expect(message.appMsgXml).not.toContain('<fromusername>');
	});

	test('sendAppMsgXml: a whole received <msg>, sent as its <appmsg>', async () => {
		const [item] = await mainOutput('App msg');
		const message = expectDelivered(ctx.sim, item.json, 'wxid_e2e_appmsg');
		expect(message.type).toBe(5);
		const sent = appmsg(message.appMsgXml);
		expect(sent.title).toBe('Weekly report <Q3>');
		expect(sent.url).toBe('https://example.com/report?id=42&lang=en');
	});

	test('parseAppMsgXml: four received messages become fields, and nothing is sent', async () => {
		const items = await mainOutput('Parse');
		expect(items.map((i) => [i.json.typeName, paired(i.pairedItem)[0]])).toEqual([
			['file', 0],
			['miniProgram', 1],
			['channelsVideo', 2],
			['link', 3],
		]);
		expect(items[0].json).toMatchObject({
			type: 6,
			title: 'Gemini.pdf',
			fromUsername: 'wxid_sender123',
			file: { fileName: 'Gemini.pdf', fileSize: 1714122 },
		});
		expect(items[1].json.miniProgram).toMatchObject({ appId: 'wxa1b2c3d4e5f60718' });
		expect(items[2].json.channelsVideo).toMatchObject({ objectId: '14297890483116038323' });
		for (const { json } of items) {
			expect(json.appMsgXml.startsWith('<appmsg')).toBe(true);
			expect(json.NewMsgId).toBeUndefined();
		}
	});

	test('sendText with a mention: @Name + U+2005 in Content, the wxid in AtUsers, the exact id back', async () => {
		const [item] = await mainOutput('Text with mention');
		const [message] = ctx.sim.messages.filter((m) => m.cgiCmd === 522);
		expect(message).toMatchObject({
			toUserName: wf.TALK.group,
			content: `@${wf.TALK.mentionName}\u2005${wf.TALK.text}`,
			atUsers: [wf.TALK.mentionWxid],
		});
		const body = JSON.parse(ctx.sim.calls.find((c) => c.callNumber === message.callNumber).body);
		expect(body).toEqual({
			CgiCmd: 522,
			CgiRequest: {
				ToUserName: wf.TALK.group,
				Content: `@${wf.TALK.mentionName}\u2005${wf.TALK.text}`,
				MsgType: 1,
				AtUsers: wf.TALK.mentionWxid,
			},
		});
		expect(item.json).toEqual({
			ToUserName: wf.TALK.group,
			NewMsgId: message.newMsgId,
			ClientMsgId: message.clientMsgId,
			Ret: 0,
			ErrMsg: '',
			MsgType: 1,
		});
		expect(BigInt(item.json.NewMsgId)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
	});

	test('replyWithQuote from a trigger-shaped item: each field mapped 1:1, <refermsg> exact, the quoted id digit for digit', async () => {
		const [item] = await mainOutput('Quote reply');
		const message = ctx.sim.messages.find((m) => m.type === 57);
		const appMsg = xml.parse(message.appMsgXml).appmsg;
		expect(appMsg.title).toBe(wf.TALK.reply);
		expect(appMsg.refermsg).toEqual({
			type: '1',
			svrid: wf.TALK.quoted.newMsgId,
			fromusr: wf.TALK.group,
			chatusr: wf.TALK.quoted.senderWxid,
			displayname: wf.TALK.quoted.senderName,
			content: wf.TALK.quoted.content,
		});
		expect(item.json).toMatchObject({
			ToUserName: wf.TALK.group,
			NewMsgId: message.newMsgId,
			ClientMsgId: message.clientMsgId,
			type: 57,
		});
	});

	test('callGatewayCommand: the request reaches the gateway with its 64-bit number bare; ResponseData exact', async () => {
		const [item] = await mainOutput('Custom command');
		const command = ctx.sim.messages.find((m) => m.cgiCmd === 594);
		expect(command.request).toBe(wf.TALK.commandRequest);
		expect(item.json).toMatchObject({
			ToUserName: wf.TALK.commandTo,
			Ret: 0,
			CgiCmd: 594,
			ResponseData: {
				NewMsgId: command.newMsgId,
				Echo: { ToUserName: wf.TALK.commandTo, NewMsgId: wf.TALK.quoted.newMsgId },
			},
		});
	});

	test('header authentication reaches the gateway, and the secret is in no output', async () => {
		const [item] = await mainOutput('Header auth');
		expectDelivered(ctx.authSim, item.json, 'wxid_e2e_auth');
		const call = ctx.authSim.calls.find((c) => c.toUserName === 'wxid_e2e_auth');
		expect(call.headers[AUTH.name.toLowerCase()]).toBe(AUTH.value);
		const result = await ctx.mainRun;
		expect(JSON.stringify(result.run)).not.toContain(AUTH.value);
		// the other credential sends no such header
		expect(ctx.sim.calls.every((c) => c.headers[AUTH.name.toLowerCase()] === undefined)).toBe(true);
	});

	test('default pacing: at least Message Interval (1000 ms) between two messages of the account', async () => {
		const items = await mainOutput('Default pacing');
		expect(items.map((i) => i.json.ToUserName)).toEqual(wf.PACED_RECIPIENTS);
		const times = wf.PACED_RECIPIENTS.map(
			(r) =>
				expectDelivered(ctx.sim, items.find((i) => i.json.ToUserName === r).json, r).receivedAt,
		);
		for (let i = 1; i < times.length; i++) {
			expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(995);
			// 30% jitter at most, and room for a busy machine; far from the minute the recipient limit would cost
			expect(times[i] - times[i - 1]).toBeLessThan(10000);
		}
	});
});

describe('errors', () => {
	test('Continue On Fail: an error item for a refused recipient and for a nickname, and the other items still go out', async () => {
		const items = await mainOutput('Continue on fail');
		expect(items.map((i) => paired(i.pairedItem)[0])).toEqual([0, 1, 2, 3]);
		expectDelivered(ctx.sim, items[0].json, 'wxid_e2e_ok1');
		expectDelivered(ctx.sim, items[3].json, 'wxid_e2e_ok2');
		const refused = items[1].json;
		expect(refused).toMatchObject({
			ToUserName: REJECTED,
			Ret: -2,
			ErrMsg: REJECT_ERRMSG,
			delivery: 'rejected',
		});
		expect(refused.error).toMatch(/Ret -2/);
		expect(refused.error).toContain('item 1');
		expect(refused.error).toContain(REJECTED);
		expect(refused.NewMsgId).toBeUndefined();
		const nickname = items[2].json;
		expect(nickname.error).toContain('item 2');
		expect(nickname.error).toContain('Alice Smith');
		expect(nickname.NewMsgId).toBeUndefined();
		expect(ctx.sim.calls.some((c) => c.toUserName === 'Alice Smith')).toBe(false); // refused before sending
		expect(to(ctx.sim, REJECTED)).toHaveLength(0);
	});

	test('without Continue On Fail the execution fails, naming the item and recipient, and sends nothing after it', async () => {
		const result = await ctx.failRun;
		expect(result.ok).toBe(false);
		expect(result.code).not.toBe(0);
		expect(result.status).toBe('error');
		const error = lib.rt.nodeError(result.run, 'Stops on error');
		expect(error).toBeDefined();
		expect(error.message).toMatch(/Ret -2/);
		expect(error.message).toContain('item 1');
		expect(error.message).toContain(REJECTED);
		expect(error.description).toMatch(/Sent before this error in this run: 1 message \(item 0\)/);
		expect(lib.nodeOutput(result.run, 'Stops on error')).toEqual([]);
		expect(to(ctx.sim, 'wxid_e2e_f1')).toHaveLength(1);
		expect(ctx.sim.calls.some((c) => c.toUserName === 'wxid_e2e_f2')).toBe(false);
	});

	test('the simulator received exactly the messages n8n reported, and nothing else', async () => {
		await Promise.all([ctx.mainRun, ctx.failRun]);
		const recipients = ctx.sim.messages.map((m) => m.toUserName).sort();
		expect(recipients).toEqual(
			[
				'wxid_e2e_a',
				'wxid_e2e_b',
				'11111111111@chatroom',
				'wxid_e2e_c',
				'wxid_e2e_d',
				'wxid_e2e_e',
				'wxid_e2e_channels',
				'22222222222@chatroom',
				'wxid_e2e_file',
				'wxid_e2e_appmsg',
				'wxid_e2e_ok1',
				'wxid_e2e_ok2',
				...wf.PACED_RECIPIENTS,
				'wxid_e2e_f1',
				wf.TALK.group,
				wf.TALK.group,
				wf.TALK.commandTo,
			].sort(),
		);
		const refused = ctx.sim.calls.filter((c) => c.toUserName && c.ret !== 0);
		expect(refused.map((c) => [c.toUserName, c.ret])).toEqual([
			[REJECTED, -2],
			[REJECTED, -2],
		]);
	});
});

describe("n8n's own Retry On Fail", () => {
	test('the gateway fails the third item once: n8n runs the node again, and nothing already sent goes out twice', async () => {
		const result = await ctx.retryRun;
		const items = lib.nodeOutput(result.run, 'Retried after a refusal');
		expect(items).toHaveLength(4);
		for (const [index, recipient] of wf.RETRY_RECIPIENTS.entries()) {
			expect(paired(items[index].pairedItem)).toEqual([index]);
			expectDelivered(ctx.retrySim, items[index].json, recipient);
		}
		const calls = (recipient) =>
			ctx.retrySim.calls.filter((c) => c.toUserName === recipient).map((c) => c.ret);
		expect(wf.RETRY_RECIPIENTS.map(calls)).toEqual([[0], [0], [-1, 0], [0]]);
	});

	test('a lost answer after the gateway sent: n8n retries the node, the message is not sent again, and the run fails saying so', async () => {
		const result = await ctx.retryRun;
		const [lost, ...others] = [
			wf.UNKNOWN_RECIPIENTS[1],
			wf.UNKNOWN_RECIPIENTS[0],
			wf.UNKNOWN_RECIPIENTS[2],
		];
		expect(to(ctx.retrySim, lost)).toHaveLength(1);
		expect(ctx.retrySim.calls.filter((c) => c.toUserName === lost)).toHaveLength(1);
		expect(to(ctx.retrySim, others[0])).toHaveLength(1);
		expect(ctx.retrySim.calls.some((c) => c.toUserName === others[1])).toBe(false);
		const error = lib.rt.nodeError(result.run, 'Retried after a lost answer');
		expect(error.message).toMatch(/may or may not have been sent/);
		expect(error.message).toContain(`item 1, to ${lost}`);
		expect(result.ok).toBe(false);
	});
});

/** The items of an example's read (contact, group, account) against the examples' simulator. */
function expectExampleRead(named, items) {
	const jsons = items.map((item) => item.json);
	if (named === 'contact.get')
		expect(jsons.map((json) => [json.wxid, json.found, json.NickName])).toEqual([
			['wxid_demo_alice', true, 'Alice'],
			['wxid_demo_bob', true, 'Bob'],
		]);
	if (named === 'group.get')
		expect(jsons).toEqual([
			expect.objectContaining({
				groupId: '12345678901@chatroom',
				ChatRoomOwner: 'wxid_demo_alice',
				ChatRoomMember: [
					expect.objectContaining({ Wxid: 'wxid_demo_alice' }),
					expect.objectContaining({ Wxid: 'wxid_demo_bob' }),
				],
			}),
		]);
	if (named === 'account.getStatus')
		expect(jsons).toEqual([
			{ online: true, nickname: expect.any(String), accounts: [expect.any(Object)] },
		]);
	if (named === 'account.requestLogin') {
		expect(jsons).toEqual([{ Ret: 0, ErrMsg: '', ResponseData: {} }]);
		expect(ctx.demoSim.account.requests).toContainEqual(
			expect.objectContaining({ route: 'login/push', wxid: lib.DEMO_ACCOUNT }),
		);
	}
	if (named === 'account.getLoginQrCode') {
		expect(jsons).toEqual([
			{ mimeType: 'image/png', fileName: 'login-qr-code.png', fileSize: expect.any(Number) },
		]);
	}
}

describe('the example workflows', () => {
	test(
		"each example that starts with a Manual Trigger runs through n8n execute, and its NewMsgIds are the simulator's",
		async () => {
			const runs = await ctx.exampleRuns;
			expect(runs.map((r) => r.workflow.id).sort()).toEqual(
				ctx.examples
					.filter(lib.runsFromCli)
					.map((w) => w.id)
					.sort(),
			);
			const counts = {};
			for (const { workflow, result, nodes } of runs) {
				const ok = lib.succeeded(result);
				const why = ok
					? undefined
					: {
							code: result.code,
							status: result.status,
							error: result.error && result.error.message,
							output: lib.tail(result.stdout + result.stderr, 2500),
						};
				if (result.exitWarning)
					log(
						`${workflow.id}: ${result.exitWarning}:\n${lib.tail(result.stdout + result.stderr, 1500)}`,
					);
				expect({ workflow: workflow.name, ok, why }).toEqual({
					workflow: workflow.name,
					ok: true,
					why: undefined,
				});
				for (const node of nodes) {
					const named =
						node.resource === 'message' ? node.operation : `${node.resource}.${node.operation}`;
					counts[named] = node.items.length;
					if (node.operation === 'parseAppMsgXml') continue;
					if (node.resource === 'contact' || node.resource === 'account' || named === 'group.get') {
						expectExampleRead(named, node.items);
						continue;
					}
					for (const { json } of node.items) {
						if (node.operation === 'callGatewayCommand') {
							// Its id is the one the command's ResponseData names, exact; a list (the
							// examples' configured cgi 182 answer) names none.
							const command = ctx.demoSim.messages.find((m) =>
								Array.isArray(json.ResponseData)
									? m.cgiCmd === json.CgiCmd
									: m.newMsgId === json.ResponseData.NewMsgId,
							);
							expect(command).toMatchObject({ cgiCmd: json.CgiCmd, wxid: lib.DEMO_ACCOUNT });
							continue;
						}
						if (node.operation === 'getMembers') {
							expect(json).toMatchObject({
								groupId: '12345678901@chatroom',
								Wxid: expect.any(String),
							});
							continue;
						}
						if (node.operation === 'removeMembers' || node.operation === 'pat') {
							// Their answers carry no id: the command the gateway received is the proof.
							const command = ctx.demoSim.messages.find(
								(m) => m.cgiCmd === (node.operation === 'pat' ? 849 : 179),
							);
							expect(JSON.parse(command.request)).toEqual(
								node.operation === 'pat'
									? { ChatUserName: json.ToUserName, PattedUsername: 'wxid_demo_alice', Scene: 0 }
									: { Wxid: ['wxid_demo_bob'], ChatroomID: json.groupId },
							);
							expect(json.Ret).toBe(0);
							continue;
						}
						if (node.operation === 'revoke') {
							const revoke = ctx.demoSim.messages.find((m) => m.cgiCmd === 594);
							expect(revoke.request).toContain(`"NewMsgId":${json.revokedNewMsgId},`);
							expect(json).toMatchObject({ ToUserName: revoke.toUserName, Ret: 0 });
							continue;
						}
						const message = ctx.demoSim.messages.find((m) => m.newMsgId === json.NewMsgId);
						expect(message).toBeDefined();
						expect(message).toMatchObject({ toUserName: json.ToUserName, wxid: lib.DEMO_ACCOUNT });
						// A picture's answer carries no ClientMsgId; where one came back, it is the gateway's.
						if (json.ClientMsgId !== undefined) expect(message.clientMsgId).toBe(json.ClientMsgId);
						else expect(node.operation).toBe('sendImage');
					}
				}
			}
			expect(counts).toEqual({
				sendLink: 3,
				forwardChannelsVideo: 1,
				forwardMiniProgram: 1,
				forwardFile: 1,
				sendAppMsgXml: 1,
				parseAppMsgXml: 4,
				sendText: 1,
				replyWithQuote: 1,
				sendImage: 1,
				callGatewayCommand: 1,
				'group.getMembers': 2,
				revoke: 1,
				pat: 1,
				'contact.get': 2,
				'group.get': 1,
				'group.removeMembers': 1,
				'account.getStatus': 1,
				'account.requestLogin': 1,
				'account.getLoginQrCode': 1,
			});
			// and each went out once (the webhook example's forwarded files and the form's cards aside)
			const fromExamples = ctx.demoSim.messages.filter(
				(m) =>
					['wxid_demo_alice', 'wxid_demo_bob', '12345678901@chatroom'].includes(m.toUserName) &&
					!(m.type === 6 && m.toUserName === '12345678901@chatroom'),
			);
			expect(fromExamples).toHaveLength(11); // the revoke is addressed to its chat
		},
		// nineteen examples, two n8n executes at a time, each up to a minute on a busy machine
		15 * 60 * 1000,
	);
});

describe('the n8n server (editor and REST API)', () => {
	test('the editor knows the node and its tool, and lists every imported workflow and credential', async () => {
		const { server, cookie } = await ctx.serverReady;
		const types = await rt.rest({ port: server.port, cookie, path: '/types/nodes.json' });
		const names = types.json.map((t) => t.name);
		expect(names).toEqual(expect.arrayContaining([lib.NODE_TYPE, lib.TOOL_TYPE]));
		const workflows = await rt.rest({ port: server.port, cookie, path: '/rest/workflows' });
		expect(workflows.data.map((w) => w.id)).toEqual(
			expect.arrayContaining([ctx.main.id, ctx.fail.id, ...ctx.examples.map((w) => w.id)]),
		);
		const credentials = await rt.rest({ port: server.port, cookie, path: '/rest/credentials' });
		expect(credentials.data.map((c) => c.id).sort()).toEqual(
			ctx.credentials.map((c) => c.id).sort(),
		);
	});

	/** What the editor does: read the stored credential (secrets redacted), send it back, edited, to test. */
	async function credentialTest(c, change = {}) {
		const { server, cookie } = await ctx.serverReady;
		const stored = await rt.rest({
			port: server.port,
			cookie,
			path: `/rest/credentials/${c.id}?includeData=true`,
		});
		const body = {
			credentials: {
				id: c.id,
				name: stored.data.name,
				type: stored.data.type,
				data: { ...stored.data.data, ...change },
			},
		};
		const r = await rt.rest({
			port: server.port,
			cookie,
			method: 'POST',
			path: '/rest/credentials/test',
			body,
		});
		return r.data;
	}

	test('credential test (POST /rest/credentials/test): passes for the gateway, fails clearly otherwise, and sends nothing', async () => {
		const { server, cookie } = await ctx.serverReady;
		const test = credentialTest;
		const C = wf.CREDENTIALS;
		expect(await test(C.good)).toEqual({
			status: 'OK',
			message: `Connected to the WeChat gateway as ${SENDER}`,
		});
		expect(await test(C.auth)).toMatchObject({ status: 'OK' });
		const wrongAccount = await test(C.wrongAccount);
		expect(wrongAccount.status).toBe('Error');
		expect(wrongAccount.message).toMatch(/Ret -13/);
		const refused = await test(C.refused);
		expect(refused.status).toBe('Error');
		expect(refused.message).toMatch(/refused|ECONNREFUSED/i);
		const notGateway = await test(C.notGateway);
		expect(notGateway.status).toBe('Error');
		expect(notGateway.message).toMatch(/gateway/i);
		// the stored secret never comes back to the browser
		const stored = await rt.rest({
			port: server.port,
			cookie,
			path: `/rest/credentials/${C.auth.id}?includeData=true`,
		});
		expect(JSON.stringify(stored.data)).not.toContain(AUTH.value);
		// the test probes (cgi 222 without a recipient, which the gateway refuses), it never sends
		for (const [sim, tests] of [
			[ctx.sim, 2],
			[ctx.authSim, 1],
		]) {
			const probes = sim.calls.filter((c) => !c.toUserName);
			expect(probes.length).toBeGreaterThanOrEqual(tests);
			expect(probes.every((c) => c.ret !== 0)).toBe(true);
		}
	});

	// A proxy's 401 is a refusal even when its body looks like the gateway's JSON.
	test('credential test with a wrong header secret fails', async () => {
		const wrongSecret = await credentialTest(wf.CREDENTIALS.auth, {
			authHeaderSecret: 'not-the-secret',
		});
		expect(wrongSecret.status).toBe('Error');
		expect(wrongSecret.message).not.toContain('not-the-secret');
	});

	/** Activates an imported workflow the way the editor's toggle does. */
	async function activate(id) {
		const { server, cookie } = await ctx.serverReady;
		await rt.activateWorkflow({ port: server.port, cookie, id });
		return { server, cookie };
	}

	/**
	 * n8n registers an activated workflow's webhooks a moment after the REST call returns. A GET to
	 * a POST-only webhook answers "not registered for GET requests. Did you mean POST?" once it is.
	 */
	async function webhookRegistered(url) {
		await waitFor(
			`${url} to be registered`,
			async () => {
				const r = await fetch(url);
				const text = await r.text();
				return r.status === 200 || /Did you mean to make a POST request/.test(text);
			},
			{ timeoutMs: 30000 },
		);
	}

	async function finishedExecutions(server, cookie, workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const r = await rt.rest({
			port: server.port,
			cookie,
			path: `/rest/executions?filter=${filter}`,
		});
		return r.data.results.filter((e) => e.status !== 'running' && e.status !== 'new');
	}

	test('example "forward every file": activated, it forwards the file Alice sends and nothing else', async () => {
		const { server, cookie } = await activate('wcgwFwdFiles0001');
		await webhookRegistered(`${server.url}/webhook/wechat-received`);
		const post = (body) =>
			fetch(`${server.url}/webhook/wechat-received`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
		const fromAlice = wf.RECEIVED.file.replace('wxid_sender123', 'wxid_demo_alice');
		const linkFromAlice = wf.RECEIVED.link.replace('wxid_news', 'wxid_demo_alice');
		const fileFromBob = wf.RECEIVED.file.replace('wxid_sender123', 'wxid_demo_bob');
		for (const Content of [linkFromAlice, fileFromBob, fromAlice]) {
			const r = await post({ FromUserName: 'wxid_x', MsgType: 49, Content });
			expect(r.status).toBe(200);
		}
		await waitFor(
			'3 finished executions of the webhook workflow',
			async () => (await finishedExecutions(server, cookie, 'wcgwFwdFiles0001')).length >= 3,
		);
		const executions = await finishedExecutions(server, cookie, 'wcgwFwdFiles0001');
		expect(executions.map((e) => e.status)).toEqual(['success', 'success', 'success']);
		const forwarded = ctx.demoSim.messages.filter(
			(m) => m.toUserName === '12345678901@chatroom' && m.type === 6,
		);
		expect(forwarded).toHaveLength(1);
		const sent = appmsg(forwarded[0].appMsgXml);
		expect(sent.appattach.attachid).toBe(xml.parse(wf.RECEIVED.file).msg.appmsg.appattach.attachid);
	});

	test('example "send a link card from a form": the form page is served and a submission sends the card to each recipient', async () => {
		const { server } = await activate('wcgwFormLink0001');
		await webhookRegistered(`${server.url}/form/wechat-share-link`);
		const page = await fetch(`${server.url}/form/wechat-share-link`);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Share a link on WeChat');
		const form = new FormData();
		const fields = [
			'From the form <e2e>',
			'https://example.com/form?a=1&b=2',
			'Sent by a person',
			'',
			'wxid_e2e_form1, wxid_e2e_form2',
		];
		fields.forEach((value, i) => form.append(`field-${i}`, value));
		const submitted = await fetch(`${server.url}/form/wechat-share-link`, {
			method: 'POST',
			body: form,
		});
		expect(submitted.status).toBe(200);
		const messages = await waitFor('two link cards from the form', () => {
			const m = ctx.demoSim.messages.filter((x) =>
				(x.toUserName ?? '').startsWith('wxid_e2e_form'),
			);
			return m.length >= 2 && m;
		});
		expect(messages.map((m) => m.toUserName)).toEqual(['wxid_e2e_form1', 'wxid_e2e_form2']);
		for (const m of messages) {
			const sent = appmsg(m.appMsgXml);
			expect(sent.title).toBe(fields[0]);
			expect(sent.url).toBe(fields[1]);
			expect(sent.des).toBe(fields[2]);
		}
		// the example keeps the default pacing: a second apart
		expect(messages[1].receivedAt - messages[0].receivedAt).toBeGreaterThanOrEqual(995);
	});

	test('stopping n8n leaves no process behind', async () => {
		await Promise.allSettled([ctx.mainRun, ctx.failRun, ctx.exported, ctx.exampleRuns]);
		const { server } = await ctx.serverReady;
		await server.stop();
		const alive = (pid) => {
			try {
				process.kill(-pid, 0);
				return true;
			} catch {
				return false;
			}
		};
		expect(alive(server.pid)).toBe(false);
		await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
	});
});
