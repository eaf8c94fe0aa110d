/**
 * Keys seen within the last `windowMs`, so that a change the gateway reports several times in a
 * row is emitted once. Each trigger keeps its own instance; the memory is bounded by time and by
 * `capacity` however many changes arrive.
 */
export class RecentChanges {
	/** Key → when it was first seen; a Map keeps insertion order, so the oldest come first. */
	private readonly seen = new Map<string, number>();

	constructor(
		readonly windowMs: number,
		private readonly now: () => number = Date.now,
		readonly capacity = 1000,
	) {
		if (!(windowMs > 0)) throw new RangeError('windowMs must be > 0');
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
	}

	/** True when `key` was not seen within the window (emit it); it is remembered either way. */
	isNew(key: string): boolean {
		const time = this.now();
		for (const [oldKey, seenAt] of this.seen) {
			if (time - seenAt < this.windowMs) break;
			this.seen.delete(oldKey);
		}
		if (this.seen.has(key)) return false;
		this.seen.set(key, time);
		if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
		return true;
	}

	get size(): number {
		return this.seen.size;
	}
}
