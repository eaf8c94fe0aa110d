'use strict';
/**
 * n8n-runtime: prepares and drives a REAL n8n (pinned version) for end-to-end
 * tests and demos, from a fresh machine, with nothing installed by hand.
 *
 * Plain CommonJS, Node >= 20, no dependencies beyond Node's standard library
 * and the machine's `npm`. See README.md beside this file.
 */
const fs = require('fs');
const fsp = fs.promises;
const os = require('os');
const path = require('path');
const http = require('http');
const crypto = require('crypto');
const { spawn } = require('child_process');

// Each n8n version runs on its own pinned Node (npm package node-<platform>-<arch>).
// 1.x: its xlsx dependency points at a tarball on cdn.sheetjs.com; the registry's 0.18.5 is
// the same library and the only one reachable from a registry-only machine.
const VERSIONS = {
	'2.41.1': { node: '24.21.0' },
	'1.123.81': { node: '22.23.5', overrides: { xlsx: '0.18.5' } },
};
const DEFAULT_VERSION = '2.41.1';
const NODE_VERSION = VERSIONS[DEFAULT_VERSION].node;
const N8N_VERSION = DEFAULT_VERSION;
const MARKER = '.n8n-runtime-complete.json';
const LOCK_STALE_MS = 30 * 60 * 1000; // an install never takes this long

// ---------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------

const noop = () => {};

function defaultLog(msg) {
	process.stderr.write(`[n8n-runtime] ${msg}\n`);
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

function cacheDir() {
	if (process.env.N8N_RUNTIME_CACHE) return path.resolve(process.env.N8N_RUNTIME_CACHE);
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-wechat-gateway', 'runtime');
}

function nodePackageName() {
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	return `node-${platform}-${process.arch}`;
}

/** The machine's npm, run by the machine's node (whatever is on PATH). */
function npmCommand() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

/**
 * An environment for child `npm` runs with every npm_config_* / npm_* variable
 * removed: when this library runs under `npm test` / `npm run`, npm exports
 * its resolved config (e.g. the repo's ignore-scripts=true, nodedir=/usr from
 * ~/.npmrc) as npm_config_* vars, which would leak into installs done here.
 */
function cleanNpmEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		const lk = k.toLowerCase();
		if (
			lk.startsWith('npm_config_') ||
			lk.startsWith('npm_package_') ||
			lk.startsWith('npm_lifecycle_')
		)
			continue;
		if (
			lk === 'init_cwd' ||
			lk === 'npm_command' ||
			lk === 'npm_execpath' ||
			lk === 'npm_node_execpath'
		)
			continue;
		env[k] = v;
	}
	return Object.assign(env, extra);
}

/**
 * Runs a command, collecting stdout/stderr. Bounded by `timeoutMs` (kills the
 * whole process group). Resolves { code, signal, stdout, stderr, ms }.
 */
function run(cmd, args, opts = {}) {
	const { cwd, env, timeoutMs = 10 * 60 * 1000, input, onStdout, onStderr } = opts;
	return new Promise((resolve, reject) => {
		const started = Date.now();
		let child;
		try {
			child = spawn(cmd, args, {
				cwd,
				env: env || process.env,
				stdio: ['pipe', 'pipe', 'pipe'],
				detached: process.platform !== 'win32',
			});
		} catch (e) {
			reject(e);
			return;
		}
		track(child);
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stdout.on('data', (d) => {
			stdout += d;
			if (onStdout) onStdout(d);
		});
		child.stderr.on('data', (d) => {
			stderr += d;
			if (onStderr) onStderr(d);
		});
		const timer = setTimeout(() => {
			timedOut = true;
			killTree(child, 'SIGKILL');
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		// when the command itself exits, end whatever it left in its group
		// (e.g. a task runner): a survivor holding the pipes would delay 'close'
		child.on('exit', () => killTree(child, 'SIGKILL'));
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const res = { code, signal, stdout, stderr, ms: Date.now() - started, timedOut };
			if (timedOut) res.code = code === null ? 124 : code;
			resolve(res);
		});
		if (input !== undefined) child.stdin.end(input);
		else child.stdin.end();
	});
}

// Children run in their own process group (so a timeout or stop() can end
// the whole tree: n8n starts a task-runner process of its own). Being in
// another group, they would not get the terminal's Ctrl-C, and would outlive
// a caller that dies: so every live child is tracked, and killed when this
// process exits, or on SIGINT/SIGTERM/SIGHUP when nobody else handles that
// signal (then the signal is re-raised, keeping its default effect).
const liveChildren = new Set();
let hooksInstalled = false;
function killAllLive(signal) {
	for (const c of liveChildren) killTree(c, signal);
}
function track(child) {
	liveChildren.add(child);
	child.on('close', () => liveChildren.delete(child));
	if (hooksInstalled) return;
	hooksInstalled = true;
	process.on('exit', () => killAllLive('SIGKILL'));
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		const handler = () => {
			if (process.listenerCount(sig) > 1) return; // the caller handles it (and should stop its servers)
			killAllLive('SIGKILL');
			process.removeListener(sig, handler);
			process.kill(process.pid, sig);
		};
		process.on(sig, handler);
	}
}

function killTree(child, signal = 'SIGTERM') {
	if (!child || !child.pid) return;
	try {
		if (process.platform !== 'win32') process.kill(-child.pid, signal);
		else child.kill(signal);
	} catch {
		/* already gone */
	}
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

async function writeJson(file, obj) {
	await fsp.writeFile(file, JSON.stringify(obj, null, 2) + '\n');
}

function tail(s, n = 4000) {
	return s.length > n ? '…' + s.slice(-n) : s;
}

// ---------------------------------------------------------------------------
// lock (mkdir is atomic; the lock dir records its owner's pid for staleness)
// ---------------------------------------------------------------------------

function lockOwnerText() {
	return `${process.pid} ${os.hostname()} ${new Date().toISOString()}\n`;
}

function readOwner(lockDir) {
	try {
		return fs.readFileSync(path.join(lockDir, 'owner'), 'utf8');
	} catch {
		return undefined;
	}
}

function ownerIsDead(owner) {
	const [pid, host] = owner.split(' ');
	return host === os.hostname() && Number(pid) > 0 && !isAlive(Number(pid));
}

/**
 * Takes a stale lock away (its owner died, or it is very old). Atomic: the
 * lock dir is renamed aside, and put back if it turns out to be a fresh one.
 * Returns true if the caller should retry at once.
 */
async function breakStaleLock(lockDir, log) {
	const owner = readOwner(lockDir);
	let age;
	try {
		age = Date.now() - fs.statSync(lockDir).mtimeMs;
	} catch {
		return true; // gone: retry
	}
	const stale = owner ? ownerIsDead(owner) || age > LOCK_STALE_MS : age > 60 * 1000;
	if (!stale) return false;
	const aside = `${lockDir}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
	try {
		await fsp.rename(lockDir, aside);
	} catch {
		return true; // someone else moved it
	}
	if (readOwner(aside) !== owner) {
		// it was replaced by a live owner between the check and the rename
		await fsp.rename(aside, lockDir).catch(() => {});
		return true;
	}
	log(`removed a stale install lock (${owner ? `owner ${owner.trim()}` : 'no owner'})`);
	await fsp.rm(aside, { recursive: true, force: true });
	return true;
}

async function withLock(lockDir, log, fn) {
	const started = Date.now();
	let announced = false;
	const mine = lockOwnerText();
	for (;;) {
		try {
			await fsp.mkdir(lockDir);
			await fsp.writeFile(path.join(lockDir, 'owner'), mine);
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			if (await breakStaleLock(lockDir, log)) continue;
			if (!announced) {
				log(
					`waiting for another install to finish (lock ${lockDir}: ${(readOwner(lockDir) || '').trim()})`,
				);
				announced = true;
			}
			if (Date.now() - started > LOCK_STALE_MS)
				throw new Error(`timed out waiting for lock ${lockDir}`);
			await sleep(1000);
		}
	}
	try {
		return await fn();
	} finally {
		// release only our own lock
		if (readOwner(lockDir) === mine) await fsp.rm(lockDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------
// install: one Node and one n8n folder per pinned version, one lock for the cache
// ---------------------------------------------------------------------------

/** The pinned n8n version asked for (argument, else N8N_RUNTIME_VERSION, else the default). */
function pickVersion(version = process.env.N8N_RUNTIME_VERSION || DEFAULT_VERSION) {
	if (!VERSIONS[version])
		throw new Error(
			`n8n ${version} is not pinned here; pinned: ${Object.keys(VERSIONS).join(', ')}`,
		);
	return version;
}

function runtimePaths({ version, cache } = {}) {
	const n8nVersion = pickVersion(version);
	const nodeVersion = VERSIONS[n8nVersion].node;
	const root = cache ? path.resolve(cache) : cacheDir();
	const nodeDir = path.join(root, `node${nodeVersion.split('.')[0]}`);
	const nodePkgDir = path.join(nodeDir, 'node_modules', nodePackageName());
	const nodeBin = path.join(nodePkgDir, 'bin', 'node');
	const n8nDir = path.join(root, `n8n-${n8nVersion}`);
	const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	return { root, n8nVersion, nodeVersion, nodeDir, nodePkgDir, nodeBin, n8nDir, n8nBin };
}

/** True when `dir` holds a finished install of what `expect` describes. */
function installed(dir, bin, expect) {
	const marker = readJson(path.join(dir, MARKER));
	return (
		!!marker && Object.entries(expect).every(([k, v]) => marker[k] === v) && fs.existsSync(bin)
	);
}

/**
 * Installs `dependencies` into a cache folder emptied first (its package-lock.json is kept: it
 * only makes a re-install resolve faster), runs `verify`, then writes the completion marker.
 */
async function installFolder({ dir, bin, expect, dependencies, overrides, log, verify }) {
	if (installed(dir, bin, expect)) return;
	const started = Date.now();
	await fsp.mkdir(dir, { recursive: true });
	for (const name of await fsp.readdir(dir))
		if (name !== 'package-lock.json') await fsp.rm(path.join(dir, name), { recursive: true });
	await writeJson(path.join(dir, 'package.json'), {
		name: `n8n-runtime-${path.basename(dir)}`,
		private: true,
		description: 'cache folder of scripts/n8n-runtime (n8n-nodes-wechat-gateway); safe to delete',
		dependencies,
		...(overrides ? { overrides } : {}),
	});
	const args = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
	await npmIn(dir, args, log, 20 * 60 * 1000);
	await verify();
	const ms = Date.now() - started;
	await writeJson(path.join(dir, MARKER), { ...expect, installedAt: new Date(), ms });
	log(`${Object.keys(dependencies)[0]} ready in ${(ms / 1000).toFixed(1)} s (${dir})`);
}

async function npmIn(dir, args, log, timeoutMs, extraEnv = {}) {
	log(`npm ${args.join(' ')}   (in ${dir})`);
	const res = await run(npmCommand(), args, { cwd: dir, env: cleanNpmEnv(extraEnv), timeoutMs });
	if (res.code !== 0)
		throw new Error(
			`npm ${args.join(' ')} failed in ${dir} (exit ${res.code})\n${tail(res.stderr)}\n${tail(res.stdout, 1000)}`,
		);
}

async function check(what, cmd, args, opts, ok) {
	const res = await run(cmd, args, { timeoutMs: 120000, ...opts });
	if (res.code !== 0 || !ok(res))
		throw new Error(
			`${what} did not verify (exit ${res.code})\n${tail(res.stdout)}\n${tail(res.stderr)}`,
		);
}

async function installNode(p, log) {
	const pkg = nodePackageName();
	await installFolder({
		dir: p.nodeDir,
		bin: p.nodeBin,
		expect: { node: p.nodeVersion, pkg },
		dependencies: { [pkg]: p.nodeVersion },
		log,
		verify: () =>
			check(
				`Node ${p.nodeVersion}`,
				p.nodeBin,
				['--version'],
				{},
				(r) => r.stdout.trim() === `v${p.nodeVersion}`,
			),
	});
}

async function installN8n(p, log) {
	const verify = async () => {
		// Only sqlite3's native addon is needed for n8n to start (without it n8n loops on "SQLite
		// package has not been found installed"). No prebuilt download is reachable, so node-gyp
		// builds it from source against this Node's headers (node-<platform>-<arch> ships
		// include/node; the env var wins over a nodedir in ~/.npmrc).
		await npmIn(
			p.n8nDir,
			['rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'],
			log,
			15 * 60 * 1000,
			{
				PATH: `${path.dirname(p.nodeBin)}${path.delimiter}${process.env.PATH || ''}`,
				npm_config_nodedir: p.nodePkgDir,
				npm_config_build_from_source: 'true',
				JOBS: String(os.cpus().length),
			},
		);
		const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-rt-verify-'));
		const env = { ...cleanNpmEnv(), N8N_DIAGNOSTICS_ENABLED: 'false', N8N_USER_FOLDER: scratch };
		await check(
			`n8n@${p.n8nVersion}`,
			p.nodeBin,
			[p.n8nBin, '--version'],
			{ cwd: p.n8nDir, env },
			(r) => r.stdout.includes(p.n8nVersion),
		).finally(() => fsp.rm(scratch, { recursive: true, force: true }));
		const query =
			"const s=require('sqlite3');const db=new s.Database(':memory:');db.get('select 41+1 as x',(e,r)=>{if(e||r.x!==42)process.exit(2);db.close()})";
		await check(
			`sqlite3 under Node ${p.nodeVersion}`,
			p.nodeBin,
			['-e', query],
			{ cwd: p.n8nDir },
			() => true,
		);
	};
	log(`installing n8n@${p.n8nVersion} on Node ${p.nodeVersion} (cold: minutes, ~2.7 GB)`);
	await installFolder({
		dir: p.n8nDir,
		bin: p.n8nBin,
		expect: { n8n: p.n8nVersion, node: p.nodeVersion },
		dependencies: { n8n: p.n8nVersion },
		overrides: VERSIONS[p.n8nVersion].overrides,
		log,
		verify,
	});
}

/**
 * Installs (idempotently, cached, under one lock for the whole cache) a pinned n8n and its Node:
 * `version` (default: N8N_RUNTIME_VERSION, else 2.41.1) is one of VERSIONS.
 * @returns {Promise<{nodeBin:string, n8nBin:string, version:string, nodeVersion:string, cacheDir:string, n8nDir:string}>}
 */
async function ensureRuntime({ version, log = defaultLog, cache } = {}) {
	const p = runtimePaths({ version, cache });
	const ready = () =>
		installed(p.nodeDir, p.nodeBin, { node: p.nodeVersion, pkg: nodePackageName() }) &&
		installed(p.n8nDir, p.n8nBin, { n8n: p.n8nVersion, node: p.nodeVersion });
	if (!ready()) {
		await fsp.mkdir(p.root, { recursive: true });
		await withLock(path.join(p.root, '.install.lock'), log, async () => {
			await installNode(p, log);
			await installN8n(p, log);
		});
	}
	return {
		nodeBin: p.nodeBin,
		n8nBin: p.n8nBin,
		version: p.n8nVersion,
		nodeVersion: p.nodeVersion,
		cacheDir: p.root,
		n8nDir: p.n8nDir,
	};
}

// ---------------------------------------------------------------------------
// user folder, community packages, environment
// ---------------------------------------------------------------------------

const USER_FOLDER_MARKER = '.n8n-runtime-user-folder';

function n8nFolderOf(userFolder) {
	return path.join(path.resolve(userFolder), '.n8n');
}

/**
 * Prepares an N8N_USER_FOLDER: `<dir>/.n8n/config` holding a fixed encryption
 * key (0600, as n8n wants it), and `<dir>/.n8n/nodes/package.json`.
 * Idempotent: an existing key is kept. With `reset: true` an existing
 * `<dir>/.n8n` is wiped first (only if this library created it, or it is empty).
 * @returns {Promise<{userFolder:string, n8nFolder:string, encryptionKey:string}>}
 */
async function createUserFolder(dir, { encryptionKey, reset = false } = {}) {
	if (!dir) throw new Error('createUserFolder: dir is required');
	const userFolder = path.resolve(dir);
	const n8nFolder = n8nFolderOf(userFolder);
	const configFile = path.join(n8nFolder, 'config');
	if (reset && fs.existsSync(n8nFolder)) {
		const ours =
			fs.existsSync(path.join(userFolder, USER_FOLDER_MARKER)) ||
			fs.readdirSync(n8nFolder).length === 0;
		if (!ours)
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
	const existing = readJson(configFile);
	let key = existing && existing.encryptionKey;
	if (!key || (encryptionKey && encryptionKey !== key)) {
		if (
			key &&
			encryptionKey &&
			encryptionKey !== key &&
			fs.existsSync(path.join(n8nFolder, 'database.sqlite'))
		) {
			throw new Error(
				`createUserFolder: ${userFolder} already has a database encrypted with another key; use reset: true`,
			);
		}
		key = encryptionKey || crypto.randomBytes(24).toString('base64url');
		await fsp.writeFile(configFile, JSON.stringify({ encryptionKey: key }, null, '\t'), {
			mode: 0o600,
		});
	}
	await fsp.chmod(configFile, 0o600);
	const nodesPkg = path.join(n8nFolder, 'nodes', 'package.json');
	if (!fs.existsSync(nodesPkg)) {
		// the same file n8n writes itself before its first community install
		await writeJson(nodesPkg, { name: 'installed-nodes', private: true, dependencies: {} });
	}
	return { userFolder, n8nFolder, encryptionKey: key };
}

function readEncryptionKey(userFolder) {
	const cfg = readJson(path.join(n8nFolderOf(userFolder), 'config'));
	if (!cfg || !cfg.encryptionKey) {
		throw new Error(
			`${userFolder} is not prepared: call createUserFolder() first (no .n8n/config)`,
		);
	}
	return cfg.encryptionKey;
}

function packageJsonOfTarball(tarball) {
	// `npm pack` tarballs hold package/package.json
	return new Promise((resolve, reject) => {
		const child = spawn('tar', ['-xzOf', tarball, 'package/package.json'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (err += d));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code !== 0)
				return reject(new Error(`cannot read package/package.json from ${tarball}: ${err}`));
			try {
				resolve(JSON.parse(out));
			} catch (e) {
				reject(e);
			}
		});
	});
}

/**
 * Installs a packed community node package (`npm pack` .tgz) into
 * `<userFolder>/.n8n/nodes`, where n8n loads community packages from, with
 * the machine's npm: `npm install --omit=peer --omit=dev --ignore-scripts`.
 * The tarball is copied into `nodes/tarballs/` first, so the install does not
 * depend on the original file. Nodes then load as `<package-name>.<nodeName>`.
 * @returns {Promise<{name:string, version:string, dir:string, nodes:string[], credentials:string[]}>}
 */
async function installCommunityPackage({
	userFolder,
	tarball,
	log = noop,
	timeoutMs = 10 * 60 * 1000,
}) {
	if (!userFolder || !tarball)
		throw new Error('installCommunityPackage: userFolder and tarball are required');
	const src = path.resolve(tarball);
	const pkg = await packageJsonOfTarball(src);
	if (!/^(@[^/]+\/)?n8n-nodes-/.test(pkg.name)) {
		log(
			`warning: ${pkg.name} does not match n8n-nodes-* / @scope/n8n-nodes-*: n8n will not load it`,
		);
	}
	await createUserFolder(userFolder);
	const nodesDir = path.join(n8nFolderOf(userFolder), 'nodes');
	const tarDir = path.join(nodesDir, 'tarballs');
	await fsp.mkdir(tarDir, { recursive: true });
	const dest = path.join(
		tarDir,
		`${pkg.name.replace(/^@/, '').replace(/\//g, '-')}-${pkg.version}.tgz`,
	);
	await fsp.copyFile(src, dest);
	// a re-install of the same version with other content must not be skipped
	await fsp.rm(path.join(nodesDir, 'node_modules', pkg.name), { recursive: true, force: true });
	await npmIn(
		nodesDir,
		[
			'install',
			'--omit=peer',
			'--omit=dev',
			'--ignore-scripts',
			'--package-lock=false',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
			`file:${path.relative(nodesDir, dest)}`,
		],
		log,
		timeoutMs,
	);
	const dir = path.join(nodesDir, 'node_modules', pkg.name);
	if (!fs.existsSync(path.join(dir, 'package.json')))
		throw new Error(`install of ${pkg.name} left no ${dir}`);
	if (
		fs.existsSync(path.join(nodesDir, 'node_modules', 'n8n-workflow')) ||
		fs.existsSync(path.join(dir, 'node_modules', 'n8n-workflow'))
	) {
		throw new Error(
			`${pkg.name} brought its own n8n-workflow into ${nodesDir}: it must be a peerDependency only (n8n would load two copies)`,
		);
	}
	const n8n = pkg.n8n || {};
	return {
		name: pkg.name,
		version: pkg.version,
		dir,
		nodes: n8n.nodes || [],
		credentials: n8n.credentials || [],
	};
}

/**
 * The environment for a quiet, offline, loopback-only n8n on `userFolder`.
 * `port` is the editor/REST port (N8N_PORT); `brokerPort` the task-runner
 * broker's (default 5679 in n8n: two n8n processes at once need two ports).
 * `extra` is merged last. npm_config_* vars of the caller are dropped.
 */
function n8nEnv({ userFolder, port = 5678, brokerPort, extra = {} } = {}) {
	if (!userFolder) throw new Error('n8nEnv: userFolder is required');
	const uf = path.resolve(userFolder);
	const env = cleanNpmEnv();
	// A test runner's NODE_ENV=test (jest sets it) is not n8n's: n8n reads it as its own test
	// mode (`inTest`), where the CLI prints nothing, so import:* seemed to fail with exit 0.
	if (env.NODE_ENV === 'test') delete env.NODE_ENV;
	Object.assign(env, {
		N8N_USER_FOLDER: uf,
		N8N_ENCRYPTION_KEY: readEncryptionKey(uf),
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		// network: loopback only
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// the browser on http://127.0.0.1 must be able to keep the auth cookie
		N8N_SECURE_COOKIE: 'false',
		// quiet and offline: nothing phones home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry,instance-ai,chat-hub,workflow-builder',
		// database: sqlite in the user folder (n8n's default; spelled out)
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '3',
		// community packages from <userFolder>/.n8n/nodes
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// today's defaults, spelled out: each one unset prints a deprecation
		// notice at every start ("the default will change")
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(2 * 1024 * 1024 * 1024),
		N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '5000',
		// stop fast
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		NO_COLOR: '1',
	});
	if (brokerPort) env.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
	return Object.assign(env, extra);
}

// ---------------------------------------------------------------------------
// ports
// ---------------------------------------------------------------------------

function portFree(port, host = '127.0.0.1') {
	return new Promise((resolve) => {
		const srv = require('net').createServer();
		srv.unref();
		srv.once('error', () => resolve(false));
		srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
	});
}

const handedOut = new Set();
/** A free 127.0.0.1 port in [from, to] (default 5700-5799), not handed out before by this process. */
async function findFreePort({ from = 5700, to = 5799 } = {}) {
	const span = to - from + 1;
	const start = Math.floor(Math.random() * span);
	for (let i = 0; i < span; i++) {
		const port = from + ((start + i) % span);
		if (handedOut.has(port)) continue;
		if (await portFree(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error(`no free port in ${from}-${to}`);
}

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------

/**
 * Runs `node24 n8n <args>` on `userFolder`. Resolves {code, stdout, stderr, ms}.
 * A free broker port (5700-5799) is picked unless given, so a CLI run works
 * beside a running server.
 */
async function runCli({
	args,
	userFolder,
	port,
	brokerPort,
	env = {},
	timeoutMs = 5 * 60 * 1000,
	runtime,
	log = noop,
} = {}) {
	if (!Array.isArray(args)) throw new Error('runCli: args must be an array');
	const rt = runtime || (await ensureRuntime({ log }));
	const bp = brokerPort || (await findFreePort());
	const res = await run(rt.nodeBin, [rt.n8nBin, ...args], {
		cwd: path.resolve(userFolder),
		env: n8nEnv({ userFolder, port: port || 5678, brokerPort: bp, extra: env }),
		timeoutMs,
	});
	handedOut.delete(bp);
	return res;
}

function cliError(what, res) {
	return new Error(
		`n8n ${what} failed (exit ${res.code}${res.timedOut ? ', timed out' : ''})\n${tail(res.stdout)}\n${tail(res.stderr)}`,
	);
}

/** `n8n import:workflow --input=<file>` (a workflow object, or an array of them). */
async function importWorkflow({ userFolder, file, projectId, userId, activeState, ...rest }) {
	const args = ['import:workflow', `--input=${path.resolve(file)}`];
	if (projectId) args.push(`--projectId=${projectId}`);
	if (userId) args.push(`--userId=${userId}`);
	if (activeState) args.push(`--activeState=${activeState}`);
	const res = await runCli({ args, userFolder, ...rest });
	if (res.code !== 0 || !/Successfully imported/.test(res.stdout + res.stderr))
		throw cliError('import:workflow', res);
	return res;
}

/**
 * `n8n import:credentials --input=<file>`: the file must hold an ARRAY of
 * {id?, name, type, data:{...plain...}}; plain `data` is encrypted on import.
 */
async function importCredentials({ userFolder, file, projectId, userId, ...rest }) {
	const args = ['import:credentials', `--input=${path.resolve(file)}`];
	if (projectId) args.push(`--projectId=${projectId}`);
	if (userId) args.push(`--userId=${userId}`);
	const res = await runCli({ args, userFolder, ...rest });
	if (res.code !== 0 || !/Successfully imported/.test(res.stdout + res.stderr))
		throw cliError('import:credentials', res);
	return res;
}

/**
 * Extracts the run JSON that `n8n execute --rawOutput` prints between a line
 * `{` and a line `}` (pretty-printed, so only the outermost braces sit at
 * column 0), among log lines. Returns the LAST block that parses and looks
 * like a run ({data:{resultData}}), else the last block that parses, else undefined.
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
	const runs = blocks.filter((b) => b && b.data && b.data.resultData);
	return runs.length ? runs[runs.length - 1] : blocks[blocks.length - 1];
}

/**
 * `n8n execute --id=<id> --rawOutput`. n8n exits 1 when a node fails; the
 * run JSON is printed in both cases.
 * @returns {Promise<{code:number, ok:boolean, status?:string, error?:object, run?:object, lastNode?:string, stdout:string, stderr:string}>}
 */
async function executeWorkflow({ userFolder, id, ...rest }) {
	if (!id) throw new Error('executeWorkflow: id is required');
	const res = await runCli({ args: ['execute', `--id=${id}`, '--rawOutput'], userFolder, ...rest });
	const runData = parseRunOutput(res.stdout);
	const resultData = runData && runData.data && runData.data.resultData;
	return {
		code: res.code,
		ok: res.code === 0 && !!runData && !(resultData && resultData.error),
		status: runData && runData.status,
		error: resultData && resultData.error,
		lastNode: resultData && resultData.lastNodeExecuted,
		run: runData,
		stdout: res.stdout,
		stderr: res.stderr,
		ms: res.ms,
	};
}

/** The `json` of the items a node output in a run: nodeItems(run, 'Set') -> [{...}, ...] */
function nodeItems(runData, nodeName, { runIndex = -1, output = 0 } = {}) {
	const runs =
		runData &&
		runData.data &&
		runData.data.resultData &&
		runData.data.resultData.runData &&
		runData.data.resultData.runData[nodeName];
	if (!runs || !runs.length) return undefined;
	const r = runs[runIndex < 0 ? runs.length + runIndex : runIndex];
	const main = r && r.data && r.data.main;
	if (!main || !main[output]) return [];
	return main[output].map((item) => item.json);
}

/** Error of a node in a run, if it failed: {message, description, ...} */
function nodeError(runData, nodeName, { runIndex = -1 } = {}) {
	const runs =
		runData &&
		runData.data &&
		runData.data.resultData &&
		runData.data.resultData.runData &&
		runData.data.resultData.runData[nodeName];
	if (!runs || !runs.length) return undefined;
	const r = runs[runIndex < 0 ? runs.length + runIndex : runIndex];
	return r && r.error;
}

/**
 * `n8n export:nodes --output=<file>`: every node type n8n loaded (core and
 * community), as an array of node descriptions; community ones are named
 * `<package-name>.<nodeName>`.
 */
async function exportNodes({ userFolder, output, ...rest }) {
	const out = path.resolve(output || path.join(path.resolve(userFolder), 'nodes.json'));
	await fsp.rm(out, { force: true });
	const res = await runCli({ args: ['export:nodes', `--output=${out}`], userFolder, ...rest });
	if (res.code !== 0) throw cliError('export:nodes', res);
	// n8n does not wait for its write stream before exiting: read defensively
	let text = '';
	for (let i = 0; i < 20; i++) {
		text = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
		if (text.trimEnd().endsWith(']')) break;
		await sleep(100);
	}
	return JSON.parse(text);
}

// ---------------------------------------------------------------------------
// server
// ---------------------------------------------------------------------------

function httpRequest({
	port,
	host = '127.0.0.1',
	method = 'GET',
	path: p,
	headers = {},
	body,
	timeoutMs = 30000,
}) {
	return new Promise((resolve, reject) => {
		const data =
			body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
		const h = { accept: 'application/json', ...headers };
		if (data !== undefined) {
			h['content-type'] = h['content-type'] || 'application/json';
			h['content-length'] = Buffer.byteLength(data);
		}
		const req = http.request(
			{ host, port, method, path: p, headers: h, timeout: timeoutMs },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json;
					try {
						json = JSON.parse(text);
					} catch {
						/* not JSON */
					}
					resolve({ status: res.statusCode, headers: res.headers, text, json });
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${method} ${p} timed out`)));
		req.on('error', reject);
		if (data !== undefined) req.write(data);
		req.end();
	});
}

/**
 * Spawns `n8n start` on 127.0.0.1:<port> and waits for /healthz/readiness.
 * Output goes to `<userFolder>/n8n-start.log` (and `logTail()`).
 * @returns {Promise<{port:number, url:string, pid:number, logFile:string, logTail:()=>string, stop:()=>Promise<void>, exited:Promise<object>, ms:number}>}
 */
async function startServer({
	userFolder,
	port,
	brokerPort,
	env = {},
	timeoutMs = 180000,
	runtime,
	log = noop,
} = {}) {
	const rt = runtime || (await ensureRuntime({ log }));
	const uf = path.resolve(userFolder);
	port = port || (await findFreePort());
	brokerPort = brokerPort || (await findFreePort());
	if (!(await portFree(port))) throw new Error(`port ${port} on 127.0.0.1 is taken`);
	const logFile = path.join(uf, 'n8n-start.log');
	const logStream = fs.createWriteStream(logFile, { flags: 'a' });
	let buf = '';
	const onData = (d) => {
		logStream.write(d);
		buf += d;
		if (buf.length > 200000) buf = buf.slice(-100000);
	};
	const started = Date.now();
	const child = spawn(rt.nodeBin, [rt.n8nBin, 'start'], {
		cwd: uf,
		env: n8nEnv({ userFolder: uf, port, brokerPort, extra: env }),
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: process.platform !== 'win32',
	});
	track(child);
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	const exited = new Promise((resolve) => {
		child.on('close', (code, signal) => {
			logStream.end();
			resolve({ code, signal });
		});
	});
	let hasExited = false;
	exited.then(() => (hasExited = true));

	let stopping;
	const stop = async ({ graceMs = 20000 } = {}) => {
		if (!stopping) {
			stopping = (async () => {
				if (!hasExited) {
					killTree(child, 'SIGTERM');
					const t = setTimeout(() => killTree(child, 'SIGKILL'), graceMs);
					await exited;
					clearTimeout(t);
				}
				// the task runner (a child of n8n) shares the group: make sure it is gone too
				killTree(child, 'SIGKILL');
				handedOut.delete(port);
				handedOut.delete(brokerPort);
			})();
		}
		return stopping;
	};
	const handle = {
		port,
		brokerPort,
		url: `http://127.0.0.1:${port}`,
		pid: child.pid,
		logFile,
		logTail: (n = 4000) => tail(buf, n),
		stop,
		exited,
		ms: 0,
	};

	for (;;) {
		if (hasExited) {
			throw new Error(`n8n start exited before it was ready (see ${logFile}):\n${tail(buf)}`);
		}
		if (Date.now() - started > timeoutMs) {
			await stop();
			throw new Error(`n8n start not ready after ${timeoutMs} ms (see ${logFile}):\n${tail(buf)}`);
		}
		try {
			const r = await httpRequest({ port, path: '/healthz/readiness', timeoutMs: 2000 });
			if (r.status === 200) break;
		} catch {
			/* not listening yet */
		}
		await sleep(250);
	}
	handle.ms = Date.now() - started;
	log(
		`n8n ${rt.version} ready on ${handle.url} in ${(handle.ms / 1000).toFixed(1)} s (pid ${child.pid})`,
	);
	return handle;
}

// ---------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------

function authCookieFrom(headers) {
	const set = headers['set-cookie'] || [];
	for (const c of set) {
		const m = /^(n8n-auth=[^;]+)/.exec(c);
		if (m) return m[1];
	}
	return undefined;
}

/**
 * One REST call against a running n8n: rest({port, cookie, method, path:'/rest/workflows', body}).
 * n8n wraps results as {data: ...}; this returns {status, data (unwrapped), json, text, headers}.
 * Throws on status >= 400 unless `okStatuses` includes it.
 */
async function rest({
	port,
	cookie,
	method = 'GET',
	path: p,
	body,
	headers = {},
	okStatuses = [],
}) {
	const h = { ...headers };
	if (cookie) h.cookie = cookie;
	const r = await httpRequest({ port, method, path: p, headers: h, body });
	if (r.status >= 400 && !okStatuses.includes(r.status)) {
		const e = new Error(`${method} ${p} -> ${r.status}: ${tail(r.text, 1000)}`);
		e.status = r.status;
		e.response = r;
		throw e;
	}
	const data = r.json && typeof r.json === 'object' && 'data' in r.json ? r.json.data : r.json;
	return {
		status: r.status,
		data,
		json: r.json,
		text: r.text,
		headers: r.headers,
		cookie: authCookieFrom(r.headers),
	};
}

const DEFAULT_OWNER = {
	email: 'owner@example.com',
	password: 'Passw0rd-e2e',
	firstName: 'E2E',
	lastName: 'Owner',
};

/**
 * Creates the instance owner: POST /rest/owner/setup
 * {email, firstName, lastName, password} (password: 8-64 chars, >=1 digit,
 * >=1 uppercase). Only works once per database. Returns {user, cookie}.
 */
async function setupOwner({ port, email, password, firstName, lastName } = {}) {
	const body = {
		email: email || DEFAULT_OWNER.email,
		password: password || DEFAULT_OWNER.password,
		firstName: firstName || DEFAULT_OWNER.firstName,
		lastName: lastName || DEFAULT_OWNER.lastName,
	};
	const r = await rest({ port, method: 'POST', path: '/rest/owner/setup', body });
	return { user: r.data, cookie: r.cookie };
}

/**
 * Logs in: POST /rest/login {emailOrLdapLoginId, password}. Returns the
 * cookie header value `n8n-auth=<jwt>` (send it back as `cookie:`), and the user.
 * No `browser-id` header is sent, so the token is not bound to one.
 */
async function login({ port, email, password } = {}) {
	const r = await rest({
		port,
		method: 'POST',
		path: '/rest/login',
		body: {
			emailOrLdapLoginId: email || DEFAULT_OWNER.email,
			password: password || DEFAULT_OWNER.password,
		},
	});
	if (!r.cookie) throw new Error('POST /rest/login answered without an n8n-auth cookie');
	return { cookie: r.cookie, user: r.data };
}

/** POST /rest/credentials {name, type, data:{plain}} -> the credential (id, name, type, ...). */
async function createCredential({ port, cookie, name, type, data, projectId }) {
	const body = { name, type, data };
	if (projectId) body.projectId = projectId;
	return (await rest({ port, cookie, method: 'POST', path: '/rest/credentials', body })).data;
}

/** POST /rest/workflows {name, nodes, connections, settings?, active?:false, id?} -> the saved workflow (with id, versionId). */
async function createWorkflow({ port, cookie, workflow }) {
	const { name, nodes, connections, settings, id, pinData, meta, tags } = workflow;
	const body = { name, nodes, connections, settings: settings || {}, active: false };
	if (id) body.id = id;
	if (pinData) body.pinData = pinData;
	if (meta) body.meta = meta;
	if (tags) body.tags = tags;
	return (await rest({ port, cookie, method: 'POST', path: '/rest/workflows', body })).data;
}

module.exports = {
	NODE_VERSION,
	N8N_VERSION,
	DEFAULT_OWNER,
	// install
	cacheDir,
	runtimePaths,
	ensureRuntime,
	// instance
	createUserFolder,
	installCommunityPackage,
	n8nEnv,
	findFreePort,
	// CLI
	runCli,
	importWorkflow,
	importCredentials,
	executeWorkflow,
	parseRunOutput,
	nodeItems,
	nodeError,
	exportNodes,
	// server + REST
	startServer,
	rest,
	setupOwner,
	login,
	createCredential,
	createWorkflow,
	// low level
	run,
	cleanNpmEnv,
	killTree,
};
