'use strict';
/**
 * The one poll every suite, the demo and the bench share: run `check` until it returns something
 * truthy and return that, or fail after `timeoutMs` naming what was awaited.
 *
 * - `tolerateErrors`: a check that throws is tried again (a page still loading), and the last
 *   error is in the timeout's message.
 * - `detail`: called on timeout for what helps the reader (a log's tail).
 */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(
	what,
	check,
	{ timeoutMs = 60_000, intervalMs = 100, tolerateErrors = false, detail } = {},
) {
	const started = Date.now();
	let last;
	for (;;) {
		try {
			const value = await check();
			if (value) return value;
			last = value;
		} catch (error) {
			if (!tolerateErrors) throw error;
			last = error instanceof Error ? error.message : error;
		}
		if (Date.now() - started > timeoutMs) {
			const lastSeen = tolerateErrors ? ` (last: ${JSON.stringify(last)})` : '';
			const more = detail ? `\n${detail()}` : '';
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastSeen}${more}`);
		}
		await sleep(intervalMs);
	}
}

module.exports = { waitFor, sleep };
