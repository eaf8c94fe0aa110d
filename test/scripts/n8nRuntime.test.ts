/**
 * scripts/n8n-runtime: an `n8n start` that dies before it is ready says how it died. A stand-in
 * for n8n (a real child process, run where n8n would be) writes a log line and a line on stderr,
 * then ends: by an exit code, or by a signal, which leaves nothing in a log of its own.
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
async function startStandIn(script: string): Promise<string> {
	const n8nBin = path.join(work, 'fake-n8n.js');
	fs.writeFileSync(n8nBin, script);
	const { userFolder } = await rt.createUserFolder(path.join(work, 'n8n'));
	const runtime = { nodeBin: process.execPath, n8nBin, version: rt.DEFAULT_VERSION };
	const error = await rt.startServer({ userFolder, runtime, timeoutMs: 60_000 }).then(
		() => undefined,
		(e: Error) => e,
	);
	expect(error).toBeInstanceOf(Error);
	return (error as Error).message;
}

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
