import { createHash } from 'node:crypto';

import type { SentRecord } from '../store';

/**
 * Bounds this process's sent records: a message takes one or two, about 0.7 KB together with
 * their ids (test/reliability/load.engine.test.ts measures it), so this is 50,000 to 100,000
 * messages and some 36 MB at most. Beyond it the oldest are dropped first, which only shortens
 * how far back a duplicate is recognised.
 */
export const MAX_SENT_RECORDS = 100_000;

/** Keys carry the account, the chat and a fingerprint; a short digest holds them in less memory. */
function digest(key: string): string {
	return createHash('sha256').update(key).digest('base64').slice(0, 24);
}

/** A message reads its keys, then writes them: the digests of the last few keys are kept. */
const RECENT_DIGESTS = 64;

interface Held {
	record: SentRecord;
	expiresAt: number;
}

/** The sent records of this process, bounded in time and in number. */
export class SentRecords {
	/** In order of last write, oldest first, so the bound drops the oldest. */
	private readonly held = new Map<string, Held>();
	private readonly recentDigests = new Map<string, string>();

	constructor(
		private readonly maxRecords: number,
		private readonly now: () => number,
	) {}

	read(fullKey: string): SentRecord | undefined {
		const key = this.compact(fullKey);
		const found = this.held.get(key);
		if (!found) return undefined;
		if (found.expiresAt <= this.now()) {
			this.held.delete(key);
			return undefined;
		}
		return found.record;
	}

	write(keys: readonly string[], record: SentRecord, keepMs: number): void {
		const expiresAt = this.now() + keepMs;
		for (const fullKey of keys) {
			const key = this.compact(fullKey);
			this.held.delete(key);
			this.held.set(key, { record, expiresAt });
		}
		for (const [key, old] of this.held) {
			if (this.held.size <= this.maxRecords && old.expiresAt > this.now()) break;
			this.held.delete(key);
		}
	}

	release(keys: readonly string[], token: string): void {
		for (const fullKey of keys) {
			const key = this.compact(fullKey);
			if (this.held.get(key)?.record.token === token) this.held.delete(key);
		}
	}

	private compact(key: string): string {
		let found = this.recentDigests.get(key);
		if (found === undefined) {
			if (this.recentDigests.size >= RECENT_DIGESTS) this.recentDigests.clear();
			this.recentDigests.set(key, (found = digest(key)));
		}
		return found;
	}

	get size(): number {
		return this.held.size;
	}
}
