/**
 * scripts/n8n-runtime: an `n8n start` that dies before it is ready says how it died, and one that
 * dies in the middle of its database migrations is started once more. A stand-in for n8n (a real
 * child process, run where n8n would be) writes log lines and a line on stderr, then ends: by an
 * exit code, or by a signal, which leaves nothing in a log of its own; or it answers as a ready
 * n8n does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../scripts/n8n-runtime/runtime');

let work: string;
beforeEach(() => {
	work = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-runtime-test-'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** startServer on a stand-in whose body is `script` (it runs as `node <file> start`). */
function startOn(script: string, log: (message: string) => void = () => {}) {
	const n8nBin = path.join(work, 'fake-n8n.js');
	fs.writeFileSync(n8nBin, script);
	const userFolder = path.join(work, 'n8n');
	const runtime = { nodeBin: process.execPath, n8nBin, version: rt.DEFAULT_VERSION };
	return rt
		.createUserFolder(userFolder)
		.then(() => rt.startServer({ userFolder, runtime, timeoutMs: 60_000, log }));
}

/** The message of the error startServer throws on the stand-in. */
async function startStandIn(script: string): Promise<string> {
	const error = await startOn(script).then(
		() => undefined,
		(e: Error) => e,
	);
	expect(error).toBeInstanceOf(Error);
	return (error as Error).message;
}

/** How many times the stand-in was started (each start adds a line to `starts` in its folder). */
const starts = () =>
	fs.readFileSync(path.join(work, 'n8n', 'starts'), 'utf8').split('\n').length - 1;

/**
 * Counts its start, then: in the middle of a migration, ends by `end` while its starts are at most
 * `failing`; after that it is ready (200 on every path, on N8N_PORT).
 */
const MIGRATING = (failing: number, end = 'process.exit(1);') => `
	const fs = require('node:fs');
	fs.appendFileSync('starts', 'start\\n');
	const count = fs.readFileSync('starts', 'utf8').split('\\n').length - 1;
	process.stdout.write('Migrations in progress, please do NOT stop the process.\\n');
	process.stdout.write('Starting migration AddAgentExecutionFailureSummary1787040021605\\n');
	process.stdout.write('Finished migration AddAgentExecutionFailureSummary1787040021605\\n');
	process.stdout.write('Starting migration CreateGitConnectionTable1787056876306\\n');
	if (count <= ${failing}) {
		process.stderr.write('start ' + count + ': the last words on stderr\\n');
		${end}
	} else {
		process.stdout.write('Finished migration CreateGitConnectionTable1787056876306\\n');
		require('node:http')
			.createServer((_request, response) => response.end('{}'))
			.listen(Number(process.env.N8N_PORT), '127.0.0.1');
	}
`;

const LOG_THEN = (end: string) => `
	process.stdout.write('Finished migration AddExecutionScopesToCustomRoles\\n');
	process.stderr.write('the last words on stderr\\n');
	${end}
`;

test('killed by a signal: the error names the signal, the machine state, and the end of stdout and of stderr', async () => {
	const message = await startStandIn(LOG_THEN(`process.kill(process.pid, 'SIGKILL');`));
	expect(message).toMatch(
		/n8n start exited before it was ready \(killed by SIGKILL; log .*n8n-start\.log\)/,
	);
	expect(message).toMatch(
		/the machine then: [\d.]+ GiB free on its disk, [\d.]+ GiB of [\d.]+ GiB memory free, load average/,
	);
	expect(message).toMatch(
		/its output ended with:\n[^]*Finished migration AddExecutionScopesToCustomRoles/,
	);
	expect(message).toMatch(/its stderr ended with:\nthe last words on stderr\n?$/);
});

test('exits by itself: the error names the exit code', async () => {
	const message = await startStandIn(LOG_THEN('process.exit(3);'));
	expect(message).toMatch(/\(exit code 3; log /);
	expect(message).toContain('the last words on stderr');
});

test('exits having written nothing: the error says so instead of leaving it blank', async () => {
	const message = await startStandIn('process.exit(1);');
	expect(message).toMatch(
		/its output ended with:\n\(nothing\)\nits stderr ended with:\n\(nothing\)$/,
	);
});

describe('the migration an output ended in', () => {
	test('one started and not finished', () => {
		const output = [
			'Starting migration A1',
			'Finished migration A1',
			'(node:1) DeprecationWarning: something on stderr',
			'Starting migration CreateGitConnectionTable1787056876306',
		].join('\n');
		expect(rt.unfinishedMigration(output)).toBe('CreateGitConnectionTable1787056876306');
	});

	test('none: the last one started was finished, or none was started', () => {
		const finished = 'Starting migration A1\nFinished migration A1\nn8n Task Broker ready\n';
		expect(rt.unfinishedMigration(finished)).toBeUndefined();
		expect(rt.unfinishedMigration('Initializing n8n process\n')).toBeUndefined();
		expect(rt.unfinishedMigration('')).toBeUndefined();
	});

	test('a longer name that begins like it does not count as its end', () => {
		const output = 'Starting migration A1\nFinished migration A12\n';
		expect(rt.unfinishedMigration(output)).toBe('A1');
	});
});

test('exits in the middle of a migration, then is ready: started once more, and the log says why', async () => {
	const said: string[] = [];
	const server = await startOn(MIGRATING(1), (message) => said.push(message));
	try {
		expect(starts()).toBe(2);
		const note = said.find((message) => /once more/.test(message)) ?? '';
		expect(note).toMatch(
			/^n8n start exited \(exit code 1\) during its database migrations, in CreateGitConnectionTable1787056876306; starting it once more on the same database\. How the first start ended:\nn8n start exited before it was ready \(exit code 1; /,
		);
		expect(note).toContain('start 1: the last words on stderr');
		const logText = fs.readFileSync(server.logFile, 'utf8');
		expect(logText).toMatch(
			/start 1: the last words on stderr\n[^]*\[n8n-runtime\] n8n start exited \(exit code 1\) during its database migrations, in CreateGitConnectionTable1787056876306; started once more on the same database\n[^]*Finished migration CreateGitConnectionTable1787056876306/,
		);
	} finally {
		await server.stop();
	}
});

test('exits in the middle of a migration twice: the error tells both starts, no third', async () => {
	const message = await startStandIn(MIGRATING(2));
	expect(starts()).toBe(2);
	expect(message).toMatch(/^n8n start exited before it was ready \(exit code 1; log /);
	expect(message).toMatch(/its stderr ended with:\nstart 2: the last words on stderr\n/);
	expect(message).toMatch(
		/That was its second start on this database: n8n start exited \(exit code 1\) during its database migrations, in CreateGitConnectionTable1787056876306\. How the first start ended:\nn8n start exited before it was ready \(exit code 1; [^]*start 1: the last words on stderr\n?$/,
	);
});

test('killed in the middle of a migration: started once more too, the signal named', async () => {
	const said: string[] = [];
	const server = await startOn(MIGRATING(1, `process.kill(process.pid, 'SIGKILL');`), (m) =>
		said.push(m),
	);
	await server.stop();
	expect(starts()).toBe(2);
	expect(said.join('\n')).toMatch(/n8n start exited \(killed by SIGKILL\) during its database/);
});

test('exits after its migrations finished: not started again', async () => {
	const message = await startStandIn(`
		require('node:fs').appendFileSync('starts', 'start\\n');
		process.stdout.write('Starting migration A1\\nFinished migration A1\\n');
		process.exit(1);
	`);
	expect(starts()).toBe(1);
	expect(message).not.toMatch(/second start/);
});
