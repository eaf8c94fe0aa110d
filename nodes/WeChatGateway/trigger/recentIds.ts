/**
 * The last `capacity` message ids seen, oldest forgotten first. Gateways resend what a socket
 * may have missed when it reconnects, so the memory outlives any one connection, but stays
 * bounded however long the workflow is active.
 */
export class RecentIds {
	private readonly ids = new Set<string>();

	constructor(readonly capacity = 10_000) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
	}

	has(id: string): boolean {
		return this.ids.has(id);
	}

	/** Remembers the id; false when it was already remembered. */
	add(id: string): boolean {
		if (this.ids.has(id)) return false;
		this.ids.add(id);
		if (this.ids.size > this.capacity) {
			const oldest = this.ids.values().next().value as string;
			this.ids.delete(oldest);
		}
		return true;
	}

	/** Forgets the id, so that the same message seen again counts as new. */
	forget(id: string): void {
		this.ids.delete(id);
	}

	get size(): number {
		return this.ids.size;
	}
}
