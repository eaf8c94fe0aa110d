'use strict';
/**
 * n8n-runtime: a REAL n8n, pinned, for the end-to-end tests, the browser test, the demo and the
 * benchmark: installs it with its own Node into a cache (once, under a lock), prepares user
 * folders, installs the packed package the way n8n does, and drives the n8n CLI and server.
 *
 * Plain CommonJS, Node >= 20, nothing beyond Node's standard library and the machine's npm.
 * See README.md beside this file.
 */
const fs = require('fs');
const fsp = fs.promises;
const os = require('os');
const path = require('path');
const net = require('net');
const crypto = require('crypto');
const { spawn } = require('child_process');

/**
 * The pinned n8n versions, each on its own Node (npm package node-<platform>-<arch>).
 * 1.x depends on xlsx through a tarball URL on cdn.sheetjs.com; overriding it with the
 * registry's 0.18.5 (the same library) lets it install from a registry-only machine.
 */
const VERSIONS = {
	'2.41.1': { node: '24.21.0' },
	'1.123.81': { node: '22.23.5', overrides: { xlsx: '0.18.5' } },
};
const DEFAULT_VERSION = '2.41.1';
const MARKER = '.n8n-runtime-complete.json';
/**
 * Bounds of one install step. A cold install on a loaded machine (an empty npm cache, the other
 * runtime installing beside it) can take more than a quiet one by several times.
 */
const INSTALL_MS = 45 * 60 * 1000;
const REBUILD_MS = 15 * 60 * 1000;
const CHECK_MS = 60 * 1000;
/** Longer than any install can run, its steps' bounds summed (a Node folder and an n8n folder). */
const LOCK_STALE_MS = 2 * INSTALL_MS + REBUILD_MS + CHECK_MS;

const defaultLog = (msg) => process.stderr.write(`[n8n-runtime] ${msg}\n`);
const noop = () => {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tail = (s, n = 4000) => (s.length > n ? '…' + s.slice(-n) : s);

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

const writeJson = (file, value) => fsp.writeFile(file, JSON.stringify(value, null, 2) + '\n');

function cacheDir() {
	if (process.env.N8N_RUNTIME_CACHE) return path.resolve(process.env.N8N_RUNTIME_CACHE);
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-wechat-gateway', 'runtime');
}

const nodePackageName = () => `node-${process.platform}-${process.arch}`;

/**
 * The environment without the npm_* variables `npm test` / `npm run` export: they carry the
 * repo's own npm config (ignore-scripts, ~/.npmrc's nodedir) into the installs done here, and
 * n8n would read them as its own.
 */
function cleanNpmEnv(extra = {}) {
	const npmOwn =
		/^(npm_config_|npm_package_|npm_lifecycle_)|^(init_cwd|npm_command|npm_execpath|npm_node_execpath)$/i;
	const env = {};
	for (const [k, v] of Object.entries(process.env)) if (!npmOwn.test(k)) env[k] = v;
	return Object.assign(env, extra);
}

// ---------------------------------------------------------------------------
// processes: each child leads its own process group, so that a timeout or a stop ends its
// whole tree (n8n starts a task runner of its own). Being in another group, children would
// not get the terminal's Ctrl-C and would outlive a caller that dies: so every live child is
// killed when this process exits, or on SIGINT/SIGTERM/SIGHUP when nobody else handles that
// signal (then the signal is raised again, keeping its default effect).
// ---------------------------------------------------------------------------

const liveChildren = new Set();

function killTree(child, signal = 'SIGTERM') {
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* already gone */
	}
}

let exitHooked = false;
function track(child) {
	if (!exitHooked) {
		exitHooked = true;
		const killAll = () => liveChildren.forEach((c) => killTree(c, 'SIGKILL'));
		process.on('exit', killAll);
		for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
			const handler = () => {
				if (process.listenerCount(sig) > 1) return; // the caller handles it
				killAll();
				process.removeListener(sig, handler);
				process.kill(process.pid, sig);
			};
			process.on(sig, handler);
		}
	}
	liveChildren.add(child);
	child.on('close', () => liveChildren.delete(child));
}

/** Runs a command to its end, output collected; at `timeoutMs` its group is killed. */
function run(cmd, args, { cwd, env = process.env, timeoutMs = 10 * 60 * 1000 } = {}) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		track(child);
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
		const timer = setTimeout(() => {
			timedOut = true;
			killTree(child, 'SIGKILL');
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		// what the command left in its group (a task runner) would hold the pipes open
		child.on('exit', () => killTree(child, 'SIGKILL'));
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const ms = Date.now() - started;
			resolve({ code: timedOut ? 124 : code, signal, stdout, stderr, ms });
		});
	});
}

// ---------------------------------------------------------------------------
// lock: a folder that names its owner, moved into place whole (a rename is atomic, and fails
// when the lock exists), so a lock always names an owner and a dead owner's lock can be broken
// ---------------------------------------------------------------------------

function lockOwner(lockDir) {
	try {
		return fs.readFileSync(path.join(lockDir, 'owner'), 'utf8');
	} catch {
		return undefined;
	}
}

function ownerIsGone(owner) {
	const [pid, host, since] = (owner || '').trim().split(' ');
	if (!pid || Date.now() - Date.parse(since) > LOCK_STALE_MS) return true;
	if (host !== os.hostname()) return false;
	try {
		process.kill(Number(pid), 0);
		return false;
	} catch (e) {
		return e.code !== 'EPERM';
	}
}

/** Runs `fn` holding the lock; returns without running it if `done()` turns true while waiting. */
async function withLock(lockDir, log, fn, done = () => false) {
	const mine = `${process.pid} ${os.hostname()} ${new Date().toISOString()}\n`;
	const started = Date.now();
	let announced = false;
	for (;;) {
		const claim = await fsp.mkdtemp(`${lockDir}.claim-`);
		await fsp.writeFile(path.join(claim, 'owner'), mine);
		if (await fsp.rename(claim, lockDir).then(() => true, noop)) break;
		await fsp.rm(claim, { recursive: true, force: true });
		const owner = lockOwner(lockDir);
		if (owner !== undefined && ownerIsGone(owner)) {
			// moved aside, then checked: a waiter that read the same dead owner must not remove
			// the fresh lock another waiter took meanwhile
			const aside = `${lockDir}.stale-${process.pid}`;
			if (await fsp.rename(lockDir, aside).then(() => true, noop)) {
				if (lockOwner(aside) === owner) log(`removed a stale install lock (${owner.trim()})`);
				else await fsp.rename(aside, lockDir).catch(noop);
				await fsp.rm(aside, { recursive: true, force: true });
			}
			continue;
		}
		if (done()) return undefined;
		if (!announced)
			log(`waiting for another install to finish (lock ${lockDir}: ${owner?.trim()})`);
		announced = true;
		if (Date.now() - started > LOCK_STALE_MS) throw new Error(`timed out waiting for ${lockDir}`);
		await sleep(1000);
	}
	try {
		return await fn();
	} finally {
		if (lockOwner(lockDir) === mine) await fsp.rm(lockDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------
// install: a Node folder and an n8n folder per pinned version, one lock for the whole cache
// ---------------------------------------------------------------------------

/** The pinned n8n version asked for: the argument, else N8N_RUNTIME_VERSION, else the default. */
function pickVersion(version = process.env.N8N_RUNTIME_VERSION || DEFAULT_VERSION) {
	if (VERSIONS[version]) return version;
	throw new Error(`n8n ${version} is not pinned here; pinned: ${Object.keys(VERSIONS).join(', ')}`);
}

function runtimePaths({ version, cache } = {}) {
	const n8nVersion = pickVersion(version);
	const nodeVersion = VERSIONS[n8nVersion].node;
	const root = cache ? path.resolve(cache) : cacheDir();
	const nodeDir = path.join(root, `node${nodeVersion.split('.')[0]}`);
	const nodePkgDir = path.join(nodeDir, 'node_modules', nodePackageName());
	const n8nDir = path.join(root, `n8n-${n8nVersion}`);
	const nodeBin = path.join(nodePkgDir, 'bin', 'node');
	const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	return { root, n8nVersion, nodeVersion, nodeDir, nodePkgDir, nodeBin, n8nDir, n8nBin };
}

async function npmIn(dir, args, log, timeoutMs, extraEnv = {}) {
	log(`npm ${args.join(' ')}   (in ${dir})`);
	const res = await run('npm', args, { cwd: dir, env: cleanNpmEnv(extraEnv), timeoutMs });
	if (res.code !== 0)
		throw new Error(`npm ${args[0]} failed in ${dir} (exit ${res.code})\n${tail(res.stderr)}`);
}

function complete(dir, marker) {
	const done = readJson(path.join(dir, MARKER));
	return !!done && Object.entries(marker).every(([k, v]) => done[k] === v);
}

/**
 * Installs `dependencies` into cache folder `dir`, emptied first but for its package-lock.json
 * (a re-install resolves faster with it), runs `check`, and only then writes the marker that
 * says the folder is complete: an install that died half-way is done again.
 */
async function installFolder(dir, marker, manifest, log, check = noop) {
	if (complete(dir, marker)) return;
	const started = Date.now();
	await fsp.mkdir(dir, { recursive: true });
	for (const name of await fsp.readdir(dir))
		if (name !== 'package-lock.json') await fsp.rm(path.join(dir, name), { recursive: true });
	const description =
		'cache folder of scripts/n8n-runtime (n8n-nodes-wechat-gateway); safe to delete';
	await writeJson(path.join(dir, 'package.json'), { private: true, description, ...manifest });
	const flags = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
	await npmIn(dir, ['install', ...flags], log, INSTALL_MS);
	await check();
	const ms = Date.now() - started;
	await writeJson(path.join(dir, MARKER), { ...marker, installedAt: new Date(), ms });
	log(`${Object.keys(manifest.dependencies)} ready in ${(ms / 1000).toFixed(1)} s (${dir})`);
}

async function install(p, log) {
	const nodePkg = nodePackageName();
	await installFolder(
		p.nodeDir,
		{ node: p.nodeVersion, pkg: nodePkg },
		{ dependencies: { [nodePkg]: p.nodeVersion } },
		log,
	);
	log(`installing n8n@${p.n8nVersion} on Node ${p.nodeVersion} (cold: minutes, ~2.7 GB)`);
	const { overrides } = VERSIONS[p.n8nVersion];
	await installFolder(
		p.n8nDir,
		{ n8n: p.n8nVersion, node: p.nodeVersion },
		{ dependencies: { n8n: p.n8nVersion }, ...(overrides && { overrides }) },
		log,
		async () => {
			// Of n8n's native addons only sqlite3's is needed to start (without it n8n loops on
			// "SQLite package has not been found installed"). No prebuilt download is reachable,
			// so node-gyp builds it against this Node's headers (node-<platform>-<arch> ships
			// include/node; the variable wins over a nodedir in ~/.npmrc).
			await npmIn(p.n8nDir, ['rebuild', 'sqlite3', '--ignore-scripts=false'], log, REBUILD_MS, {
				PATH: `${path.dirname(p.nodeBin)}${path.delimiter}${process.env.PATH}`,
				npm_config_nodedir: p.nodePkgDir,
				npm_config_build_from_source: 'true',
				JOBS: String(os.cpus().length),
			});
			const query = `new (require('sqlite3').Database)(':memory:').get('select 42 as x', (e, r) => process.exit(r?.x === 42 ? 0 : 2))`;
			const res = await run(p.nodeBin, ['-e', query], { cwd: p.n8nDir, timeoutMs: CHECK_MS });
			if (res.code !== 0)
				throw new Error(`sqlite3 does not load on Node ${p.nodeVersion}: ${res.stderr}`);
		},
	);
}

/**
 * Installs once (cached; one install at a time across processes) a pinned n8n and its own Node.
 * `version`: one of VERSIONS; default N8N_RUNTIME_VERSION, else DEFAULT_VERSION.
 * @returns {Promise<{nodeBin:string, n8nBin:string, version:string, nodeVersion:string, cacheDir:string, n8nDir:string}>}
 */
async function ensureRuntime({ version, log = defaultLog, cache } = {}) {
	const p = runtimePaths({ version, cache });
	const ready = () =>
		complete(p.nodeDir, { node: p.nodeVersion }) &&
		complete(p.n8nDir, { n8n: p.n8nVersion, node: p.nodeVersion });
	if (!ready()) {
		await fsp.mkdir(p.root, { recursive: true });
		// another process may be installing another version: ready() ends the wait for ours
		await withLock(path.join(p.root, '.install.lock'), log, () => install(p, log), ready);
	}
	const { nodeBin, n8nBin, n8nVersion, nodeVersion, root, n8nDir } = p;
	return { nodeBin, n8nBin, version: n8nVersion, nodeVersion, cacheDir: root, n8nDir };
}

// ---------------------------------------------------------------------------
// user folder, community package, environment
// ---------------------------------------------------------------------------

const USER_FOLDER_MARKER = '.n8n-runtime-user-folder';
const n8nFolderOf = (userFolder) => path.join(path.resolve(userFolder), '.n8n');

/**
 * Prepares an N8N_USER_FOLDER: `.n8n/config` with an encryption key (`encryptionKey` when given, as
 * queue-mode workers need their main instance's; 0600, as n8n wants it; an
 * existing key is kept) and `.n8n/nodes/package.json`. `reset: true` wipes an existing `.n8n`
 * first, only if this library made it.
 * @returns {Promise<{userFolder:string, n8nFolder:string, encryptionKey:string}>}
 */
async function createUserFolder(dir, { reset = false, encryptionKey: given } = {}) {
	const userFolder = path.resolve(dir);
	const n8nFolder = n8nFolderOf(userFolder);
	if (reset && fs.existsSync(n8nFolder)) {
		const ours = fs.existsSync(path.join(userFolder, USER_FOLDER_MARKER));
		if (!ours && fs.readdirSync(n8nFolder).length > 0)
			throw new Error(
				`createUserFolder: refusing to wipe ${n8nFolder}: not created by n8n-runtime`,
			);
		await fsp.rm(n8nFolder, { recursive: true, force: true });
	}
	await fsp.mkdir(path.join(n8nFolder, 'nodes'), { recursive: true });
	await fsp.writeFile(
		path.join(userFolder, USER_FOLDER_MARKER),
		'created by scripts/n8n-runtime\n',
	);
	const configFile = path.join(n8nFolder, 'config');
	// A queue-mode worker must share its main instance's key, or it cannot read the credentials.
	let encryptionKey = given ?? readJson(configFile)?.encryptionKey;
	if (!encryptionKey) encryptionKey = crypto.randomBytes(24).toString('base64url');
	if (readJson(configFile)?.encryptionKey !== encryptionKey)
		await fsp.writeFile(configFile, JSON.stringify({ encryptionKey }, null, '\t'));
	await fsp.chmod(configFile, 0o600);
	const nodesPackage = path.join(n8nFolder, 'nodes', 'package.json');
	// the same file n8n writes itself before its first community install
	if (!fs.existsSync(nodesPackage))
		await writeJson(nodesPackage, { name: 'installed-nodes', private: true, dependencies: {} });
	return { userFolder, n8nFolder, encryptionKey };
}

/**
 * Installs a packed community package (`npm pack` .tgz) into `<userFolder>/.n8n/nodes`, as n8n's
 * own installer does: `npm install --omit=peer --omit=dev --ignore-scripts`. The tarball is
 * copied into `nodes/tarballs/` first, so the install does not depend on the original file.
 * @returns {Promise<{name:string, version:string, dir:string}>}
 */
async function installCommunityPackage({ userFolder, tarball, log = noop }) {
	const src = path.resolve(tarball);
	const read = await run('tar', ['-xzOf', src, 'package/package.json'], { timeoutMs: 60000 });
	if (read.code !== 0)
		throw new Error(`cannot read package/package.json from ${src}: ${read.stderr}`);
	const pkg = JSON.parse(read.stdout);
	const { n8nFolder } = await createUserFolder(userFolder);
	const nodesDir = path.join(n8nFolder, 'nodes');
	await fsp.mkdir(path.join(nodesDir, 'tarballs'), { recursive: true });
	const dest = path.join(
		'tarballs',
		`${pkg.name.replace(/^@/, '').replace(/\//g, '-')}-${pkg.version}.tgz`,
	);
	await fsp.copyFile(src, path.join(nodesDir, dest));
	const dir = path.join(nodesDir, 'node_modules', pkg.name);
	// a re-install of the same version with other content must not be skipped
	await fsp.rm(dir, { recursive: true, force: true });
	const flags = ['--omit=peer', '--omit=dev', '--ignore-scripts', '--package-lock=false'];
	await npmIn(
		nodesDir,
		['install', ...flags, '--no-audit', '--no-fund', '--loglevel=error', `file:${dest}`],
		log,
		10 * 60 * 1000,
	);
	if (fs.existsSync(path.join(nodesDir, 'node_modules', 'n8n-workflow')))
		throw new Error(
			`${pkg.name} brought its own n8n-workflow: n8n would load two copies (it must be a peerDependency only)`,
		);
	return { name: pkg.name, version: pkg.version, dir };
}

/**
 * The environment of a quiet, offline, loopback-only n8n on `userFolder`: `port` for the editor
 * and REST, `brokerPort` for the task-runner broker (two n8n processes at once need two), `version`
 * the pinned n8n it is for (default as ensureRuntime's), `extra` merged last.
 */
function n8nEnv({ userFolder, port = 5678, brokerPort, version, extra = {} }) {
	const uf = path.resolve(userFolder);
	const encryptionKey = readJson(path.join(n8nFolderOf(uf), 'config'))?.encryptionKey;
	if (!encryptionKey) throw new Error(`${uf} is not prepared: call createUserFolder() first`);
	const env = cleanNpmEnv();
	// jest's NODE_ENV=test is n8n's own test mode, where its CLI prints nothing
	if (env.NODE_ENV === 'test') delete env.NODE_ENV;
	Object.assign(env, {
		N8N_USER_FOLDER: uf,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// the browser on http://127.0.0.1 must be able to keep the auth cookie
		N8N_SECURE_COOKIE: 'false',
		// nothing phones home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '3',
		// community packages from <userFolder>/.n8n/nodes, never reinstalled from the registry
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// today's defaults spelled out: each one unset prints a deprecation notice at every start
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(2 * 1024 * 1024 * 1024),
		N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '5000',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		NO_COLOR: '1',
	});
	// 2.x modules that reach out to the internet; 1.x refuses names it does not know
	if (Number(pickVersion(version).split('.')[0]) >= 2)
		env.N8N_DISABLED_MODULES = 'mcp-registry,instance-ai,chat-hub,workflow-builder';
	if (brokerPort) env.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
	return Object.assign(env, extra);
}

/** A 127.0.0.1 port free now (the system's pick: fresh each call, so two n8n never share one). */
function findFreePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer().unref().on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

// ---------------------------------------------------------------------------
// n8n CLI
// ---------------------------------------------------------------------------

/** `n8n <args>` on `userFolder`, with a broker port of its own so it can run beside a server. */
async function runCli({ args, userFolder, env = {}, timeoutMs = 5 * 60 * 1000, log = noop }) {
	const rt = await ensureRuntime({ log });
	const brokerPort = await findFreePort();
	return await run(rt.nodeBin, [rt.n8nBin, ...args], {
		cwd: path.resolve(userFolder),
		env: n8nEnv({ userFolder, brokerPort, version: rt.version, extra: env }),
		timeoutMs,
	});
}

const cliFailed = (what, res) =>
	new Error(`n8n ${what} failed (exit ${res.code})\n${tail(res.stdout)}\n${tail(res.stderr)}`);

async function importFile(kind, { userFolder, file, ...rest }) {
	const res = await runCli({
		args: [`import:${kind}`, `--input=${path.resolve(file)}`],
		userFolder,
		...rest,
	});
	if (res.code !== 0 || !/Successfully imported/.test(res.stdout + res.stderr))
		throw cliFailed(`import:${kind}`, res);
	return res;
}

/** `n8n import:workflow --input=<file>`: a workflow, or an array of them; ids are kept. */
const importWorkflow = (opts) => importFile('workflow', opts);
/** `n8n import:credentials --input=<file>`: an array of {id?, name, type, data}; data is encrypted on import. */
const importCredentials = (opts) => importFile('credentials', opts);

/**
 * The run that `n8n execute --rawOutput` prints among its log lines: pretty-printed JSON, so
 * only its outermost braces sit at column 0. The last block that parses and holds
 * data.resultData, else the last block that parses.
 */
function parseRunOutput(stdout) {
	const lines = String(stdout).split(/\r?\n/);
	const blocks = [];
	for (let i = 0; i < lines.length; i++) {
		if (lines[i].trimEnd() !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j].trimEnd() !== '}') continue;
			try {
				blocks.push(JSON.parse(lines.slice(i, j + 1).join('\n')));
				i = j;
				break;
			} catch {
				/* try the next closing line */
			}
		}
	}
	const runs = blocks.filter((b) => b?.data?.resultData);
	return runs.length ? runs[runs.length - 1] : blocks[blocks.length - 1];
}

/**
 * `n8n execute --id=<id> --rawOutput`. n8n exits 1 when a node fails; the run is printed either way.
 * @returns {Promise<{code:number, ok:boolean, status?:string, error?:object, run?:object, lastNode?:string, stdout:string, stderr:string, ms:number}>}
 */
async function executeWorkflow({ userFolder, id, ...rest }) {
	const res = await runCli({ args: ['execute', `--id=${id}`, '--rawOutput'], userFolder, ...rest });
	const runData = parseRunOutput(res.stdout);
	const resultData = runData?.data?.resultData;
	const ok = res.code === 0 && !!runData && !resultData?.error;
	const { status, error, lastNodeExecuted: lastNode } = { ...runData, ...resultData };
	return { ...res, ok, status, error, lastNode, run: runData };
}

/** The error of a node's last run (or of run `runIndex`), if it failed. */
function nodeError(runData, nodeName, { runIndex = -1 } = {}) {
	const runs = runData?.data?.resultData?.runData?.[nodeName];
	return runs?.at(runIndex)?.error;
}

/** `n8n export:nodes`: every node type n8n loaded; community ones are `<package>.<node>`. */
async function exportNodes({ userFolder, ...rest }) {
	const out = path.join(path.resolve(userFolder), 'nodes.json');
	await fsp.rm(out, { force: true });
	const res = await runCli({ args: ['export:nodes', `--output=${out}`], userFolder, ...rest });
	if (res.code !== 0) throw cliFailed('export:nodes', res);
	// n8n exits without waiting for its write stream
	const written = () => fs.existsSync(out) && fs.readFileSync(out, 'utf8').trimEnd().endsWith(']');
	for (let i = 0; i < 20 && !written(); i++) await sleep(100);
	return JSON.parse(fs.readFileSync(out, 'utf8'));
}

// ---------------------------------------------------------------------------
// n8n server and its REST API
// ---------------------------------------------------------------------------

/** What the machine had left where `dir` is: a process that dies silently may have run out of one. */
function machineState(dir) {
	const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
	const state = [];
	try {
		const disk = fs.statfsSync(dir);
		state.push(`${gib(disk.bavail * disk.bsize)} free on its disk`);
	} catch {
		/* no such folder any more */
	}
	state.push(`${gib(os.freemem())} of ${gib(os.totalmem())} memory free`);
	state.push(
		`load average ${os
			.loadavg()
			.map((l) => l.toFixed(1))
			.join(' ')}`,
	);
	return state.join(', ');
}

const howItEnded = ({ code, signal }) => (signal ? `killed by ${signal}` : `exit code ${code}`);

/**
 * Why `n8n start` is gone before it was ready: its exit code, or the signal that ended it (a
 * signal leaves nothing in n8n's own log; SIGKILL from outside is the kernel's out-of-memory
 * killer or a stray kill), what the machine had left, then the end of its output and of its
 * stderr alone.
 */
function exitedEarly(exit, logFile, output, stderr) {
	return [
		`n8n start exited before it was ready (${howItEnded(exit)}; log ${logFile})`,
		`the machine then: ${machineState(path.dirname(logFile))}`,
		`its output ended with:\n${tail(output) || '(nothing)'}`,
		`its stderr ended with:\n${tail(stderr, 2000) || '(nothing)'}`,
	].join('\n');
}

/**
 * The database migration n8n was in when its output ended: the last one it logged as started
 * ("Starting migration X") and not as finished ("Finished migration X"), if any.
 */
function unfinishedMigration(output) {
	const started = [...String(output).matchAll(/Starting migration (\w+)/g)].at(-1);
	if (!started) return undefined;
	const after = output.slice(started.index + started[0].length);
	return new RegExp(`Finished migration ${started[1]}\\b`).test(after) ? undefined : started[1];
}

/**
 * `n8n start` on 127.0.0.1:<port>, ready when /healthz/readiness and /rest/settings answer 200. Its output goes
 * to `<userFolder>/n8n-start.log`.
 *
 * An n8n that exits in the middle of its database migrations (a first start runs them all) is
 * started once more on the same database: a migration commits whole or not at all (2.x on
 * PostgreSQL runs them all in one transaction), so the second start runs again what the first
 * left undone. The log says so, with how the first start ended; a second early exit throws
 * with both. An exit anywhere else is not retried: there it can be the package's fault, and a
 * second start would hide it.
 * @returns {Promise<{port:number, url:string, pid:number, logFile:string, logTail:()=>string, stop:()=>Promise<void>, exited:Promise<object>, ms:number}>}
 */
async function startServer(options) {
	const log = options.log ?? noop;
	const runtime = options.runtime ?? (await ensureRuntime({ log }));
	try {
		return await startServerOnce({ ...options, runtime, log });
	} catch (first) {
		const migration = first.early && unfinishedMigration(first.early.output);
		if (!migration) throw first;
		const why =
			`n8n start exited (${howItEnded(first.early)}) during its database migrations, ` +
			`in ${migration}`;
		const howFirst = `How the first start ended:\n${first.message}`;
		log(`${why}; starting it once more on the same database. ${howFirst}`);
		const note = `${why}; started once more on the same database`;
		return await startServerOnce({ ...options, runtime, log, note }).catch((second) => {
			second.message += `\n\nThat was its second start on this database: ${why}. ${howFirst}`;
			throw second;
		});
	}
}

async function startServerOnce({
	userFolder,
	port,
	env = {},
	timeoutMs = 180000,
	runtime: rt,
	log,
	note,
}) {
	const uf = path.resolve(userFolder);
	port = port || (await findFreePort());
	const brokerPort = await findFreePort();
	const logFile = path.join(uf, 'n8n-start.log');
	const logStream = fs.createWriteStream(logFile, { flags: 'a' });
	if (note) logStream.write(`\n[n8n-runtime] ${note}\n\n`);
	let recent = '';
	// n8n logs to stdout; what a crash prints (a native abort, an unhandled error) goes to stderr
	let recentStderr = '';
	const started = Date.now();
	const child = spawn(rt.nodeBin, [rt.n8nBin, 'start'], {
		cwd: uf,
		env: n8nEnv({ userFolder: uf, port, brokerPort, version: rt.version, extra: env }),
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	track(child);
	for (const stream of [child.stdout, child.stderr])
		stream.on('data', (d) => {
			logStream.write(d);
			recent = (recent + d).slice(-100000);
			if (stream === child.stderr) recentStderr = (recentStderr + d).slice(-100000);
		});
	let hasExited = false;
	let exit;
	const exited = new Promise((resolve) =>
		child.on('close', (code, signal) => {
			hasExited = true;
			exit = { code, signal };
			// whole in the log file before anything (a second start) appends to it
			logStream.end(() => resolve(exit));
		}),
	);
	let stopping;
	const stop = ({ graceMs = 20000 } = {}) =>
		(stopping ??= (async () => {
			if (!hasExited) {
				killTree(child, 'SIGTERM');
				const force = setTimeout(() => killTree(child, 'SIGKILL'), graceMs);
				await exited;
				clearTimeout(force);
			}
			// the task runner, n8n's child, shares the group
			killTree(child, 'SIGKILL');
		})());
	for (;;) {
		if (hasExited) {
			await exited;
			const error = new Error(exitedEarly(exit, logFile, recent, recentStderr));
			throw Object.assign(error, { early: { ...exit, output: recent } });
		}
		if (Date.now() - started > timeoutMs) {
			await stop();
			throw new Error(
				`n8n start not ready after ${timeoutMs} ms (see ${logFile}):\n${tail(recent)}`,
			);
		}
		// n8n 1.x answers /healthz/readiness some seconds before its REST routes exist
		const ok = (route) =>
			fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(2000) }).then(
				(res) => res.ok,
				noop,
			);
		if ((await ok('/healthz/readiness')) && (await ok('/rest/settings'))) break;
		await sleep(250);
	}
	const ms = Date.now() - started;
	log(
		`n8n ${rt.version} ready on http://127.0.0.1:${port} in ${(ms / 1000).toFixed(1)} s (pid ${child.pid})`,
	);
	const logTail = (n = 4000) => tail(recent, n);
	const url = `http://127.0.0.1:${port}`;
	return { port, url, pid: child.pid, logFile, logTail, stop, exited, ms };
}

/**
 * One call to a running n8n's REST API. n8n wraps results as {data}: `data` is unwrapped, and
 * `cookie` is the n8n-auth cookie the answer set, if any. Throws on a status >= 400.
 */
async function rest({ port, cookie, method = 'GET', path: urlPath, body }) {
	const headers = { accept: 'application/json' };
	if (cookie) headers.cookie = cookie;
	if (body !== undefined) headers['content-type'] = 'application/json';
	const send = () =>
		fetch(`http://127.0.0.1:${port}${urlPath}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30000),
		});
	// a GET on a kept-alive connection that n8n closed meanwhile fails before any answer
	// ("other side closed"): once more, on a new connection
	const res = await send().catch((error) => (method === 'GET' ? send() : Promise.reject(error)));
	const text = await res.text();
	if (res.status >= 400)
		throw new Error(`${method} ${urlPath} -> ${res.status}: ${tail(text, 1000)}`);
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	const authCookie = res.headers
		.getSetCookie()
		.map((c) => /^n8n-auth=[^;]+/.exec(c)?.[0])
		.find(Boolean);
	return { status: res.status, data: json?.data ?? json, json, text, cookie: authCookie };
}

const DEFAULT_OWNER = {
	email: 'owner@example.com',
	password: 'Passw0rd-e2e',
	firstName: 'E2E',
	lastName: 'Owner',
};

/** Creates the instance owner (once per database): POST /rest/owner/setup. Returns {user, cookie}. */
async function setupOwner({ port, ...owner }) {
	const body = { ...DEFAULT_OWNER, ...owner };
	const r = await rest({ port, method: 'POST', path: '/rest/owner/setup', body });
	return { user: r.data, cookie: r.cookie };
}

/** POST /rest/login: returns the `n8n-auth=<jwt>` cookie to send back, and the user. */
/**
 * Activates a stored workflow the way the editor's toggle does (n8n 2.x wants the version it
 * activates; n8n 1.x ignores it). An active workflow is left as it is.
 */
async function activateWorkflow({ port, cookie, id }) {
	const stored = await rest({ port, cookie, path: `/rest/workflows/${id}` });
	if (stored.data.active) return;
	await rest({
		port,
		cookie,
		method: 'POST',
		path: `/rest/workflows/${id}/activate`,
		body: { versionId: stored.data.versionId },
	});
}

async function login({ port, email = DEFAULT_OWNER.email, password = DEFAULT_OWNER.password }) {
	const r = await rest({
		port,
		method: 'POST',
		path: '/rest/login',
		body: { emailOrLdapLoginId: email, password },
	});
	if (!r.cookie) throw new Error('POST /rest/login answered without an n8n-auth cookie');
	return { cookie: r.cookie, user: r.data };
}

module.exports = {
	activateWorkflow,
	VERSIONS,
	DEFAULT_VERSION,
	DEFAULT_OWNER,
	runtimePaths,
	ensureRuntime,
	createUserFolder,
	installCommunityPackage,
	n8nEnv,
	findFreePort,
	runCli,
	importWorkflow,
	importCredentials,
	executeWorkflow,
	parseRunOutput,
	nodeError,
	exportNodes,
	startServer,
	unfinishedMigration,
	rest,
	setupOwner,
	login,
	run,
};
