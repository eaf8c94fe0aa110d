import { Paces } from './inProcess/paces';
import { RunLedger } from './inProcess/runLedger';
import { MAX_SENT_RECORDS, SentRecords } from './inProcess/sentRecords';
import type { CoordinationStore, LedgerEntry, PacingPolicy, SentRecord, Turn } from './store';

export interface InProcessStoreOptions {
	now?: () => number;
	random?: () => number;
	maxSentRecords?: number;
}

/**
 * The coordination store of one n8n process: regular mode runs every execution in one process,
 * so a retried execution, a second webhook call and the next item all find here what the
 * others did.
 */
export class InProcessStore implements CoordinationStore {
	readonly shared: boolean = false;
	readonly description = 'this n8n process';
	readonly paces: Paces;
	readonly ledger: RunLedger;
	readonly sent: SentRecords;

	constructor(options: InProcessStoreOptions = {}) {
		const now = options.now ?? Date.now;
		this.paces = new Paces(now, options.random ?? Math.random);
		this.ledger = new RunLedger(now);
		this.sent = new SentRecords(options.maxSentRecords ?? MAX_SENT_RECORDS, now);
	}

	async reserveTurn(account: string, recipient: string, policy: PacingPolicy): Promise<Turn> {
		return this.paces.reserve(account, recipient, policy);
	}

	async lookupInRun(run: string, itemIndex: number, slot: string) {
		return this.ledger.lookup(run, itemIndex, slot);
	}

	async recordInRun(run: string, itemIndex: number, slot: string, entry: LedgerEntry) {
		this.ledger.record(run, itemIndex, slot, entry);
	}

	async forgetInRun(run: string, itemIndex: number, slot: string) {
		this.ledger.forget(run, itemIndex, slot);
	}

	async forgetRun(run: string) {
		this.ledger.forgetRun(run);
	}

	async claimSent(
		keys: readonly string[],
		record: SentRecord,
		keepMs: number,
		notBefore: number,
	): Promise<SentRecord | undefined> {
		const earlier = this.sent.read(keys[0]);
		if (earlier && earlier.at >= notBefore) return earlier;
		this.sent.write(keys, record, keepMs);
		return undefined;
	}

	async recallSent(key: string) {
		return this.sent.read(key);
	}

	async rememberSent(keys: readonly string[], record: SentRecord, keepMs: number) {
		this.sent.write(keys, record, keepMs);
	}

	async releaseSent(keys: readonly string[], token: string) {
		this.sent.release(keys, token);
	}

	/** One process has nobody to ask: the trigger's own memory of ids covers it. */
	async firstSighting(): Promise<boolean> {
		return true;
	}

	async close(): Promise<void> {}
}
