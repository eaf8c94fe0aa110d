import type { PacingPolicy, Turn } from '../store';

const MINUTE = 60_000;

/** What one reservation did to an account, so that giving its turn back can undo it whole. */
interface Reservation {
	at: number;
	nextFreeBefore: number;
	lastTurnBefore: number;
	/** Set when the turn entered the recipients window. */
	window?: { recipient: string; previous?: number; evicted?: [string, number] };
}

class AccountPace {
	nextFreeAt = 0;
	/** The last turn given; a minute after it, and past nextFreeAt, the account has no history. */
	lastTurnAt = 0;
	/** recipient -> when it last got a turn, oldest first. */
	recentRecipients = new Map<string, number>();

	reserve(recipient: string, policy: PacingPolicy, now: number, random: () => number): Reservation {
		const reservation: Reservation = {
			at: Math.max(now, this.nextFreeAt),
			nextFreeBefore: this.nextFreeAt,
			lastTurnBefore: this.lastTurnAt,
		};
		if (policy.maxRecipientsPerMinute > 0)
			this.respectRecipientLimit(recipient, reservation, policy.maxRecipientsPerMinute);
		const jitter = policy.intervalMs * (policy.jitterRatio ?? 0.3) * random();
		this.nextFreeAt = reservation.at + policy.intervalMs + jitter;
		this.lastTurnAt = reservation.at;
		return reservation;
	}

	/**
	 * Puts the account back as it was before `reservation`, which must be the last one taken.
	 * What the reservation cleaned out of the window had aged out for every later one as well.
	 */
	undo({ nextFreeBefore, lastTurnBefore, window }: Reservation): void {
		this.nextFreeAt = nextFreeBefore;
		this.lastTurnAt = lastTurnBefore;
		if (!window) return;
		const entries = [...this.recentRecipients].filter(([name]) => name !== window.recipient);
		if (window.previous !== undefined) entries.push([window.recipient, window.previous]);
		if (window.evicted) entries.push(window.evicted);
		this.recentRecipients = new Map(entries.sort((a, b) => a[1] - b[1]));
	}

	private respectRecipientLimit(recipient: string, reservation: Reservation, limit: number): void {
		for (const [name, time] of this.recentRecipients) {
			if (time > reservation.at - MINUTE) break;
			this.recentRecipients.delete(name);
		}
		const window: Reservation['window'] = {
			recipient,
			previous: this.recentRecipients.get(recipient),
		};
		if (window.previous === undefined && this.recentRecipients.size >= limit) {
			const oldest = this.recentRecipients.entries().next().value as [string, number];
			reservation.at = Math.max(reservation.at, oldest[1] + MINUTE);
			this.recentRecipients.delete(oldest[0]);
			window.evicted = oldest;
		}
		this.recentRecipients.delete(recipient);
		this.recentRecipients.set(recipient, reservation.at);
		reservation.window = window;
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
		const reservation = pace.reserve(recipient, policy, now, this.random);
		const reservedUntil = pace.nextFreeAt;
		return {
			waitMs: reservation.at - now,
			turnAt: reservation.at,
			giveBack: async () => {
				// Nobody reserved after it: the account is as if it had never been taken.
				if (pace.nextFreeAt === reservedUntil) pace.undo(reservation);
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
