import type { SentMessage, SentMessagesStore } from '../coordination/store';

/**
 * Bounds this process's memory of sent messages. At the default pace (one message a second) an
 * account sends at most 86,400 a day; beyond this many entries the oldest are dropped first,
 * which only shortens how far back a duplicate is recognised.
 */
export const MAX_SENT_ENTRIES = 100_000;

interface Held {
	entry: SentMessage;
	expiresAt: number;
}

/**
 * The sent-messages memory of one n8n process (regular mode runs every execution in one
 * process, so a retried execution and a second webhook call find here what the first sent).
 * Queue mode shares it through the coordination store's Redis instead.
 */
export class InProcessSentMessages implements SentMessagesStore {
	/** In order of last write, oldest first, so the bound drops the oldest. */
	private readonly held = new Map<string, Held>();

	constructor(
		private readonly maxEntries = MAX_SENT_ENTRIES,
		private readonly now: () => number = Date.now,
	) {}

	private read(key: string): SentMessage | undefined {
		const found = this.held.get(key);
		if (!found) return undefined;
		if (found.expiresAt <= this.now()) {
			this.held.delete(key);
			return undefined;
		}
		return found.entry;
	}

	private write(keys: readonly string[], entry: SentMessage, keepMs: number): void {
		const expiresAt = this.now() + keepMs;
		for (const key of keys) {
			this.held.delete(key);
			this.held.set(key, { entry, expiresAt });
		}
		for (const [key, old] of this.held) {
			if (this.held.size <= this.maxEntries && old.expiresAt > this.now()) break;
			this.held.delete(key);
		}
	}

	async claimSent(
		keys: readonly string[],
		entry: SentMessage,
		keepMs: number,
		notBefore: number,
	): Promise<SentMessage | undefined> {
		const earlier = this.read(keys[0]);
		if (earlier && earlier.at >= notBefore) return earlier;
		this.write(keys, entry, keepMs);
		return undefined;
	}

	async recallSent(key: string): Promise<SentMessage | undefined> {
		return this.read(key);
	}

	async rememberSent(keys: readonly string[], entry: SentMessage, keepMs: number): Promise<void> {
		this.write(keys, entry, keepMs);
	}

	async releaseSent(keys: readonly string[], token: string): Promise<void> {
		for (const key of keys) if (this.held.get(key)?.entry.token === token) this.held.delete(key);
	}

	/** For tests and diagnostics. */
	get size(): number {
		return this.held.size;
	}

	/** For tests. */
	clear(): void {
		this.held.clear();
	}
}

/** This process's memory, shared by every execution that has no coordination store. */
export const inProcessSentMessages = new InProcessSentMessages();
