import type { SentRecord } from '../store';

/**
 * Bounds this process's sent records: a message takes one or two, about 0.7 KB together with
 * their ids (test/reliability/load.engine.test.ts measures it), so this is 50,000 to 100,000
 * messages and some 36 MB at most. Beyond it the oldest are dropped first, which only shortens
 * how far back a duplicate is recognised.
 */
export const MAX_SENT_RECORDS = 100_000;

/** What a full memory is cut down to: the oldest tenth goes at once (see `dropOldest`). */
const KEPT_WHEN_FULL = 0.9;
/** Expired records are swept out at most this often; `read` never returns one meanwhile. */
const SWEEP_EVERY_MS = 1_000;

interface Held {
	record: SentRecord;
	expiresAt: number;
}

/** The sent records of this process, bounded in time and in number. */
export class SentRecords {
	/** In order of last write, oldest first, so the bound drops the oldest. */
	private readonly held = new Map<string, Held>();
	/** When the oldest record may have expired, so a write has something to sweep. */
	private sweepAt = Number.POSITIVE_INFINITY;

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
		const now = this.now();
		const expiresAt = now + keepMs;
		for (const key of keys) {
			this.held.delete(key);
			this.held.set(key, { record, expiresAt });
		}
		if (expiresAt < this.sweepAt) this.sweepAt = expiresAt;
		if (this.held.size > this.maxRecords)
			this.dropOldest(Math.floor(this.maxRecords * KEPT_WHEN_FULL));
		else if (now >= this.sweepAt) this.sweep(now);
	}

	release(keys: readonly string[], token: string): void {
		for (const key of keys) {
			if (this.held.get(key)?.record.token === token) this.held.delete(key);
		}
	}

	get size(): number {
		return this.held.size;
	}

	/**
	 * Many at a time, in one pass: a map's deleted slots are walked again by every new iterator
	 * until it is rebuilt, so dropping one record per write would cost each write a walk over
	 * all those dropped before.
	 */
	private dropOldest(keep: number): void {
		for (const key of this.held.keys()) {
			if (this.held.size <= keep) break;
			this.held.delete(key);
		}
	}

	/** Drops the expired records at the old end, in one pass, and says when to look again. */
	private sweep(now: number): void {
		this.sweepAt = Number.POSITIVE_INFINITY;
		for (const [key, old] of this.held) {
			if (old.expiresAt > now) {
				this.sweepAt = Math.max(old.expiresAt, now + SWEEP_EVERY_MS);
				break;
			}
			this.held.delete(key);
		}
	}
}
