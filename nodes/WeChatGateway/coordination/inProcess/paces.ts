import type { PacingPolicy, Turn } from '../store';

const MINUTE = 60_000;

class AccountPace {
	nextFreeAt = 0;
	/** The last turn given; a minute after it, and past nextFreeAt, the account has no history. */
	lastTurnAt = 0;
	/** recipient -> when it last got a turn, oldest first. */
	readonly recentRecipients = new Map<string, number>();

	reserve(recipient: string, policy: PacingPolicy, now: number, random: () => number): number {
		let at = Math.max(now, this.nextFreeAt);
		if (policy.maxRecipientsPerMinute > 0)
			at = this.respectRecipientLimit(recipient, at, policy.maxRecipientsPerMinute);
		const jitter = policy.intervalMs * (policy.jitterRatio ?? 0.3) * random();
		this.nextFreeAt = at + policy.intervalMs + jitter;
		this.lastTurnAt = at;
		return at;
	}

	private respectRecipientLimit(recipient: string, at: number, limit: number): number {
		for (const [name, time] of this.recentRecipients) {
			if (time > at - MINUTE) break;
			this.recentRecipients.delete(name);
		}
		if (!this.recentRecipients.has(recipient) && this.recentRecipients.size >= limit) {
			const [oldestName, oldestTime] = this.recentRecipients.entries().next().value as [
				string,
				number,
			];
			at = Math.max(at, oldestTime + MINUTE);
			this.recentRecipients.delete(oldestName);
		}
		this.recentRecipients.delete(recipient);
		this.recentRecipients.set(recipient, at);
		return at;
	}
}

/**
 * The turns of every account this process sends for. A turn is reserved synchronously, so
 * concurrent callers queue in order.
 */
export class Paces {
	private readonly accounts = new Map<string, AccountPace>();
	private lastForgetAt = 0;

	constructor(
		private readonly now: () => number,
		private readonly random: () => number,
	) {}

	reserve(account: string, recipient: string, policy: PacingPolicy): Turn {
		let pace = this.accounts.get(account);
		if (!pace) {
			this.forgetIdleAccounts();
			pace = new AccountPace();
			this.accounts.set(account, pace);
		}
		const now = this.now();
		const freeBefore = pace.nextFreeAt;
		const at = pace.reserve(recipient, policy, now, this.random);
		const reservedUntil = pace.nextFreeAt;
		return {
			waitMs: at - now,
			turnAt: at,
			giveBack: async () => {
				if (pace.nextFreeAt === reservedUntil) pace.nextFreeAt = freeBefore;
			},
		};
	}

	/** How many accounts have pacing history. */
	get size(): number {
		return this.accounts.size;
	}

	/**
	 * Forgets accounts with nothing left to remember (their next turn is free and their last one
	 * is over a minute old), so a process that sees many accounts or Base URLs over weeks does not
	 * keep them all. Forgetting such an account changes nothing about its next turn. At most once
	 * a minute, so a burst of new accounts does not sweep the map for each one.
	 */
	private forgetIdleAccounts(): void {
		const now = this.now();
		if (now - this.lastForgetAt < MINUTE) return;
		this.lastForgetAt = now;
		for (const [key, pace] of this.accounts)
			if (pace.nextFreeAt <= now && pace.lastTurnAt <= now - MINUTE) this.accounts.delete(key);
	}
}
