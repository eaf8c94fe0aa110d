import { GatewayError } from '../transport/errors';

/**
 * What this node already sent in one run of it. When n8n's "Retry On Fail" runs the node again
 * with the same items, a message that went out returns its first result instead of going out
 * twice, and one whose fate is unknown is not sent blind a second time.
 *
 * A run is (execution, node, run index): n8n's retries keep the run index, while a loop that
 * runs the node again with new items gets a new one, so a loop never mistakes its second round
 * for a retry of the first. Within a run, a message is (item index, recipient): the retry gets
 * the same items, so that pair is the same message even when an expression in it (a time, a
 * random id) renders differently the second time.
 */
export type LedgerEntry =
	/** `result`: what the gateway's answer gave, as the output item shows it. */
	{ state: 'sent'; result: Record<string, unknown> } | { state: 'uncertain'; error: GatewayError };

export interface RunIdentity {
	executionId: string;
	nodeName: string;
	runIndex: number;
}

/** Retry On Fail waits at most 5 s between at most 5 tries; an hour is far beyond any of it. */
const KEEP_MS = 60 * 60 * 1000;
/** Bounds memory when many runs fail for good (a successful run is forgotten at once). */
const MAX_ENTRIES = 100_000;
/**
 * Bounds one run that never ends (about 20 MB): beyond it, its oldest messages are forgotten.
 * A message is about 400 bytes here; one run once held 300,000 (117 MB). It is fifty times the
 * recipients one item may have, so what is forgotten is always items long done, never the
 * item being sent.
 */
export const MAX_ENTRIES_PER_RUN = 50_000;

interface Run {
	touchedAt: number;
	entries: Map<string, LedgerEntry>;
	/** The highest item index whose entry was forgotten to keep the run within its bound. */
	forgottenUpTo?: number;
}

/** Runs in order of their last write, oldest first. */
const runs = new Map<string, Run>();
let entryCount = 0;

export function runKey({ executionId, nodeName, runIndex }: RunIdentity): string {
	return [executionId, nodeName, runIndex].join('\u0000');
}

function slotKey(itemIndex: number, recipient: string): string {
	return `${itemIndex}\u0000${recipient}`;
}

export function lookup(
	run: string,
	itemIndex: number,
	recipient: string,
	now = Date.now(),
): LedgerEntry | undefined {
	const found = runs.get(run);
	if (!found) return undefined;
	if (now - found.touchedAt > KEEP_MS) {
		forgetRun(run);
		return undefined;
	}
	const entry = found.entries.get(slotKey(itemIndex, recipient));
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

export function record(
	run: string,
	itemIndex: number,
	recipient: string,
	entry: LedgerEntry,
	now = Date.now(),
): void {
	let found = runs.get(run);
	if (found) {
		runs.delete(run); // re-inserted below, so the map stays ordered by last write
	} else {
		found = { touchedAt: now, entries: new Map() };
	}
	found.touchedAt = now;
	const key = slotKey(itemIndex, recipient);
	if (!found.entries.has(key)) entryCount++;
	found.entries.set(key, entry);
	runs.set(run, found);
	if (found.entries.size > MAX_ENTRIES_PER_RUN) {
		// A tenth at a time, in one pass: a map's deleted slots are walked again by every new
		// iterator until it is rebuilt, so one entry per write would cost quadratic time.
		const keep = Math.floor(MAX_ENTRIES_PER_RUN * 0.9);
		for (const oldest of found.entries.keys()) {
			if (found.entries.size <= keep) break;
			found.entries.delete(oldest);
			entryCount--;
			const oldestItem = Number(oldest.slice(0, oldest.indexOf('\u0000')));
			found.forgottenUpTo = Math.max(found.forgottenUpTo ?? 0, oldestItem);
		}
	}
	for (const [oldKey, old] of runs) {
		if (entryCount <= MAX_ENTRIES && now - old.touchedAt <= KEEP_MS) break;
		if (oldKey === run) break;
		forgetRun(oldKey);
	}
}

/**
 * Called when a run ended in a way n8n does not retry: nothing of it will be asked for again,
 * so a workflow that sends thousands of messages an hour keeps no memory of them.
 */
export function forgetRun(run: string): void {
	const found = runs.get(run);
	if (!found) return;
	entryCount -= found.entries.size;
	runs.delete(run);
}

/** For tests and diagnostics. */
export function ledgerSize(): { runs: number; entries: number } {
	return { runs: runs.size, entries: entryCount };
}

/** For tests. */
export function clearLedger(): void {
	runs.clear();
	entryCount = 0;
}
