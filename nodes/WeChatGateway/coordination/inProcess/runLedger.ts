import { GatewayError } from '../../transport/errors';
import { RUN_KEEP_MS, type LedgerEntry } from '../store';

/** Bounds memory when many runs fail for good (a successful run is forgotten at once). */
const MAX_ENTRIES = 100_000;
/**
 * Bounds one run that never ends (about 20 MB): beyond it, its oldest messages are forgotten.
 * It is fifty times the recipients one item may have, so what is forgotten is always items
 * long done, never the item being sent.
 */
export const MAX_ENTRIES_PER_RUN = 50_000;

interface Run {
	touchedAt: number;
	entries: Map<string, LedgerEntry>;
	/** The highest item index whose entry was forgotten to keep the run within its bound. */
	forgottenUpTo?: number;
}

function slotKey(itemIndex: number, slot: string): string {
	return `${itemIndex}\u0000${slot}`;
}

/** The run ledger of this process (see LedgerEntry and RunIdentity in ../store). */
export class RunLedger {
	/** Runs in order of their last write, oldest first. */
	private readonly runs = new Map<string, Run>();
	private entryCount = 0;

	constructor(private readonly now: () => number) {}

	lookup(run: string, itemIndex: number, slot: string): LedgerEntry | undefined {
		const found = this.runs.get(run);
		if (!found) return undefined;
		if (this.now() - found.touchedAt > RUN_KEEP_MS) {
			this.forgetRun(run);
			return undefined;
		}
		const entry = found.entries.get(slotKey(itemIndex, slot));
		if (entry || found.forgottenUpTo === undefined || itemIndex > found.forgottenUpTo) return entry;
		// It may have gone out before the run hit its bound: never sent blind a second time.
		return {
			state: 'uncertain',
			error: new GatewayError(
				'forgotten',
				`This run of the node had sent more than ${MAX_ENTRIES_PER_RUN} messages when n8n ran it again, and no longer remembers whether this one went out before; it was not sent again, so that nobody gets it twice. Split such a volume over several executions`,
				'unknown',
			),
		};
	}

	record(run: string, itemIndex: number, slot: string, entry: LedgerEntry): void {
		const now = this.now();
		let found = this.runs.get(run);
		if (found) {
			this.runs.delete(run); // re-inserted below, so the map stays ordered by last write
		} else {
			found = { touchedAt: now, entries: new Map() };
		}
		found.touchedAt = now;
		const key = slotKey(itemIndex, slot);
		if (!found.entries.has(key)) this.entryCount++;
		found.entries.set(key, entry);
		this.runs.set(run, found);
		if (found.entries.size > MAX_ENTRIES_PER_RUN) this.trim(found);
		for (const [oldKey, old] of this.runs) {
			if (this.entryCount <= MAX_ENTRIES && now - old.touchedAt <= RUN_KEEP_MS) break;
			if (oldKey === run) break;
			this.forgetRun(oldKey);
		}
	}

	/**
	 * A tenth at a time, in one pass: a map's deleted slots are walked again by every new
	 * iterator until it is rebuilt, so one entry per write would cost quadratic time.
	 */
	private trim(found: Run): void {
		const keep = Math.floor(MAX_ENTRIES_PER_RUN * 0.9);
		for (const oldest of found.entries.keys()) {
			if (found.entries.size <= keep) break;
			found.entries.delete(oldest);
			this.entryCount--;
			const oldestItem = Number(oldest.slice(0, oldest.indexOf('\u0000')));
			found.forgottenUpTo = Math.max(found.forgottenUpTo ?? 0, oldestItem);
		}
	}

	forget(run: string, itemIndex: number, slot: string): void {
		const found = this.runs.get(run);
		if (found?.entries.delete(slotKey(itemIndex, slot))) this.entryCount--;
	}

	forgetRun(run: string): void {
		const found = this.runs.get(run);
		if (!found) return;
		this.entryCount -= found.entries.size;
		this.runs.delete(run);
	}

	get size(): { runs: number; entries: number } {
		return { runs: this.runs.size, entries: this.entryCount };
	}
}
