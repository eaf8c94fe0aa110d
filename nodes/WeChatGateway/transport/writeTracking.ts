/**
 * How far undici got with one request. `connected`: it was handed a live connection and began
 * writing; `written`: it finished writing the whole request. Before `connected`, the gateway
 * cannot have the request, so a failure there is the only one that is safe to retry. Undici tells
 * the request's own handler (an Exchange) right before and right after writing, so every request
 * knows this of itself, whether it is written at once or waits in the pool's queue.
 */
export interface WriteTracker {
	connected: boolean;
	written: boolean;
}

/** A request's tracker as a failure is judged: `lost` when the client's tracking is not trusted. */
export interface WriteTrackerState extends WriteTracker {
	lost: boolean;
}

/**
 * Whether one client's trackers can be believed. A request answered although its tracker never
 * saw it start means tracking does not work (say, an undici upgrade changed how handlers are
 * called): until it is seen working again, no failure can be proven to be before the write, and
 * none is called `notSent`. Kept per client, so one client's trouble never spreads to others,
 * and lifted by the next answered request that was seen starting, so it does not last for good.
 */
export class WriteTracking {
	private lost = false;

	constructor(
		/** Told once each time tracking is lost and once each time it works again. */
		private readonly warn: (message: string) => void = () => {},
	) {}

	/** Whether failures are being judged without tracking. */
	get isLost(): boolean {
		return this.lost;
	}

	/** What a request's tracker says about tracking, once the request has been answered. */
	answered(tracker: WriteTracker): void {
		if (!tracker.connected && !this.lost) {
			this.lost = true;
			this.warn(
				'The gateway answered a request that the HTTP client never reported writing: write tracking does not work here, so until it does, every failed call counts as possibly sent and is not retried',
			);
		} else if (tracker.connected && tracker.written && this.lost) {
			this.lost = false;
			this.warn('Write tracking works again: calls that fail before they are written are retried');
		}
	}

	/** The tracker as a failure is judged. */
	stateOf(tracker: WriteTracker): WriteTrackerState {
		return { connected: tracker.connected, written: tracker.written, lost: this.lost };
	}
}
