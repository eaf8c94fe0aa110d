/**
 * Spaces the messages of one WeChat account, across items, executions and workflows in this
 * n8n process. A turn is reserved synchronously, so concurrent callers queue in order.
 */
export interface PacingPolicy {
	intervalMs: number;
	maxRecipientsPerMinute: number;
	/** Extra random share of the interval, so sends never tick like a machine. */
	jitterRatio?: number;
}

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

const accounts = new Map<string, AccountPace>();

/**
 * Forgets accounts with nothing left to remember (their next turn is free and their last one
 * is over a minute old), so a process that sees many accounts or Base URLs over weeks does not
 * keep them all. Forgetting such an account changes nothing about its next turn.
 */
let lastForgetAt = 0;
function forgetIdleAccounts(now: number): void {
	// At most once a minute, so a burst of new accounts does not sweep the map for each one.
	if (now - lastForgetAt < MINUTE) return;
	lastForgetAt = now;
	for (const [key, pace] of accounts)
		if (pace.nextFreeAt <= now && pace.lastTurnAt <= now - MINUTE) accounts.delete(key);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) return Promise.reject(new PacingAbortedError());
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(new PacingAbortedError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export class PacingAbortedError extends Error {
	constructor() {
		super('The execution was stopped');
		this.name = 'PacingAbortedError';
	}
}

/** Waits for this account's next turn to message `recipient`. */
export async function waitForTurn(
	account: string,
	recipient: string,
	policy: PacingPolicy,
	signal?: AbortSignal,
	clock: { now(): number; random(): number } = { now: Date.now, random: Math.random },
): Promise<void> {
	// A stopped execution takes no turn: its remaining items must not push back the account's
	// next execution by one interval each.
	if (signal?.aborted) throw new PacingAbortedError();
	if (policy.intervalMs <= 0 && policy.maxRecipientsPerMinute <= 0) return;
	let pace = accounts.get(account);
	if (!pace) {
		forgetIdleAccounts(clock.now());
		pace = new AccountPace();
		accounts.set(account, pace);
	}
	const now = clock.now();
	const freeBefore = pace.nextFreeAt;
	const at = pace.reserve(recipient, policy, now, clock.random);
	const reservedUntil = pace.nextFreeAt;
	const stopped = await sleep(at - now, signal).then(
		() => undefined,
		(error: unknown) => error,
	);
	if (stopped !== undefined) {
		// Stopped while waiting: give the turn back if nobody has queued behind it.
		if (pace.nextFreeAt === reservedUntil) pace.nextFreeAt = freeBefore;
		throw stopped;
	}
}

/** For tests and diagnostics: how many accounts have pacing history. */
export function pacedAccounts(): number {
	return accounts.size;
}

/** For tests: forget every account's history. */
export function resetPacing(): void {
	accounts.clear();
	lastForgetAt = 0;
}
