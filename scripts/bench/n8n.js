// @ts-check
'use strict';
/**
 * Section 3 of the benchmark: the real, pinned n8n (scripts/n8n-runtime), with this package
 * installed from `npm pack`. Two workflows, run with `n8n execute`:
 *
 *   Start ─┬─ Warm Items (Code, 200) ─ Warm-up (node under test → the `warm` simulator)
 *          └─ Items (Code, 2,000)    ─ measured node (→ the `main` simulator)
 *
 * once with n8n's HTTP Request node (4.2) posting the prepared bodies, once with this node.
 * The warm-up branch runs first (execution order v1: branches top to bottom) in the same
 * process, so the measured node is not timed cold, and it talks to another simulator, so the
 * measured node's TCP connections are counted alone. Times are the measured node's
 * `executionTime` from the run data, not the `n8n execute` process's wall time (most of which is
 * n8n starting up).
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const rt = require('../n8n-runtime/runtime');
const workload = require('./workload');
const sim = require('./control');
const { runToFile } = require('./procs');

const WARM_ITEMS = 200;
const PACKAGE = 'n8n-nodes-wechat-gateway';
const IDS = {
	http: 'benchHttpRequest',
	wechat: 'benchWeChatNode0',
	wechatConst: 'benchWeChatConst',
	credMain: 'benchCredMain001',
	credWarm: 'benchCredWarm001',
};
const MEASURED = { http: 'HTTP Request', wechat: 'WeChat Gateway', wechatConst: 'WeChat Gateway' };
const LABELS = {
	http: 'HTTP Request node',
	wechat: 'WeChat node',
	wechatConst: 'WeChat node, no expressions',
};

function httpRequestNode(name, baseUrl, position) {
	return {
		id: `${name}-id`,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position,
		parameters: {
			method: 'POST',
			url: workload.endpointOf(baseUrl),
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody:
				'={{ JSON.stringify({ CgiCmd: 222, CgiRequest: { ToUserName: $json.to, AppMsgXml: $json.xml, MsgType: 49 } }) }}',
			options: {},
		},
	};
}

function weChatNode(name, credential, position, parameters = workload.nodeParameters()) {
	return {
		id: `${name}-id`,
		name,
		type: `${PACKAGE}.weChatGateway`,
		typeVersion: 1,
		position,
		parameters,
		credentials: { weChatGatewayApi: { id: credential.id, name: credential.name } },
	};
}

function workflow(id, name, warmNode, measuredNode, items, tpls) {
	const code = (nodeName, count, offset, position) => ({
		id: `${nodeName}-id`,
		name: nodeName,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position,
		parameters: { jsCode: workload.codeNodeSource(count, tpls, offset) },
	});
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'start-id',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			code('Warm Items', WARM_ITEMS, items, [220, 0]),
			warmNode,
			code('Items', items, 0, [220, 300]),
			measuredNode,
		],
		connections: {
			Start: {
				main: [
					[
						{ node: 'Warm Items', type: 'main', index: 0 },
						{ node: 'Items', type: 'main', index: 0 },
					],
				],
			},
			'Warm Items': { main: [[{ node: warmNode.name, type: 'main', index: 0 }]] },
			Items: { main: [[{ node: measuredNode.name, type: 'main', index: 0 }]] },
		},
	};
}

/**
 * Installs everything into a fresh user folder under `workDir`.
 * @returns {Promise<{ userFolder: string, pack: string, setupMs: number }>}
 */
async function prepare({ workDir, urls, items, log, packageRoot = workload.PACKAGE_ROOT }) {
	const start = Date.now();
	const runtime = await rt.ensureRuntime({ log });
	const packDir = path.join(workDir, 'pack');
	fs.rmSync(packDir, { recursive: true, force: true });
	fs.mkdirSync(packDir, { recursive: true });
	const packOut = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], {
		cwd: packageRoot,
		encoding: 'utf8',
	});
	const pack = path.join(packDir, packOut.trim().split('\n').pop() ?? '');
	const userDir = path.join(workDir, 'n8n');
	fs.mkdirSync(userDir, { recursive: true });
	const { userFolder } = await rt.createUserFolder(userDir, { reset: true });
	await rt.installCommunityPackage({ userFolder, tarball: pack });

	const creds = [
		{
			id: IDS.credMain,
			name: 'Bench gateway',
			type: 'weChatGatewayApi',
			data: { baseUrl: urls.main, wxid: workload.SENDER, authentication: 'none', timeout: 10 },
		},
		{
			id: IDS.credWarm,
			name: 'Bench warm-up gateway',
			type: 'weChatGatewayApi',
			data: { baseUrl: urls.warm, wxid: workload.SENDER, authentication: 'none', timeout: 10 },
		},
	];
	const credFile = path.join(workDir, 'credentials.json');
	fs.writeFileSync(credFile, JSON.stringify(creds));
	await rt.importCredentials({ userFolder, file: credFile });

	const tpls = workload.templates();
	const credentialOf = (c) => ({ id: c.id, name: c.name });
	const constant = workload.constantParameters(tpls);
	const workflows = [
		workflow(
			IDS.http,
			'bench: HTTP Request node',
			httpRequestNode('Warm-up', urls.warm, [440, 0]),
			httpRequestNode(MEASURED.http, urls.main, [440, 300]),
			items,
			tpls,
		),
		workflow(
			IDS.wechat,
			'bench: WeChat Gateway node',
			weChatNode('Warm-up', credentialOf(creds[1]), [440, 0]),
			weChatNode(MEASURED.wechat, credentialOf(creds[0]), [440, 300]),
			items,
			tpls,
		),
		// The same message to one chat for every item: no expression to evaluate per item.
		workflow(
			IDS.wechatConst,
			'bench: WeChat Gateway node, no expressions',
			weChatNode('Warm-up', credentialOf(creds[1]), [440, 0]),
			weChatNode(MEASURED.wechatConst, credentialOf(creds[0]), [440, 300], constant.parameters),
			items,
			tpls,
		),
	];
	const wfFile = path.join(workDir, 'workflows.json');
	fs.writeFileSync(wfFile, JSON.stringify(workflows));
	await rt.importWorkflow({ userFolder, file: wfFile });
	return {
		userFolder,
		pack: path.relative(workload.ROOT, pack) || pack,
		setupMs: Date.now() - start,
		n8nVersion: runtime.version,
		nodeVersion: runtime.nodeVersion,
	};
}

/**
 * `n8n execute --id=… --rawOutput`, as the runtime library's executeWorkflow does, but with the
 * output going to a file (see procs.runToFile).
 */
async function executeWorkflow({ userFolder, id, env }) {
	const runtime = await rt.ensureRuntime({ log: () => undefined });
	const brokerPort = await rt.findFreePort();
	const outFile = path.join(path.dirname(userFolder), `execute-${id}.out`);
	const res = await runToFile(
		runtime.nodeBin,
		[runtime.n8nBin, 'execute', `--id=${id}`, '--rawOutput'],
		{
			cwd: userFolder,
			env: rt.n8nEnv({ userFolder, brokerPort, extra: env }),
			outFile,
		},
	);
	const run = rt.parseRunOutput(res.stdout);
	const resultData = run?.data?.resultData;
	return {
		code: res.code,
		ok: res.code === 0 && !!run && !resultData?.error,
		status: run?.status,
		error: resultData?.error,
		run,
		stdout: res.stdout,
		stderr: '',
		ms: res.ms,
	};
}

/** One `n8n execute` of a bench workflow; the measured node's figures. */
async function executeOnce({ userFolder, which, items, control, env }) {
	await sim.reset(control);
	const before = (await sim.stats(control)).main;
	const res = await executeWorkflow({ userFolder, id: IDS[which], env });
	await new Promise((resolve) => setTimeout(resolve, 50));
	const after = (await sim.stats(control)).main;
	const nodeName = MEASURED[which];
	const runData = res.run?.data?.resultData?.runData ?? {};
	const task = runData[nodeName]?.[0];
	const warm = runData['Warm-up']?.[0];
	if (!res.ok || !task) {
		const why =
			res.error?.message ??
			task?.error?.message ??
			`exit ${res.code}, status ${res.status}, no run data found in its output`;
		fs.writeFileSync(
			path.join(path.dirname(userFolder), `failed-execute-${which}.log`),
			res.stdout,
		);
		throw new Error(
			`n8n execute (${which}) failed: ${why} (its output: ${path.join(path.dirname(userFolder), `failed-execute-${which}.log`)})`,
		);
	}
	const out = task.data?.main?.[0] ?? [];
	const sent = after.sent - before.sent;
	if (out.length !== items || sent !== items)
		throw new Error(
			`n8n execute (${which}): ${out.length} outputs, ${sent} messages accepted, for ${items} items`,
		);
	const first = (await sim.messages(control, 0, 1))[0];
	const firstJson = out[0].json;
	const returnedId = which === 'http' ? firstJson?.ResponseData?.NewMsgId : firstJson?.NewMsgId;
	return {
		executionTime: task.executionTime,
		perSecond: (items / task.executionTime) * 1000,
		connections: after.connections - before.connections,
		warmedUpFirst: !!warm && warm.startTime <= task.startTime,
		processMs: res.ms,
		newMsgId: {
			returned: String(returnedId),
			gateway: first.newMsgId,
			exact: String(returnedId) === first.newMsgId,
		},
	};
}

/** Runs the workflows `rounds` times, in turn (HTTP Request node, this node, this node without expressions). */
async function measure({ workDir, urls, control, items, rounds, log }) {
	const setup = await prepare({ workDir, urls, items, log });
	log(`  n8n ready in ${(setup.setupMs / 1000).toFixed(1)} s (${setup.pack} installed)`);
	const runs = { http: [], wechat: [], wechatConst: [] };
	for (let round = 0; round < rounds; round++) {
		for (const which of /** @type {const} */ (['http', 'wechat', 'wechatConst'])) {
			let result;
			try {
				result = await executeOnce({ userFolder: setup.userFolder, which, items, control });
			} catch (error) {
				// One retry: on a busy machine an `n8n execute` can fail for reasons of its own.
				log(
					`  n8n execute, ${LABELS[which]} failed, once more: ${String(error.message).split('\n')[0]}`,
				);
				result = await executeOnce({ userFolder: setup.userFolder, which, items, control });
			}
			runs[which].push(result);
			log(
				`  n8n execute, ${LABELS[which]}: ${result.executionTime} ms in the node, ${result.connections} connection(s), n8n process ${(result.processMs / 1000).toFixed(1)} s`,
			);
		}
	}
	return { setup, runs };
}

module.exports = { measure, prepare, executeOnce, MEASURED, LABELS, WARM_ITEMS };
