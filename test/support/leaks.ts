/** Catches what n8n and the node write anywhere during a run, to look for secrets in it. */
import { LoggerProxy } from 'n8n-workflow';

/** Everything n8n and the node could write anywhere while `work` runs. */
export async function captured<T>(work: () => Promise<T>): Promise<{ result: T; logs: string[] }> {
	const logs: string[] = [];
	const record = (...args: unknown[]) =>
		logs.push(args.map((a) => (typeof a === 'string' ? a : safeDump(a))).join(' '));
	const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
		jest.spyOn(console, method).mockImplementation(record),
	);
	const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
		record(String(chunk));
		return true;
	});
	const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
		record(String(chunk));
		return true;
	});
	const logger = { error: record, warn: record, info: record, debug: record, scoped: () => logger };
	LoggerProxy.init(logger as never);
	try {
		return { result: await work(), logs };
	} finally {
		for (const spy of [...spies, out, err]) spy.mockRestore();
	}
}

/** A deep text dump of anything, errors' non-enumerable fields (message, stack, cause) included. */
export function safeDump(value: unknown, seen = new WeakSet<object>(), depth = 0): string {
	if (value === null || value === undefined || typeof value !== 'object') return String(value);
	if (seen.has(value) || depth > 12) return '[seen]';
	seen.add(value);
	const keys = new Set<string>(Object.keys(value));
	if (value instanceof Error) for (const k of Object.getOwnPropertyNames(value)) keys.add(k);
	for (const k of [
		'message',
		'stack',
		'description',
		'cause',
		'errorResponse',
		'messages',
		'context',
	])
		if (k in value) keys.add(k);
	const parts: string[] = [];
	for (const key of keys) {
		let child: unknown;
		try {
			child = (value as Record<string, unknown>)[key];
		} catch {
			continue;
		}
		parts.push(`${key}=${safeDump(child, seen, depth + 1)}`);
	}
	return `{${parts.join(', ')}}`;
}
