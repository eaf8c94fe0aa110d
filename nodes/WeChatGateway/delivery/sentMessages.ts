import { createHash } from 'node:crypto';

import type { SentMessage, SentMessagesStore } from '../coordination/store';

/**
 * Bounds this process's memory of sent messages: a message takes one or two entries, about
 * 0.7 KB together with its ids (test/reliability/load.engine.test.ts measures it), so this is
 * 50,000 to 100,000 messages and some 36 MB at most. Beyond it the oldest are dropped first,
 * which only shortens how far back a duplicate is recognised.
 */
export const MAX_SENT_ENTRIES = 100_000;

/** Keys carry the account, the chat and a fingerprint; a short digest holds them in less memory. */
function compact(key: string): string {
	return createHash('sha256').update(key).digest('base64').slice(0, 24);
}

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

	private read(fullKey: string): SentMessage | undefined {
		const key = compact(fullKey);
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
		for (const fullKey of keys) {
			const key = compact(fullKey);
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
		for (const fullKey of keys) {
			const key = compact(fullKey);
			if (this.held.get(key)?.entry.token === token) this.held.delete(key);
		}
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
