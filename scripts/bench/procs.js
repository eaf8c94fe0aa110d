// @ts-check
'use strict';
/** Child processes of the benchmark: the simulator, pass workers and one-shot measurements. */
const path = require('node:path');
const { spawn } = require('node:child_process');

const CHILD = path.join(__dirname, 'child.js');
/** Every child started here, killed (by its own pid) when the runner exits. */
const live = new Set();
/** Ends a child and, for one started in its own process group, everything it started. */
function kill(child, signal = 'SIGKILL') {
	try {
		if (child.spawnargs && child.detachedGroup) process.kill(-child.pid, signal);
		else child.kill(signal);
	} catch {
		/* already gone */
	}
}
process.on('exit', () => {
	for (const child of live) kill(child);
});

function track(child) {
	live.add(child);
	child.on('exit', () => live.delete(child));
	return child;
}

/** @returns {Promise<{ urls: { main: string, warm: string }, control: number, stop: () => Promise<void> }>} */
function startSimulator() {
	return new Promise((resolve, reject) => {
		const child = track(
			spawn(process.execPath, [path.join(__dirname, 'simulator-child.js')], {
				stdio: ['pipe', 'pipe', 'inherit'],
			}),
		);
		let buffer = '';
		child.once('exit', (code) =>
			reject(new Error(`the simulator exited (${code}) before it was ready`)),
		);
		child.stdout.on('data', (chunk) => {
			buffer += chunk;
			const line = buffer.split('\n')[0];
			if (!buffer.includes('\n')) return;
			const ready = JSON.parse(line);
			resolve({
				urls: { main: ready.main, warm: ready.warm },
				control: ready.control,
				stop: () =>
					new Promise((done) => {
						if (child.exitCode !== null) return done();
						child.once('exit', () => done());
						child.kill('SIGTERM');
					}),
			});
		});
	});
}

/**
 * A pass worker (floor or engine): warms up, then runs one measured pass per `pass()`.
 * @returns {Promise<{ pass: () => Promise<any>, stop: () => void }>}
 */
function startWorker(config, { env = {}, nodeArgs = [] } = {}) {
	return new Promise((resolve, reject) => {
		const child = track(
			spawn(process.execPath, [...nodeArgs, CHILD, JSON.stringify(config)], {
				stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
				env: { ...process.env, ...env },
			}),
		);
		let nextId = 0;
		const waiting = new Map();
		child.once('exit', (code) => {
			const error = new Error(`${config.mode} worker exited (${code})`);
			reject(error);
			for (const { reject: fail } of waiting.values()) fail(error);
		});
		child.on('message', (message) => {
			if (message.ready) {
				resolve({
					pass: () =>
						new Promise((ok, fail) => {
							const id = ++nextId;
							waiting.set(id, { resolve: ok, reject: fail });
							child.send({ cmd: 'pass', id });
						}),
					stop: () => {
						if (child.connected) child.send({ cmd: 'exit' });
					},
				});
				return;
			}
			const entry = waiting.get(message.id);
			if (!entry) return;
			waiting.delete(message.id);
			if (message.error) entry.reject(new Error(message.error));
			else entry.resolve(message.result);
		});
	});
}

/** A one-shot measurement: its `BENCH_RESULT` line, parsed. */
function runOnce(config, { env = {}, nodeArgs = [] } = {}) {
	return new Promise((resolve, reject) => {
		const child = track(
			spawn(process.execPath, [...nodeArgs, CHILD, JSON.stringify(config)], {
				stdio: ['ignore', 'pipe', 'inherit'],
				env: { ...process.env, ...env },
			}),
		);
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.on('exit', (code) => {
			const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
			if (code !== 0 || !line)
				return reject(
					new Error(`${config.mode} measurement failed (exit ${code})\n${out.slice(-2000)}`),
				);
			resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
		});
	});
}

/**
 * Runs a command in its own process group with its stdout going to a file (stderr to
 * `<file>.stderr`), not a pipe (n8n's
 * `execute --rawOutput` prints megabytes of run JSON, and through a pipe the end of it was
 * sometimes missing). When the command exits, whatever it left in its group (n8n's task
 * runner) is ended too.
 * @returns {Promise<{ code: number | null, ms: number, stdout: string, timedOut: boolean }>}
 */
function runToFile(command, commandArgs, { cwd, env, outFile, timeoutMs = 5 * 60 * 1000 }) {
	const fs = require('node:fs');
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const fd = fs.openSync(outFile, 'w');
		const errFd = fs.openSync(`${outFile}.stderr`, 'w');
		const closeFiles = () => {
			fs.closeSync(fd);
			fs.closeSync(errFd);
		};
		let child;
		try {
			child = spawn(command, commandArgs, {
				cwd,
				env,
				stdio: ['ignore', fd, errFd],
				detached: true,
			});
		} catch (error) {
			closeFiles();
			reject(error);
			return;
		}
		child.detachedGroup = true;
		track(child);
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			kill(child);
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			closeFiles();
			reject(error);
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			kill(child);
			closeFiles();
			resolve({
				code,
				ms: Date.now() - started,
				stdout: fs.readFileSync(outFile, 'utf8'),
				timedOut,
			});
		});
	});
}

module.exports = { startSimulator, startWorker, runOnce, runToFile };
