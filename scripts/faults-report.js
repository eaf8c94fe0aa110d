#!/usr/bin/env node
'use strict';
/**
 * `npm run test:faults`: runs the fault suites (scripts/lib/faultSuites.js) and prints their fault
 * table: each fault or input class, the cases tried, their outcomes, and the messages lost or
 * duplicated, as the tests counted them from what the gateway simulator recorded against what
 * the node reported. Ends with one line for scripts:
 *
 *   faults: cases=N lost=0 duplicated=0
 *
 * Exits non-zero when a test failed, a suite did not load, no case was recorded, or anything
 * was lost, duplicated or misreported.
 *
 * Options: --markdown (print the table as Markdown), any other argument goes to jest.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { FAULT_SUITES } = require('./lib/faultSuites');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const jestArgs = args.filter((a) => a !== '--markdown');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-faults-'));
const reportFile = path.join(work, 'cases.jsonl');
const jestFile = path.join(work, 'jest.json');
fs.writeFileSync(reportFile, '');

const started = Date.now();
const jest = spawnSync(
	process.execPath,
	[
		'--expose-gc',
		path.join(path.dirname(require.resolve('jest/package.json')), 'bin/jest.js'),
		...FAULT_SUITES,
		'--ci',
		// Two workers even on two cores: most of the time is spent waiting on timeouts and pacing.
		'--maxWorkers=2',
		'--json',
		`--outputFile=${jestFile}`,
		...jestArgs,
		// Last: jest reads every word after it as another project name.
		'--selectProjects',
		'unit',
	],
	{
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, FAULTS_REPORT: reportFile },
	},
);
const seconds = (Date.now() - started) / 1000;

let summary;
try {
	summary = JSON.parse(fs.readFileSync(jestFile, 'utf8'));
} catch {
	summary = undefined;
}
const records = fs
	.readFileSync(reportFile, 'utf8')
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => JSON.parse(line));

/** Groups in reading order (unknown ones after, as first seen); rows merged by name. */
const ORDER = [
	'Gateway faults',
	"n8n's Retry On Fail",
	"n8n's Retry of a failed execution",
	'The same input again',
	'Pacing',
	'Hostile input',
	'Bad input',
	'Secrets',
	'Load',
];
const rank = (group) => {
	const i = ORDER.findIndex((prefix) => group.startsWith(prefix));
	return i < 0 ? ORDER.length : i;
};
records.sort((a, b) => rank(a.group) - rank(b.group));
const groups = new Map();
for (const r of records) {
	if (!groups.has(r.group)) groups.set(r.group, new Map());
	const rows = groups.get(r.group);
	const row = rows.get(r.name) ?? {
		name: r.name,
		cases: 0,
		outcomes: {},
		lost: 0,
		duplicated: 0,
		misreported: 0,
		allowedDuplicates: 0,
		notes: [],
	};
	row.cases += r.cases;
	row.notes.push(...(r.notes ?? []));
	for (const [k, v] of Object.entries(r.outcomes ?? {}))
		if (v) row.outcomes[k] = (row.outcomes[k] ?? 0) + v;
	row.lost += r.lost;
	row.duplicated += r.duplicated;
	row.misreported += r.misreported ?? 0;
	row.allowedDuplicates += r.allowedDuplicates ?? 0;
	rows.set(r.name, row);
}

const total = { cases: 0, lost: 0, duplicated: 0, misreported: 0, allowedDuplicates: 0 };
const table = [];
for (const [group, rows] of groups) {
	table.push({ group });
	for (const row of rows.values()) {
		for (const k of Object.keys(total)) total[k] += row[k];
		const outcomes = Object.entries(row.outcomes)
			.map(([k, v]) => (row.cases === 1 && v === 1 ? k : `${k} ${v}`))
			.join('; ');
		table.push({
			cells: [
				row.name,
				String(row.cases),
				outcomes +
					(row.allowedDuplicates
						? `; duplicates by the user's at-least-once choice ${row.allowedDuplicates}`
						: ''),
				String(row.lost),
				String(row.duplicated),
				String(row.misreported),
			],
			notes: row.notes,
		});
	}
}

const header = ['Fault or input class', 'Cases', 'Outcomes', 'Lost', 'Duplicated', 'Misreported'];
const out = [];
if (markdown) {
	const esc = (s) => s.replace(/\|/g, '\\|');
	for (const entry of table) {
		if (entry.group) {
			out.push(
				'',
				`**${esc(entry.group)}**`,
				'',
				`| ${header.join(' | ')} |`,
				`| ${header.map((h, i) => (i === 0 || i === 2 ? '---' : '---:')).join(' | ')} |`,
			);
		} else {
			out.push(`| ${entry.cells.map(esc).join(' | ')} |`);
			for (const note of entry.notes) out.push(`| ↳ ${esc(note)} | | | | | |`);
		}
	}
} else {
	const W = 62;
	const line = ([name, cases, outcomes, lost, duplicated, misreported]) =>
		`${(name.length > W ? `${name.slice(0, W - 1)}…` : name).padEnd(W)} ${cases.padStart(6)} ${lost.padStart(5)} ${duplicated.padStart(11)} ${misreported.padStart(12)}  ${outcomes}`;
	for (const entry of table) {
		if (entry.group) out.push('', entry.group, line(header));
		else {
			out.push(line(entry.cells));
			for (const note of entry.notes) out.push(`    ${note}`);
		}
	}
}

const failedTests = summary ? summary.numFailedTests + (summary.numRuntimeErrorTestSuites ?? 0) : 1;
const passedTests = summary ? summary.numPassedTests : 0;
out.push(
	'',
	`${records.length} records from ${passedTests} passed and ${failedTests} failed tests in ${seconds.toFixed(1)} s; ` +
		`misreported ${total.misreported}, duplicates chosen by at-least-once ${total.allowedDuplicates}`,
	`faults: cases=${total.cases} lost=${total.lost} duplicated=${total.duplicated}`,
);
process.stdout.write(`${out.join('\n')}\n`);

// `npm test` counts the suite's tests from this copy of jest's report.
if (process.env.FAULTS_JEST_JSON && summary)
	fs.copyFileSync(jestFile, process.env.FAULTS_JEST_JSON);

const ok =
	jest.status === 0 &&
	failedTests === 0 &&
	records.length > 0 &&
	total.lost === 0 &&
	total.duplicated === 0 &&
	total.misreported === 0;
fs.rmSync(work, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
