// @ts-check
'use strict';
/**
 * Debian's Chromium for playwright-core (which never downloads a browser): installed with
 * apt-get when it is missing, and launched with flags that keep it off the network.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const CHROMIUM = '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium opens connections of its own (updates,
 * safe browsing, sync), which a closed network refuses and which slow the test down.
 */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

function run(command, args, { timeoutMs, log }) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
			detached: true,
		});
		let output = '';
		const collect = (d) => {
			output += d;
			if (output.length > 200_000) output = output.slice(-100_000);
		};
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		const timer = setTimeout(() => {
			log(`${command} ${args.join(' ')}: no result after ${timeoutMs / 1000} s, stopping it`);
			try {
				process.kill(-(child.pid ?? 0), 'SIGKILL');
			} catch {}
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve(output);
			else
				reject(
					new Error(
						`${command} ${args.join(' ')} failed (${code ?? signal}):\n${output.slice(-3000)}`,
					),
				);
		});
	});
}

/** Makes sure /usr/bin/chromium exists (apt-get install chromium as root when it does not). */
async function ensureChromium({ log = console.log } = {}) {
	if (fs.existsSync(CHROMIUM)) return { executablePath: CHROMIUM, installed: false };
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new Error(
			`${CHROMIUM} is missing and this is not root: run "sudo apt-get install -y chromium" once`,
		);
	}
	log('Chromium is missing: apt-get update && apt-get install -y chromium');
	const started = Date.now();
	await run('apt-get', ['update'], { timeoutMs: 5 * 60_000, log });
	await run('apt-get', ['install', '-y', 'chromium'], { timeoutMs: 10 * 60_000, log });
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`apt-get installed chromium, but ${CHROMIUM} is not there`);
	log(`Chromium installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	return { executablePath: CHROMIUM, installed: true };
}

/**
 * A headless Chromium with a new, empty profile. Returns { context, page, close() }; close()
 * also removes the profile.
 */
async function launchChromium({
	executablePath = CHROMIUM,
	viewport = { width: 1440, height: 900 },
} = {}) {
	const { chromium } = require('playwright-core');
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport,
		timeout: 60_000,
	});
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		async close() {
			await context.close().catch(() => {});
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}

module.exports = { ensureChromium, launchChromium, CHROMIUM, CHROMIUM_ARGS };
