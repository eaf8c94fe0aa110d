'use strict';
/**
 * Throwaway Redis and PostgreSQL servers for tests: Debian's packages (apt-installed when
 * missing), each on a free 127.0.0.1 port with its data in a temp dir of its own, never the
 * machine's services. Plain JS, so jest suites, e2e suites and the bench can all use it.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { waitFor } = require('./waitFor');
const { findFreePort: freePort } = require('../n8n-runtime/runtime');

const POSTGRES_BIN_ROOT = '/usr/lib/postgresql';

const logTail = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-2000) : '');

function canConnect(port) {
	return new Promise((resolve) => {
		const socket = net.connect({ port, host: '127.0.0.1' });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

let aptUpdated = false;
/** Installs Debian packages that are missing (root only; otherwise says what to install). */
function aptInstall(packages) {
	if (process.getuid && process.getuid() !== 0)
		throw new Error(`missing ${packages.join(' ')}: run apt-get install -y ${packages.join(' ')}`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	if (!aptUpdated) {
		spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
		aptUpdated = true;
	}
	const result = spawnSync(
		'apt-get',
		['install', '-y', '-qq', '--no-install-recommends', ...packages],
		{
			stdio: 'inherit',
			env,
		},
	);
	if (result.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed`);
}

function which(command) {
	const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
	return found.status === 0 ? found.stdout.trim() : undefined;
}

function redisServerBinary() {
	if (!which('redis-server')) aptInstall(['redis-server']);
	return which('redis-server');
}

function postgresBinDir() {
	const newest = () => {
		if (!fs.existsSync(POSTGRES_BIN_ROOT)) return undefined;
		const versions = fs
			.readdirSync(POSTGRES_BIN_ROOT)
			.filter((name) => fs.existsSync(path.join(POSTGRES_BIN_ROOT, name, 'bin', 'pg_ctl')))
			.sort((a, b) => Number(b) - Number(a));
		return versions.length ? path.join(POSTGRES_BIN_ROOT, versions[0], 'bin') : undefined;
	};
	if (!newest()) aptInstall(['postgresql']);
	return newest();
}

/**
 * A redis-server of our own. `pause()`/`resume()` freeze and thaw it. `stop()` shuts it down (its append-only file keeps the data, as a
 * real deployment's would), `start()` brings it back on the same port, `remove()` ends it and
 * deletes its folder.
 */
async function startRedis({ port } = {}) {
	const binary = redisServerBinary();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-redis-'));
	const logFile = path.join(dir, 'redis.log');
	port = port || (await freePort());
	let child;
	let exited;
	const start = async () => {
		child = spawn(
			binary,
			[
				'--port',
				String(port),
				'--bind',
				'127.0.0.1',
				'--dir',
				dir,
				'--save',
				'',
				'--appendonly',
				'yes',
				'--appendfsync',
				'everysec',
				'--daemonize',
				'no',
				'--logfile',
				logFile,
			],
			{ stdio: 'ignore' },
		);
		exited = new Promise((resolve) => child.once('exit', resolve));
		await waitFor(`redis-server on port ${port}`, () => canConnect(port), {
			timeoutMs: 15_000,
			intervalMs: 50,
			detail: () => logTail(logFile),
		});
	};
	const stop = async () => {
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGCONT'); // a paused server would not act on SIGTERM
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
		await exited;
		clearTimeout(timer);
	};
	await start();
	process.once('exit', () => child && child.exitCode === null && child.kill('SIGKILL'));
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		dir,
		start,
		stop,
		/** Freezes the server (SIGSTOP): connections stay open, nothing is answered until resume(). */
		pause: () => child.kill('SIGSTOP'),
		resume: () => child.kill('SIGCONT'),
		remove: async () => {
			await stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** Runs a PostgreSQL tool as `postgres` when we are root (it refuses to run as root). */
function asDatabaseUser(command, args) {
	if (process.getuid && process.getuid() === 0)
		return ['runuser', ['-u', 'postgres', '--', command, ...args]];
	return [command, args];
}

function runTool(command, args) {
	const [cmd, argv] = asDatabaseUser(command, args);
	const result = spawnSync(cmd, argv, { encoding: 'utf8' });
	if (result.status !== 0)
		throw new Error(
			`${path.basename(command)} failed (exit ${result.status}): ${result.stderr || result.stdout}`,
		);
	return result;
}

/**
 * A PostgreSQL cluster of our own: initdb in a temp dir, trust authentication on 127.0.0.1 only,
 * user `n8n`, database `n8n`.
 */
async function startPostgres() {
	const bin = postgresBinDir();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-postgres-'));
	const data = path.join(dir, 'data');
	const logFile = path.join(dir, 'postgres.log');
	if (process.getuid && process.getuid() === 0) spawnSync('chown', ['-R', 'postgres:', dir]);
	const port = await freePort();
	runTool(path.join(bin, 'initdb'), [
		'-D',
		data,
		'-A',
		'trust',
		'-U',
		'n8n',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
	runTool(path.join(bin, 'pg_ctl'), [
		'-D',
		data,
		'-o',
		options,
		'-l',
		logFile,
		'-w',
		'-t',
		'60',
		'start',
	]);
	runTool(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', 'n8n']);
	const stop = () => {
		if (!fs.existsSync(path.join(data, 'postmaster.pid'))) return;
		runTool(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
	};
	process.once('exit', () => {
		try {
			stop();
		} catch {
			/* already gone */
		}
	});
	return {
		port,
		database: 'n8n',
		user: 'n8n',
		dir,
		stop,
		remove: async () => {
			stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

module.exports = { freePort, startRedis, startPostgres };
