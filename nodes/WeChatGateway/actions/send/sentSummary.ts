import { SENT_KEEP_MS } from '../../delivery/earlierSends';

/**
 * Whether n8n's Retry of this execution will find what this run sent: always with a shared
 * store or in one process (regular mode); in queue mode without one, only when the retry
 * happens to run on the same worker.
 */
export type RetryMemory = 'shared' | 'process' | 'worker';

/** The items of this run that went out, or were not sent because an earlier execution had. */
export interface SentTally {
	/** Items with a confirmed message (sent now or earlier in the run). */
	sent: number[];
	/** Items not sent because an earlier execution had sent them. */
	skipped: number[];
}

function describeItems(itemIndexes: number[]): string {
	const unique = [...new Set(itemIndexes)].sort((a, b) => a - b);
	if (unique.length <= 6) return `item${unique.length > 1 ? 's' : ''} ${unique.join(', ')}`;
	return `items ${unique.slice(0, 5).join(', ')} … ${unique[unique.length - 1]}`;
}

function retryNote(memory: RetryMemory): string {
	const hours = SENT_KEEP_MS / 3_600_000;
	if (memory === 'shared')
		return `neither Retry On Fail nor a Retry of this execution within ${hours} h sends them again (remembered in the coordination store).`;
	if (memory === 'process')
		return `neither Retry On Fail nor a Retry of this execution within ${hours} h sends them again, unless n8n restarts before it (remembered in this n8n process).`;
	return "Retry On Fail does not send them again, but a Retry of this execution that runs on another queue-mode worker does: set the credential's Coordination Redis URL to share what was sent.";
}

/**
 * When the node fails without Continue On Fail, n8n shows only the error, not the items that
 * went out before it. Say how many did, and whether a retry sends them again, so nobody
 * re-sends them by hand. Taken once the messages under way have settled, so it counts them.
 */
export function withSentSummary<E>(error: E, tally: SentTally, memory: RetryMemory): E {
	const notes: string[] = [];
	if (tally.sent.length > 0) {
		const count = tally.sent.length;
		notes.push(
			`Sent before this error in this run: ${count} message${count === 1 ? '' : 's'} (${describeItems(tally.sent)}); ${retryNote(memory)}`,
		);
	}
	if (tally.skipped.length > 0)
		notes.push(
			`Not sent in this run because an earlier execution already sent them: ${describeItems(tally.skipped)}.`,
		);
	if (notes.length === 0 || error === null || typeof error !== 'object') return error;
	const described = error as { description?: string | null };
	const note = notes.join(' ');
	described.description = described.description ? `${described.description} ${note}` : note;
	return error;
}
