#!/usr/bin/env node
'use strict';
/**
 * `npm test`: every check the project has, in order, and one closing line for CI:
 * `N passed, N failed`. Jest suites count their tests; every other step counts as one check.
 * A step that cannot run (its set-up failed) counts as failed, never as skipped.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { FAULT_SUITES } = require('./lib/faultSuites');

const root = path.resolve(__dirname, '..');
/**
 * The e2e files that run on n8n 1.x as well (jest path patterns; a pattern that matches no file
 * adds nothing). Everything the package does must hold on 1.x: a new e2e file goes here.
 */
const E2E_ON_N8N_1 = [
	'test/e2e/n8n.e2e.js',
	'test/e2e/trigger.e2e.js',
	'test/e2e/aiAssistant.e2e.js',
	'test/e2e/mediaReceive.e2e.js',
	'test/e2e/contactsGroups.e2e.js',
];
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-tests-'));
/**
 * jest on one project of jest.config.js (unit, e2e or queue). The project comes after `args`:
 * --selectProjects takes every plain word after it as one more project name, paths included.
 */
const jestOn = (project, ...args) => ['npx', 'jest', '--ci', ...args, '--selectProjects', project];

/** @type {Array<{ name: string, command: string[], jest?: boolean, reportEnv?: string, env?: Record<string, string> }>} */
const steps = [
	{ name: 'build', command: ['npm', 'run', '--silent', 'build'] },
	{ name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
	{ name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
	{
		name: 'unit and engine tests',
		command: jestOn('unit', '--testPathIgnorePatterns', ...FAULT_SUITES),
		jest: true,
	},
	// faults, Retry On Fail, pacing, hostile input, secrets and load, with the fault table
	{
		name: 'reliability (fault table)',
		command: ['node', 'scripts/faults-report.js'],
		jest: true,
		reportEnv: 'FAULTS_JEST_JSON',
	},
	// a real n8n (installed into a cache on first use, ~4 min) running the packed package:
	// every e2e file on the newest pinned n8n (2.41.1 on Node 24)
	{
		name: 'end-to-end tests (n8n 2.41.1)',
		command: jestOn('e2e', '--testPathIgnorePatterns', 'trigger\\.e2e\\.js$'),
		jest: true,
		env: { N8N_RUNTIME_VERSION: '2.41.1' },
	},
	// the trigger in `n8n start` with an active workflow: forward back, loop guard, socket drop,
	// hostile frames, a burst of 1,000 frames counted (~4 min)
	{
		name: 'trigger end-to-end (n8n 2.41.1)',
		command: jestOn('e2e', '--testPathPatterns', 'trigger\\.e2e\\.js$'),
		jest: true,
		env: { N8N_RUNTIME_VERSION: '2.41.1' },
	},
	// the same package on the last 1.x (1.123.81 on Node 22, a cache folder of its own; its cold
	// install, 9 min on a busy machine, runs in the background from the start): the e2e files
	// listed in E2E_ON_N8N_1 run whole. A new e2e file that must hold on 1.x too
	// (every node and trigger does) is added to this list; install-from-env.e2e.js is 2.x only
	// (n8n 1.x has no N8N_COMMUNITY_PACKAGES).
	{
		name: 'end-to-end tests (n8n 1.123.81)',
		command: jestOn('e2e', ...E2E_ON_N8N_1),
		jest: true,
		// n8n 1.123's default expression engine (`vm`) evaluates `$('Node').item` and
		// `$input.all()` to nothing, in n8n's own Set node too; its `legacy` engine, the one n8n 1.x
		// had until then, does not (README: Supported n8n and Node versions)
		env: { N8N_RUNTIME_VERSION: '1.123.81', N8N_EXPRESSION_ENGINE: 'legacy' },
	},
	// n8n in queue mode: main and two workers on Redis and PostgreSQL of their own (Debian
	// packages, apt-installed when missing): pace, kill and outage across workers (~5 min)
	{
		name: 'queue mode',
		command: jestOn('queue'),
		jest: true,
	},
	// n8n's editor in headless Debian Chromium (apt-installed when missing): Community nodes
	// install of the packed package, every operation's fields, an execution (~2 min)
	{ name: 'browser test', command: ['node', 'test/browser/run.js'] },
];

const only = process.argv.slice(2);

// Both n8n runtimes install (cold: minutes, mostly download and unpacking) while the first steps
// run. An e2e step waits for its runtime under the runtime's lock; if this install failed, the step
// installs it again itself, and its own error says why. The 1.x install, needed two steps later,
// still runs while the 2.41.1 e2e steps start n8n and time its answers: it yields the CPU to them.
const runtimeLog = path.join(reports, 'n8n-runtime-install.log');
const prefetch =
	only.length > 0
		? undefined
		: spawn(
				'sh',
				[
					'-c',
					'node scripts/n8n-runtime/cli.js ensure --version=2.41.1 && nice -n 10 node scripts/n8n-runtime/cli.js ensure --version=1.123.81',
				],
				{
					cwd: root,
					stdio: ['ignore', fs.openSync(runtimeLog, 'a'), fs.openSync(runtimeLog, 'a')],
				},
			);
prefetch?.unref();
if (prefetch)
	process.stdout.write(`n8n runtimes installing in the background (log: ${runtimeLog})\n`);

/** jest's --json report, or undefined when jest wrote none or died writing it (then its exit counts). */
function readReport(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

let passed = 0;
let failed = 0;
const rows = [];
for (const step of steps) {
	if (only.length && !only.includes(step.name)) continue;
	const started = Date.now();
	const report = path.join(reports, `${step.name.replace(/\W+/g, '-')}.json`);
	// A jest step reports through --outputFile, or through an environment variable when a script wraps jest.
	const command =
		step.jest && !step.reportEnv
			? [...step.command, '--json', `--outputFile=${report}`]
			: step.command;
	const env = { ...process.env, ...step.env };
	if (step.reportEnv) env[step.reportEnv] = report;
	process.stdout.write(`\n=== ${step.name}: ${command.join(' ')}\n`);
	const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', env });
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	const summary = step.jest ? readReport(report) : undefined;
	if (summary) {
		// A suite that failed to load has no test results; count it as a failure of its own.
		const brokenSuites = summary.numRuntimeErrorTestSuites ?? 0;
		passed += summary.numPassedTests;
		failed += summary.numFailedTests + brokenSuites;
		rows.push([
			step.name,
			`${summary.numPassedTests} passed, ${summary.numFailedTests + brokenSuites} failed`,
			`${seconds} s`,
		]);
		if (result.status !== 0 && summary.numFailedTests + brokenSuites === 0) {
			failed++;
			rows.push([`${step.name} (runner)`, `exit ${result.status}`, '']);
		}
	} else {
		const ok = result.status === 0;
		if (ok) passed++;
		else failed++;
		// The suites that pack the package reuse this build instead of making dist/ again each.
		if (ok && step.name === 'build') process.env.WECHAT_GATEWAY_BUILT = '1';
		rows.push([
			step.name,
			ok ? 'passed' : `failed (exit ${result.status ?? result.signal})`,
			`${seconds} s`,
		]);
	}
}

process.stdout.write('\n');
for (const [name, outcome, time] of rows)
	process.stdout.write(`${name.padEnd(28)} ${outcome.padEnd(26)} ${time}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
