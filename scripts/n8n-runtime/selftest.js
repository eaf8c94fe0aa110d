'use strict';
/**
 * End-to-end self-test of runtime.js against a real n8n, in a temp folder:
 * install (cached) -> user folder -> a throwaway community package (made,
 * packed and installed here) -> export:nodes -> import credentials and
 * workflows -> execute (success and failure) -> start the server -> owner
 * setup, login, authenticated REST -> CLI import/execute while the server
 * runs -> stop, and check that no process is left.
 *
 *   node scripts/n8n-runtime/cli.js selftest [--keep]
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const rt = require('./runtime');

const PKG = 'n8n-nodes-rt-selftest';

/** A minimal community node package: one node + one credential type, plain JS, no runtime requires. */
function writeThrowawayPackage(dir) {
	const w = (rel, text) => {
		fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
		fs.writeFileSync(path.join(dir, rel), text);
	};
	w(
		'package.json',
		JSON.stringify(
			{
				name: PKG,
				version: '0.0.1',
				description: 'throwaway package made by scripts/n8n-runtime/selftest.js',
				keywords: ['n8n-community-node-package'],
				license: 'MIT',
				files: ['dist'],
				n8n: {
					n8nNodesApiVersion: 1,
					credentials: ['dist/credentials/RtSelftestApi.credentials.js'],
					nodes: ['dist/nodes/RtEcho/RtEcho.node.js'],
				},
				peerDependencies: { 'n8n-workflow': '*' },
			},
			null,
			2,
		),
	);
	w(
		'dist/credentials/RtSelftestApi.credentials.js',
		`'use strict';
class RtSelftestApi {
	constructor() {
		this.name = 'rtSelftestApi';
		this.displayName = 'RT Selftest API';
		this.properties = [{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' }];
	}
}
exports.RtSelftestApi = RtSelftestApi;
`,
	);
	w(
		'dist/nodes/RtEcho/RtEcho.node.js',
		`'use strict';
class RtEcho {
	constructor() {
		this.description = {
			displayName: 'RT Echo',
			name: 'rtEcho',
			group: ['transform'],
			version: 1,
			description: 'Echoes a text; tells whether its credential decrypted',
			defaults: { name: 'RT Echo' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'rtSelftestApi', required: false }],
			properties: [{ displayName: 'Text', name: 'text', type: 'string', default: '' }],
		};
	}
	async execute() {
		const items = this.getInputData();
		let token = '';
		try {
			const c = await this.getCredentials('rtSelftestApi');
			token = String(c.token || '');
		} catch (e) {
			token = '';
		}
		return [items.map((item, i) => ({
			json: { echoed: this.getNodeParameter('text', i), tokenLength: token.length, node: process.version },
			pairedItem: { item: i },
		}))];
	}
}
exports.RtEcho = RtEcho;
`,
	);
}

function workflows() {
	const manual = {
		id: 'n1',
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const ok = {
		id: 'rtSelftestOk001',
		name: 'rt selftest ok',
		active: false,
		nodes: [
			manual,
			{
				id: 'n2',
				name: 'Set',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: {
					assignments: {
						assignments: [{ id: 'a1', name: 'hello', value: '={{ 40 + 2 }}', type: 'number' }],
					},
					options: {},
				},
			},
			{
				id: 'n3',
				name: 'Echo',
				type: `${PKG}.rtEcho`,
				typeVersion: 1,
				position: [440, 0],
				parameters: { text: '={{ "got " + $json.hello }}' },
				credentials: { rtSelftestApi: { id: 'rtSelftestCred1', name: 'selftest cred' } },
			},
		],
		connections: {
			Start: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
			Set: { main: [[{ node: 'Echo', type: 'main', index: 0 }]] },
		},
		settings: {},
	};
	const fail = {
		id: 'rtSelftestErr01',
		name: 'rt selftest error',
		active: false,
		nodes: [
			manual,
			{
				id: 'n2',
				name: 'Boom',
				type: 'n8n-nodes-base.stopAndError',
				typeVersion: 1,
				position: [220, 0],
				parameters: { errorMessage: 'boom on purpose' },
			},
		],
		connections: { Start: { main: [[{ node: 'Boom', type: 'main', index: 0 }]] } },
		settings: {},
	};
	return { ok, fail };
}

function processesInGroup(pgid) {
	try {
		const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
		return out
			.split('\n')
			.map((l) => l.trim().split(/\s+/))
			.filter((f) => f.length > 2 && Number(f[1]) === pgid)
			.map((f) => f.join(' '));
	} catch {
		return [];
	}
}

async function selftest({
	keep = false,
	log = (m) => process.stderr.write(`[selftest] ${m}\n`),
} = {}) {
	const results = [];
	const timings = {};
	let failed = 0;
	const check = (name, cond, detail) => {
		results.push({ name, ok: !!cond });
		if (!cond) failed++;
		log(
			`${cond ? 'ok  ' : 'FAIL'} ${name}${!cond && detail ? `\n      ${String(detail).slice(0, 3000)}` : ''}`,
		);
	};
	const time = async (name, fn) => {
		const t0 = Date.now();
		try {
			return await fn();
		} finally {
			timings[name] = Date.now() - t0;
		}
	};

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-rt-selftest-'));
	log(`working in ${tmp}`);
	let server;
	try {
		const runtime = await time('ensureRuntime', () => rt.ensureRuntime({ log }));
		check(
			'ensureRuntime gives a Node 24 binary and the n8n entry',
			fs.existsSync(runtime.nodeBin) && fs.existsSync(runtime.n8nBin),
		);

		const userFolder = path.join(tmp, 'user');
		const uf = await rt.createUserFolder(userFolder);
		const mode = fs.statSync(path.join(uf.n8nFolder, 'config')).mode & 0o777;
		check(
			'createUserFolder writes .n8n/config 0600 with a key',
			mode === 0o600 && uf.encryptionKey.length >= 16,
			mode.toString(8),
		);

		// throwaway community package
		const pkgDir = path.join(tmp, 'pkg');
		writeThrowawayPackage(pkgDir);
		const packed = execFileSync(
			'npm',
			['pack', '--silent', '--ignore-scripts', `--pack-destination=${tmp}`],
			{
				cwd: pkgDir,
				encoding: 'utf8',
				env: rt.cleanNpmEnv(),
			},
		)
			.trim()
			.split('\n')
			.pop();
		const tarball = path.join(tmp, packed);
		check('npm pack made a tarball', fs.existsSync(tarball), packed);
		const inst = await time('installCommunityPackage', () =>
			rt.installCommunityPackage({ userFolder, tarball, log }),
		);
		check(
			'installCommunityPackage puts it in .n8n/nodes/node_modules without n8n-workflow',
			fs.existsSync(path.join(inst.dir, 'dist/nodes/RtEcho/RtEcho.node.js')) &&
				!fs.existsSync(path.join(uf.n8nFolder, 'nodes/node_modules/n8n-workflow')),
		);

		const nodes = await time('exportNodes', () => rt.exportNodes({ userFolder, runtime }));
		const names = new Set(nodes.map((n) => n.name));
		check(`export:nodes lists ${PKG}.rtEcho`, names.has(`${PKG}.rtEcho`), `${nodes.length} types`);
		check('export:nodes lists n8n-nodes-base.set', names.has('n8n-nodes-base.set'));

		// credentials + workflows through the CLI
		const credFile = path.join(tmp, 'creds.json');
		fs.writeFileSync(
			credFile,
			JSON.stringify([
				{
					id: 'rtSelftestCred1',
					name: 'selftest cred',
					type: 'rtSelftestApi',
					data: { token: 's3cret' },
				},
			]),
		);
		await time('importCredentials', () =>
			rt.importCredentials({ userFolder, file: credFile, runtime }),
		);
		const { ok: wfOk, fail: wfFail } = workflows();
		const wfOkFile = path.join(tmp, 'wf-ok.json');
		const wfFailFile = path.join(tmp, 'wf-fail.json');
		fs.writeFileSync(wfOkFile, JSON.stringify(wfOk));
		fs.writeFileSync(wfFailFile, JSON.stringify(wfFail));
		await time('importWorkflow', () => rt.importWorkflow({ userFolder, file: wfOkFile, runtime }));
		await rt.importWorkflow({ userFolder, file: wfFailFile, runtime });
		check('import:workflow + import:credentials', true);

		const ex = await time('executeWorkflow', () =>
			rt.executeWorkflow({ userFolder, id: wfOk.id, runtime }),
		);
		const setOut = rt.nodeItems(ex.run, 'Set');
		const echoOut = rt.nodeItems(ex.run, 'Echo');
		check(
			'execute --id: exit 0, status success',
			ex.code === 0 && ex.ok && ex.status === 'success',
			`${ex.code} ${ex.status}\n${ex.stdout.slice(-2000)}`,
		);
		check(
			'Set node gives hello=42',
			setOut && setOut[0] && setOut[0].hello === 42,
			JSON.stringify(setOut),
		);
		check(
			'community node ran with its decrypted credential',
			echoOut && echoOut[0] && echoOut[0].echoed === 'got 42' && echoOut[0].tokenLength === 6,
			JSON.stringify(echoOut),
		);
		const exFail = await rt.executeWorkflow({ userFolder, id: wfFail.id, runtime });
		check(
			'a failing node: exit 1, run JSON still parsed, error message kept',
			exFail.code === 1 &&
				!exFail.ok &&
				exFail.error &&
				/boom on purpose/.test(exFail.error.message),
			`${exFail.code} ${JSON.stringify(exFail.error)}`,
		);

		// server
		server = await time('startServer', () => rt.startServer({ userFolder, runtime, log }));
		check(`n8n start ready on ${server.url}`, true);
		const anon = await rt.rest({ port: server.port, path: '/rest/workflows', okStatuses: [401] });
		check('GET /rest/workflows without cookie -> 401', anon.status === 401, anon.status);
		const settings = await rt.rest({ port: server.port, path: '/rest/settings' });
		check(
			'GET /rest/settings: owner not set up yet',
			settings.data &&
				settings.data.userManagement &&
				settings.data.userManagement.showSetupOnFirstLoad === true,
			JSON.stringify(settings.data && settings.data.userManagement),
		);
		const owner = await rt.setupOwner({ port: server.port });
		check(
			'POST /rest/owner/setup returns the owner and a cookie',
			owner.user && owner.user.email === rt.DEFAULT_OWNER.email && owner.cookie,
		);
		const loginRes = await rt.rest({
			port: server.port,
			method: 'POST',
			path: '/rest/login',
			body: { emailOrLdapLoginId: rt.DEFAULT_OWNER.email, password: rt.DEFAULT_OWNER.password },
		});
		const setCookie = (loginRes.headers['set-cookie'] || []).join('; ');
		check(
			'the auth cookie is not Secure (a browser on http://127.0.0.1 keeps it)',
			/n8n-auth=/.test(setCookie) && !/;\s*secure/i.test(setCookie),
			setCookie,
		);
		const { cookie } = await rt.login({ port: server.port });
		check('POST /rest/login returns an n8n-auth cookie', /^n8n-auth=/.test(cookie));
		const me = await rt.rest({ port: server.port, cookie, path: '/rest/login' });
		check(
			'GET /rest/login (cookie) answers the current user',
			me.data && me.data.email === rt.DEFAULT_OWNER.email,
			JSON.stringify(me.data).slice(0, 300),
		);
		const list = await rt.rest({ port: server.port, cookie, path: '/rest/workflows' });
		const ids = (list.data || []).map((w) => w.id);
		check(
			'GET /rest/workflows (cookie) lists the CLI-imported workflows',
			ids.includes(wfOk.id) && ids.includes(wfFail.id),
			JSON.stringify(ids),
		);
		const types = await rt.rest({ port: server.port, cookie, path: '/types/nodes.json' });
		check(
			'the server serves the community node type',
			Array.isArray(types.json) && types.json.some((t) => t.name === `${PKG}.rtEcho`),
			types.status,
		);
		const cred = await rt.createCredential({
			port: server.port,
			cookie,
			name: 'rest cred',
			type: 'rtSelftestApi',
			data: { token: 'abc' },
		});
		check(
			'POST /rest/credentials creates a credential',
			cred && cred.id && cred.type === 'rtSelftestApi',
			JSON.stringify(cred),
		);
		const restWf = await rt.createWorkflow({
			port: server.port,
			cookie,
			workflow: {
				...wfOk,
				id: undefined,
				name: 'rt selftest via REST',
				nodes: wfOk.nodes.map((n) =>
					n.credentials
						? { ...n, credentials: { rtSelftestApi: { id: cred.id, name: cred.name } } }
						: n,
				),
			},
		});
		check(
			'POST /rest/workflows creates a workflow',
			restWf && restWf.id,
			JSON.stringify(restWf).slice(0, 500),
		);

		// CLI next to the running server (same sqlite DB, its own broker port)
		const live = { ...wfOk, id: 'rtSelftestLive1', name: 'rt selftest imported while running' };
		const liveFile = path.join(tmp, 'wf-live.json');
		fs.writeFileSync(liveFile, JSON.stringify(live));
		await time('importWorkflow (server running)', () =>
			rt.importWorkflow({ userFolder, file: liveFile, runtime }),
		);
		const list2 = await rt.rest({ port: server.port, cookie, path: '/rest/workflows' });
		check(
			'a workflow imported by the CLI while the server runs shows in REST',
			(list2.data || []).some((w) => w.id === live.id),
		);
		const exLive = await time('executeWorkflow (server running)', () =>
			rt.executeWorkflow({ userFolder, id: restWf.id, runtime }),
		);
		const echoLive = rt.nodeItems(exLive.run, 'Echo');
		check(
			'CLI executes the REST-made workflow (REST credential) while the server runs',
			exLive.ok && echoLive && echoLive[0].tokenLength === 3,
			`${exLive.code} ${JSON.stringify(echoLive)} ${exLive.stdout.slice(-1500)}`,
		);
		const execs = await rt.rest({ port: server.port, cookie, path: '/rest/executions' });
		const execList = (execs.data && (execs.data.results || execs.data)) || [];
		check(
			'GET /rest/executions shows the CLI runs',
			Array.isArray(execList) && execList.length >= 3,
			JSON.stringify(execs.data).slice(0, 300),
		);

		const pgid = server.pid;
		const before = processesInGroup(pgid);
		const t0 = Date.now();
		await server.stop();
		timings.stopServer = Date.now() - t0;
		server = undefined;
		await new Promise((r) => setTimeout(r, 300));
		const left = processesInGroup(pgid);
		check(
			`stop() leaves no process (group had ${before.length})`,
			left.length === 0,
			left.join('\n'),
		);
	} catch (e) {
		check('no exception', false, e && e.stack);
	} finally {
		if (server) await server.stop();
		if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
		else log(`kept ${tmp}`);
	}
	log(`timings (ms): ${JSON.stringify(timings)}`);
	const passed = results.filter((r) => r.ok).length;
	console.log(`${passed} passed, ${failed} failed`);
	return failed === 0;
}

module.exports = { selftest, writeThrowawayPackage };
