'use strict';
/**
 * What `npm run demo`, `npm start` and the end-to-end tests share: build and pack this package,
 * install it into a real n8n the way n8n installs a community package, start the gateway
 * simulator, import the credential and the example workflows, run workflows, and print tables.
 *
 * Plain CommonJS on the machine's Node (20+). The real n8n (Node 24, n8n pinned) comes from
 * scripts/n8n-runtime, which installs it into a cache on first use.
 */
const fs = require('node:fs');
const fsp = fs.promises;
const os = require('node:os');
const path = require('node:path');

const rt = require('../n8n-runtime/runtime');

const REPO = path.resolve(__dirname, '..', '..');
const EXAMPLES_DIR = path.join(REPO, 'examples');
const PACKAGE_NAME = 'n8n-nodes-wechat-gateway';
const NODE_TYPE = `${PACKAGE_NAME}.weChatGateway`;
const TOOL_TYPE = `${PACKAGE_NAME}.weChatGatewayTool`;
const TRIGGER_TYPE = `${PACKAGE_NAME}.weChatGatewayTrigger`;
/** The account the example credential sends from; the simulator is told it is logged in. */
const DEMO_ACCOUNT = 'wxid_demo_sender';

// ---------------------------------------------------------------------------
// build and pack
// ---------------------------------------------------------------------------

/** `npm run build` in the repo: dist/ must exist before `npm pack`. Output only on failure. */
async function buildPackage({ log = () => {} } = {}) {
	// `npm test` builds once, first, and says so: nothing changes dist/ between its steps.
	if (process.env.WECHAT_GATEWAY_BUILT === '1') return;
	const started = Date.now();
	const res = await rt.run(npm(), ['run', '--silent', 'build'], {
		cwd: REPO,
		timeoutMs: 10 * 60 * 1000,
	});
	if (res.code !== 0) {
		throw new Error(`npm run build failed (exit ${res.code}):\n${tail(res.stdout + res.stderr)}`);
	}
	log(`built dist/ in ${seconds(Date.now() - started)}`);
}

/**
 * `npm pack` into `outDir`: the same tarball `npm publish` would upload, so n8n gets exactly
 * what users get (only the "files" of package.json). Returns the tarball's absolute path.
 */
async function packPackage({ outDir, log = () => {} }) {
	await fsp.mkdir(outDir, { recursive: true });
	const res = await rt.run(npm(), ['pack', '--json', '--pack-destination', outDir], {
		cwd: REPO,
		timeoutMs: 5 * 60 * 1000,
	});
	if (res.code !== 0)
		throw new Error(`npm pack failed (exit ${res.code}):\n${tail(res.stdout + res.stderr)}`);
	let info;
	try {
		info = JSON.parse(res.stdout.slice(res.stdout.indexOf('[')))[0];
	} catch {
		throw new Error(`npm pack printed no JSON:\n${tail(res.stdout)}`);
	}
	const tarball = path.join(outDir, info.filename);
	if (!fs.existsSync(tarball)) throw new Error(`npm pack did not write ${tarball}`);
	const files = info.files.map((f) => f.path);
	for (const needed of [
		'package.json',
		'dist/nodes/WeChatGateway/WeChatGateway.node.js',
		'dist/credentials/WeChatGatewayApi.credentials.js',
	]) {
		if (!files.includes(needed))
			throw new Error(`${info.filename} lacks ${needed}: was dist/ built?`);
	}
	log(`packed ${info.filename} (${info.entryCount} files, ${(info.size / 1024).toFixed(0)} kB)`);
	return tarball;
}

// ---------------------------------------------------------------------------
// examples and credentials
// ---------------------------------------------------------------------------

/** Every workflow in examples/workflows, in file-name order: [{ file, workflow }]. */
function loadExampleWorkflows() {
	const dir = path.join(EXAMPLES_DIR, 'workflows');
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => ({
			file: path.join(dir, f),
			workflow: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
		}));
}

/**
 * What a gateway answers about the examples' made-up chats (examples/gateway-answers.json: cgi
 * 182 for their group), as the simulator's `commandResponses`: Group → Get Members needs it.
 */
function exampleCommandResponses() {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'gateway-answers.json'), 'utf8'));
}

/**
 * The example credential (examples/credentials/…), pointing at `baseUrl` instead of its
 * placeholder; with the simulator, also at its media folder for Download Media.
 */
function exampleCredentials(baseUrl, simulator) {
	const file = path.join(EXAMPLES_DIR, 'credentials', 'wechat-gateway-simulator.json');
	const list = JSON.parse(fs.readFileSync(file, 'utf8'));
	const media = simulator?.mediaFolder ? mediaFieldsOf(simulator) : {};
	return list.map((c) => ({ ...c, data: { ...c.data, baseUrl, ...media } }));
}

/**
 * The credential fields for voice downloads from `simulator`: it writes downloaded voice messages
 * into its media folder and serves it at /media, both on this machine, so a private address.
 */
function mediaFieldsOf(simulator) {
	return {
		mediaDownloadFolder: simulator.mediaFolder,
		mediaDownloadUrl: simulator.mediaUrl,
		allowPrivateMediaUrls: true,
	};
}

/**
 * A WeChat Gateway API credential (`{ id, name }` as a workflow names it) for the account `wxid`
 * on `simulator`, as the e2e suites import it; `media: true` adds the voice download fields.
 */
function simulatorCredential(credential, simulator, wxid, { media = false } = {}) {
	return {
		...credential,
		data: {
			baseUrl: simulator.url,
			wxid,
			authentication: 'none',
			timeout: 10,
			ignoreSslIssues: false,
			...(media ? mediaFieldsOf(simulator) : {}),
		},
	};
}

/**
 * The example "trigger → forward back" (examples/workflows/trigger-forward-back.json) as the
 * trigger suite and the bench run it: its WeChat nodes on `credential` ({ id, name }), the
 * Forward back node's options replaced by `forwardOptions` (pacing off, so a burst is not spread
 * over minutes), `settings` merged into the workflow's.
 */
function forwardBackExample({ credential, forwardOptions, settings = {} }) {
	const { workflow } = loadExampleWorkflows().find(
		(e) => path.basename(e.file) === 'trigger-forward-back.json',
	);
	const nodes = workflow.nodes.map((node) => {
		if (!node.credentials?.weChatGatewayApi) return node;
		const parameters =
			node.type === NODE_TYPE ? { ...node.parameters, options: forwardOptions } : node.parameters;
		return { ...node, parameters, credentials: { weChatGatewayApi: credential } };
	});
	return { ...workflow, settings: { ...workflow.settings, ...settings }, nodes };
}

/**
 * The examples the demo and `npm start` activate: those with a WeChat Gateway Trigger whose nodes
 * need no credential but the gateway's (the AI assistant needs the user's model credential).
 */
function activatedByDemo(workflow) {
	return (
		workflow.nodes.some((n) => n.type === TRIGGER_TYPE) &&
		workflow.nodes.every((n) =>
			Object.keys(n.credentials ?? {}).every((type) => type === credentialType()),
		)
	);
}

/** `n8n execute` can start a workflow only from a Manual Trigger (or an Execute Workflow Trigger). */
function runsFromCli(workflow) {
	return workflow.nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger');
}

/** The credential type's name, read from the built credential class (n8n imports credentials by it). */
function credentialType() {
	const { WeChatGatewayApi } = require(
		path.join(REPO, 'dist/credentials/WeChatGatewayApi.credentials.js'),
	);
	return new WeChatGatewayApi().name;
}

/** The editor fields of the built node. */
function nodeProperties() {
	const { WeChatGateway } = require(
		path.join(REPO, 'dist/nodes/WeChatGateway/WeChatGateway.node.js'),
	);
	return new WeChatGateway().description.properties;
}

/** The Operation switch of a resource. */
function operationSwitch(properties, resource) {
	return properties.find(
		(p) => p.name === 'operation' && p.displayOptions.show.resource.includes(resource),
	);
}

/**
 * The operations in the order the node offers them (its registry: each resource's operations,
 * resource by resource), as `resource:operation`, which the README follows and the demo runs
 * them in. Read from the built node, so that a new operation needs nothing here.
 */
function operationOrder() {
	const properties = nodeProperties();
	const resource = properties.find((p) => p.name === 'resource');
	return resource.options.flatMap(({ value }) =>
		operationSwitch(properties, value).options.map((o) => `${value}:${o.value}`),
	);
}

/**
 * The resource and operation of a saved node, with the node's defaults where it names neither
 * (as workflows saved by 0.2 do).
 */
function operationOf(node) {
	const properties = nodeProperties();
	const resource =
		node.parameters.resource ?? properties.find((p) => p.name === 'resource').default;
	const operation = node.parameters.operation ?? operationSwitch(properties, resource).default;
	return { resource, operation };
}

/** Sorts workflows by the first WeChat Gateway operation they use, in operationOrder(). */
function byOperation(a, b) {
	const order = operationOrder();
	const rank = (w) => {
		const node = wechatNodes(w)[0];
		const chosen = node && operationOf(node);
		const i = chosen ? order.indexOf(`${chosen.resource}:${chosen.operation}`) : -1;
		return i < 0 ? order.length : i;
	};
	return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

/** The WeChat Gateway nodes of a workflow (not the tool variant), in the order of their position. */
function wechatNodes(workflow) {
	return workflow.nodes
		.filter((n) => n.type === NODE_TYPE)
		.sort((a, b) => a.position[0] - b.position[0]);
}

// ---------------------------------------------------------------------------
// the n8n instance
// ---------------------------------------------------------------------------

/** Environment for every n8n run here: loopback calls never go through a proxy. */
function childEnv() {
	const noProxy = [process.env.NO_PROXY || process.env.no_proxy, '127.0.0.1', 'localhost']
		.filter(Boolean)
		.join(',');
	return { NO_PROXY: noProxy, no_proxy: noProxy };
}

/**
 * Prepares an n8n user folder: the package installed from its tarball (as n8n's own community
 * package install does: `npm install --omit=peer` in `.n8n/nodes`), then the credentials and
 * workflows imported with `n8n import:credentials` / `import:workflow` (ids kept, so a second run
 * overwrites them). `credentials` is an array of {id, name, type, data}; `workflows` of workflow
 * objects. Returns what installCommunityPackage returned.
 */
async function prepareInstance({
	userFolder,
	tarball,
	credentials = [],
	workflows = [],
	reset = false,
	log = () => {},
}) {
	let started = Date.now();
	await rt.createUserFolder(userFolder, { reset });
	const installed = await rt.installCommunityPackage({ userFolder, tarball });
	log(
		`installed ${installed.name}@${installed.version} into ${path.join(userFolder, '.n8n', 'nodes')} in ${seconds(Date.now() - started)}`,
	);
	const importDir = path.join(userFolder, 'imports');
	await fsp.mkdir(importDir, { recursive: true });
	if (credentials.length) {
		started = Date.now();
		const file = path.join(importDir, 'credentials.json');
		await fsp.writeFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
		await rt.importCredentials({ userFolder, file, env: childEnv() });
		// the file holds the plain data: n8n has it encrypted now
		await fsp.rm(file, { force: true });
		log(
			`imported ${credentials.length} credential${credentials.length === 1 ? '' : 's'} in ${seconds(Date.now() - started)}`,
		);
	}
	if (workflows.length) {
		started = Date.now();
		const file = path.join(importDir, 'workflows.json');
		await fsp.writeFile(file, JSON.stringify(workflows, null, 2));
		await rt.importWorkflow({ userFolder, file, env: childEnv() });
		log(
			`imported ${workflows.length} workflow${workflows.length === 1 ? '' : 's'} in ${seconds(Date.now() - started)}`,
		);
	}
	return installed;
}

/**
 * A throwaway `n8n start` for a suite: this package built, packed and installed, `credentials`
 * (without `type`: it is this package's) and `workflows` imported, an owner set up, the
 * workflows named in `activate` active. `stop()` ends n8n and removes the folder (E2E_KEEP=1
 * keeps it, for a look at n8n's log and database).
 */
async function startInstance({
	name,
	credentials = [],
	workflows = [],
	activate = [],
	owner,
	log,
}) {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), `wechat-${name}-`));
	await buildPackage({ log });
	const tarball = await packPackage({ outDir: path.join(work, 'pack'), log });
	const runtime = await rt.ensureRuntime({ log });
	const userFolder = path.join(work, 'n8n');
	await prepareInstance({
		userFolder,
		tarball,
		credentials: credentials.map((c) => ({ type: credentialType(), ...c })),
		workflows,
		log,
	});
	const server = await rt.startServer({
		userFolder,
		port: await rt.findFreePort(),
		env: childEnv(),
	});
	const { cookie } = await rt.setupOwner({ port: server.port, ...owner });
	for (const id of activate) await rt.activateWorkflow({ port: server.port, cookie, id });
	return {
		work,
		runtime,
		userFolder,
		server,
		port: server.port,
		cookie,
		async stop() {
			await server.stop();
			if (process.env.E2E_KEEP) log(`kept ${work}`);
			else fs.rmSync(work, { recursive: true, force: true });
		},
	};
}

/** A log line to stderr, prefixed with `label` and the seconds since the suite began. */
function timedLog(label) {
	const started = Date.now();
	return (message) =>
		process.stderr.write(`[${label} ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

/**
 * `n8n execute --id` with this project's environment. When n8n printed no run at all (the
 * workflow never started: n8n itself failed, e.g. its database was busy), it is tried once more,
 * and what went wrong is reported through `log`. A run that started is never repeated.
 */
async function execute({ userFolder, id, log = (m) => process.stderr.write(`${m}\n`) }) {
	const first = await rt.executeWorkflow({ userFolder, id, env: childEnv() });
	if (first.run) return first;
	log(
		`n8n execute --id=${id} printed no run (exit ${first.code}); trying once more. Its output:\n${tail(first.stdout + first.stderr, 2000)}`,
	);
	const second = await rt.executeWorkflow({ userFolder, id, env: childEnv() });
	second.retried = first;
	return second;
}

/**
 * Whether a workflow ran to success, judged by the run n8n printed. `n8n execute` also exits
 * non-zero when something fails while the process shuts down after a successful run; that is
 * n8n's own trouble, reported as `result.exitWarning`, not the workflow's.
 */
function succeeded(result) {
	const ok = !!result.run && !result.error && result.status === 'success';
	if (ok && result.code !== 0)
		result.exitWarning = `n8n execute exited ${result.code} after a successful run`;
	return ok;
}

/** Runs `fn` over `items` with at most `jobs` at a time; results in input order. */
async function inParallel(items, jobs, fn) {
	const results = new Array(items.length);
	let next = 0;
	const lane = async () => {
		for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i], i);
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, lane));
	return results;
}

/** How many `n8n execute` to run at once: each one loads all of n8n (a core for ~3 s). */
function defaultJobs() {
	return Math.max(1, Math.min(3, os.cpus().length));
}

/** The items a node returned in a run, with their pairedItem: [{ json, pairedItem }]. */
function nodeOutput(run, nodeName) {
	const runs =
		run &&
		run.data &&
		run.data.resultData &&
		run.data.resultData.runData &&
		run.data.resultData.runData[nodeName];
	if (!runs || !runs.length) return undefined;
	const main = runs[runs.length - 1].data && runs[runs.length - 1].data.main;
	return ((main && main[0]) || []).map((item) => ({
		json: item.json,
		pairedItem: item.pairedItem,
	}));
}

/**
 * Executes each CLI-runnable example workflow with `n8n execute --id` and collects, per WeChat
 * Gateway node, its output items. Returns [{ workflow, result, nodes: [{ name, operation, items }] }].
 */
async function runExamples({ userFolder, workflows, jobs = defaultJobs(), onDone = () => {} }) {
	return inParallel(workflows, jobs, async (workflow) => {
		const result = await execute({ userFolder, id: workflow.id });
		const nodes = wechatNodes(workflow).map((node) => ({
			name: node.name,
			...operationOf(node),
			items: nodeOutput(result.run, node.name),
			error: rt.nodeError(result.run, node.name),
		}));
		const entry = { workflow, result, nodes };
		onDone(entry);
		return entry;
	});
}

// ---------------------------------------------------------------------------
// printing
// ---------------------------------------------------------------------------

/** Columns a string takes in a terminal: CJK and full-width characters take two. */
function displayWidth(s) {
	let width = 0;
	for (const ch of String(s)) {
		const c = ch.codePointAt(0);
		const wide =
			(c >= 0x1100 && c <= 0x115f) ||
			(c >= 0x2e80 && c <= 0xa4cf) ||
			(c >= 0xac00 && c <= 0xd7a3) ||
			(c >= 0xf900 && c <= 0xfaff) ||
			(c >= 0xfe30 && c <= 0xfe4f) ||
			(c >= 0xff00 && c <= 0xff60) ||
			(c >= 0xffe0 && c <= 0xffe6);
		width += wide ? 2 : 1;
	}
	return width;
}

/** A plain text table: rows of strings, the first row is the header. */
function table(rows, { indent = '' } = {}) {
	const widths = [];
	for (const row of rows)
		row.forEach((cell, i) => (widths[i] = Math.max(widths[i] || 0, displayWidth(cell))));
	const pad = (cell, w) => String(cell) + ' '.repeat(Math.max(0, w - displayWidth(cell)));
	const line = (row) =>
		indent +
		row.map((cell, i) => (i === row.length - 1 ? String(cell) : pad(cell, widths[i]))).join('  ');
	const [head, ...body] = rows;
	return [line(head), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join(
		'\n',
	);
}

function decodeXmlText(s) {
	return s
		.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&amp;/g, '&');
}

/** The text of the first <tag> in an XML string, decoded; '' when absent. For display only. */
function xmlField(xml, tag) {
	const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
	return m ? decodeXmlText(m[1]).trim() : '';
}

const TYPE_NAMES = {
	5: 'link',
	6: 'file',
	33: 'mini program',
	36: 'mini program',
	51: 'Channels video',
};

/** One line on what an AppMsgXml carries, for people: 'link "Weekly report" https://…'. */
function describeAppMsg(xml, type) {
	const kind = TYPE_NAMES[type] || `type ${type}`;
	const clip = (s, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
	switch (type) {
		case 5:
			return `${kind} "${clip(xmlField(xml, 'title'), 40)}" ${clip(xmlField(xml, 'url'), 60)}`;
		case 6:
			return `${kind} "${xmlField(xml, 'title')}" ${xmlField(xml, 'totallen')} bytes, attachid ${clip(xmlField(xml, 'attachid'), 18)}`;
		case 33:
		case 36:
			return `${kind} "${clip(xmlField(xml, 'title'), 40)}" ${xmlField(xml, 'appid')} ${xmlField(xml, 'pagepath')}`;
		case 51:
			return `${kind} objectId ${xmlField(xml, 'objectId')} by "${xmlField(xml, 'nickname')}"`;
		default:
			return `${kind} "${clip(xmlField(xml, 'title'), 40)}"`;
	}
}

/** One line on what the simulator received: an app message, a text with its mentions, or a command. */
function describeMessage(m) {
	const clip = (text, n = 60) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
	if (m.cgiCmd === 522) {
		const mentions = m.atUsers.length ? ` (AtUsers ${m.atUsers.join(',')})` : '';
		return `text "${clip(m.content.replace(/\u2005/g, '␣'), 50)}"${mentions}`;
	}
	if (m.cgiCmd !== undefined && m.cgiCmd !== 222) return `cgi ${m.cgiCmd} ${clip(m.request, 60)}`;
	if (m.type === 57) {
		const quoted = /<svrid>(\d+)<\/svrid>/.exec(m.appMsgXml)?.[1];
		const title = /<title>([^<]*)<\/title>/.exec(m.appMsgXml)?.[1] ?? '';
		return `quote reply "${clip(title, 30)}" quoting ${quoted}`;
	}
	return describeAppMsg(m.appMsgXml, m.type);
}

// ---------------------------------------------------------------------------
// lifecycle
// ---------------------------------------------------------------------------

/**
 * Runs `cleanup` once, on normal exit of `main` and on Ctrl-C / SIGTERM / SIGHUP (then exits
 * 130 / 143 / 129). Children of scripts/n8n-runtime are killed by it on exit as well.
 */
function onShutdown(cleanup) {
	let running;
	const once = () =>
		(running =
			running ||
			Promise.resolve()
				.then(cleanup)
				.catch((e) => process.stderr.write(`cleanup: ${e.message}\n`)));
	const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
	for (const sig of Object.keys(codes)) {
		process.on(sig, () => {
			process.stderr.write(`\n${sig}: stopping…\n`);
			// a second Ctrl-C while cleaning up ends at once
			process.on(sig, () => process.exit(codes[sig]));
			once().finally(() => process.exit(codes[sig]));
		});
	}
	return once;
}

function npm() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

function tail(s, n = 4000) {
	return s.length > n ? `…${s.slice(-n)}` : s;
}

function seconds(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}

module.exports = {
	REPO,
	EXAMPLES_DIR,
	PACKAGE_NAME,
	NODE_TYPE,
	TOOL_TYPE,
	TRIGGER_TYPE,
	credentialType,
	DEMO_ACCOUNT,
	buildPackage,
	packPackage,
	loadExampleWorkflows,
	exampleCredentials,
	simulatorCredential,
	exampleCommandResponses,
	forwardBackExample,
	runsFromCli,
	activatedByDemo,
	wechatNodes,
	operationOrder,
	operationOf,
	byOperation,
	childEnv,
	prepareInstance,
	startInstance,
	timedLog,
	execute,
	succeeded,
	inParallel,
	defaultJobs,
	nodeOutput,
	runExamples,
	table,
	displayWidth,
	xmlField,
	describeAppMsg,
	describeMessage,
	onShutdown,
	seconds,
	tail,
	rt,
};
