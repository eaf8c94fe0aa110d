#!/usr/bin/env node
'use strict';
/**
 * `npm test`: every check the project has, in order, and one closing line for CI:
 * `N passed, N failed`. Jest suites count their tests; every other step counts as one check.
 * A step that cannot run (its set-up failed) counts as failed, never as skipped.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-tests-'));

/** @type {Array<{ name: string, command: string[], jest?: boolean, reportEnv?: string }>} */
const steps = [
	{ name: 'build', command: ['npm', 'run', '--silent', 'build'] },
	{ name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
	{ name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
	{
		name: 'unit and engine tests',
		command: ['npx', 'jest', '--ci', '--testPathIgnorePatterns', '/test/reliability/'],
		jest: true,
	},
	// faults, Retry On Fail, pacing, hostile input, secrets and load, with the fault table
	{
		name: 'reliability (fault table)',
		command: ['node', 'scripts/faults-report.js'],
		jest: true,
		reportEnv: 'FAULTS_JEST_JSON',
	},
	// a real n8n (installed into a cache on first use, ~4 min) running the packed package
	{
		name: 'end-to-end tests',
		command: ['npx', 'jest', '--ci', '--config', 'test/e2e/jest.config.js'],
		jest: true,
	},
	// n8n in queue mode: main and two workers on Redis and PostgreSQL of their own (Debian
	// packages, apt-installed when missing): pace, kill and outage across workers (~5 min)
	{
		name: 'queue mode',
		command: ['npx', 'jest', '--ci', '--config', 'test/queue/jest.config.js'],
		jest: true,
	},
	// n8n's editor in headless Debian Chromium (apt-installed when missing): Community nodes
	// install of the packed package, every operation's fields, an execution (~2 min)
	{ name: 'browser test', command: ['node', 'test/browser/run.js'] },
];

const only = process.argv.slice(2);
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
	const env = step.reportEnv ? { ...process.env, [step.reportEnv]: report } : process.env;
	process.stdout.write(`\n=== ${step.name}: ${command.join(' ')}\n`);
	const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', env });
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (step.jest && fs.existsSync(report)) {
		const summary = JSON.parse(fs.readFileSync(report, 'utf8'));
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
