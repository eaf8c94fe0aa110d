import type { SentRecord } from '../store';

/**
 * Bounds this process's sent records: a message takes one or two, about 0.7 KB together with
 * their ids (test/reliability/load.engine.test.ts measures it), so this is 50,000 to 100,000
 * messages and some 36 MB at most. Beyond it the oldest are dropped first, which only shortens
 * how far back a duplicate is recognised.
 */
export const MAX_SENT_RECORDS = 100_000;

interface Held {
	record: SentRecord;
	expiresAt: number;
}

/** The sent records of this process, bounded in time and in number. */
export class SentRecords {
	/** In order of last write, oldest first, so the bound drops the oldest. */
	private readonly held = new Map<string, Held>();

	constructor(
		private readonly maxRecords: number,
		private readonly now: () => number,
	) {}

	read(key: string): SentRecord | undefined {
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
		for (const key of keys) {
			this.held.delete(key);
			this.held.set(key, { record, expiresAt });
		}
		for (const [key, old] of this.held) {
			if (this.held.size <= this.maxRecords && old.expiresAt > this.now()) break;
			this.held.delete(key);
		}
	}

	release(keys: readonly string[], token: string): void {
		for (const key of keys) {
			if (this.held.get(key)?.record.token === token) this.held.delete(key);
		}
	}

	get size(): number {
		return this.held.size;
	}
}
