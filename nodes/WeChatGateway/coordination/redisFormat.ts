import { GatewayError } from '../transport/errors';
import type { LedgerEntry } from './store';

/** How the Redis store writes keys and ledger entries, and names a Redis without its secrets. */

type StoredEntry =
	| { state: 'sent'; result: Record<string, unknown> }
	| {
			state: 'uncertain';
			error: { reason: GatewayError['reason']; message: string; details: GatewayError['details'] };
	  };

export function slot(itemIndex: number, recipient: string): string {
	return `${itemIndex}\u0000${recipient}`;
}

export function toStored(entry: LedgerEntry): StoredEntry {
	if (entry.state === 'sent') return entry;
	const { reason, message, details } = entry.error;
	return { state: 'uncertain', error: { reason, message, details } };
}

export function fromStored(text: string): LedgerEntry {
	const stored = JSON.parse(text) as StoredEntry;
	if (stored.state === 'sent') return stored;
	const { reason, message, details } = stored.error;
	return { state: 'uncertain', error: new GatewayError(reason, message, 'unknown', details) };
}

/** host:port/db of a Redis URL, never its user name or password. */
export function describeRedisUrl(url: string): string {
	try {
		const parsed = new URL(url);
		const db = parsed.pathname.replace(/^\/+/, '') || '0';
		return `Redis at ${parsed.hostname}:${parsed.port || '6379'}/${db}`;
	} catch {
		return 'Redis';
	}
}
