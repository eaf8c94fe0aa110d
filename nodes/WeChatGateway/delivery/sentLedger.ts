import { createHash } from 'node:crypto';

import type { GatewayError, SendAppMsgResult } from '../transport/gateway';

/**
 * What this node already sent in an execution. When n8n's "Retry On Fail" runs the node again
 * with the same items, a message that went out returns its first result instead of going out
 * twice, and one whose fate is unknown is not sent blind a second time.
 */
export type LedgerEntry = { state: 'sent'; result: SendAppMsgResult } | { state: 'uncertain'; error: GatewayError };

/** Retry On Fail waits at most 5 s between at most 5 tries; an hour is far beyond any of it. */
const KEEP_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 200_000;

const entries = new Map<string, { entry: LedgerEntry; at: number }>();

export function ledgerKey(parts: { executionId: string; nodeName: string; itemIndex: number; recipient: string; xml: string }): string {
	const digest = createHash('sha256').update(parts.xml).digest('base64url');
	return [parts.executionId, parts.nodeName, parts.itemIndex, parts.recipient, digest].join('\u0000');
}

export function lookup(key: string): LedgerEntry | undefined {
	const found = entries.get(key);
	if (!found) return undefined;
	if (Date.now() - found.at > KEEP_MS) {
		entries.delete(key);
		return undefined;
	}
	return found.entry;
}

export function record(key: string, entry: LedgerEntry): void {
	const now = Date.now();
	entries.delete(key);
	entries.set(key, { entry, at: now });
	for (const [oldKey, { at }] of entries) {
		if (entries.size <= MAX_ENTRIES && now - at <= KEEP_MS) break;
		entries.delete(oldKey);
	}
}

/** For tests. */
export function clearLedger(): void {
	entries.clear();
}
