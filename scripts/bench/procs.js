// @ts-check
'use strict';
/** Child processes of the benchmark: the simulator, pass workers and one-shot measurements. */
const path = require('node:path');
const { spawn } = require('node:child_process');

const CHILD = path.join(__dirname, 'child.js');
/** Every child started here, killed (by its own pid) when the runner exits. */
const live = new Set();
process.on('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});

function track(child) {
	live.add(child);
	child.on('exit', () => live.delete(child));
	return child;
}

/** @returns {Promise<{ urls: { main: string, warm: string }, control: number, stop: () => Promise<void> }>} */
function startSimulator() {
	return new Promise((resolve, reject) => {
		const child = track(spawn(process.execPath, [path.join(__dirname, 'simulator-child.js')], { stdio: ['pipe', 'pipe', 'inherit'] }));
		let buffer = '';
		child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before it was ready`)));
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
			spawn(process.execPath, [...nodeArgs, CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } }),
		);
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.on('exit', (code) => {
			const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
			if (code !== 0 || !line) return reject(new Error(`${config.mode} measurement failed (exit ${code})\n${out.slice(-2000)}`));
			resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
		});
	});
}

module.exports = { startSimulator, startWorker, runOnce };
