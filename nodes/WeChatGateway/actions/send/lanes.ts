/**
 * Runs `work` over `count` slots, at most `limit` at a time, keeping results in slot order
 * ("Concurrent Recipients"). When one slot throws, no further slot starts, and the error is
 * thrown only once the slots already under way have finished: nothing is sent after the node
 * has given up, and whatever reports on the run (the sent-before summary) sees every slot that
 * went out.
 */
export async function inLanes<T>(
	count: number,
	limit: number,
	work: (slot: number) => Promise<T>,
): Promise<T[]> {
	const results = new Array<T>(count);
	let next = 0;
	let failed = false;
	const lane = async () => {
		for (let slot = next++; slot < count && !failed; slot = next++) {
			let done = false;
			try {
				results[slot] = await work(slot);
				done = true;
			} finally {
				if (!done) failed = true;
			}
		}
	};
	const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, count) }, lane));
	const rejected = settled.find(
		(outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
	);
	if (rejected) throw rejected.reason;
	return results;
}
