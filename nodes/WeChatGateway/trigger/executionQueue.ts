/**
 * Starts workflow executions for received items, at most `maxInFlight` at a time, in arrival
 * order. A gateway delivers a burst (a busy group, a reconnect) as fast as the socket allows;
 * started all at once, hundreds of executions fight over n8n's database and some fail to start
 * at all, which loses the message. Waiting for each execution to end (n8n settles the "done"
 * promise it is given) keeps every message and n8n responsive.
 */
export interface ExecutionQueueOptions<T> {
	/** Starts one execution; resolves or rejects when it has ended. */
	start: (item: T) => Promise<unknown>;
	maxInFlight?: number;
	/** Items waiting beyond this are refused (reported by `push` returning false). */
	maxQueued?: number;
	/** An execution that has not ended after this frees its slot anyway, so the queue never stalls. */
	slotTimeoutMs?: number;
	onError?: (error: unknown) => void;
}

export class ExecutionQueue<T> {
	private readonly waiting: T[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly maxInFlight: number;
	private readonly maxQueued: number;
	private readonly slotTimeoutMs: number;
	private closed = false;
	inFlight = 0;
	started = 0;

	constructor(private readonly options: ExecutionQueueOptions<T>) {
		this.maxInFlight = options.maxInFlight ?? 4;
		this.maxQueued = options.maxQueued ?? 10_000;
		this.slotTimeoutMs = options.slotTimeoutMs ?? 120_000;
	}

	get queued(): number {
		return this.waiting.length;
	}

	/** Items `push` would still take; none once closed. */
	get room(): number {
		return this.closed ? 0 : this.maxQueued - this.waiting.length;
	}

	get isClosed(): boolean {
		return this.closed;
	}

	push(item: T): boolean {
		if (this.closed) return false;
		if (this.waiting.length >= this.maxQueued) return false;
		this.waiting.push(item);
		this.next();
		return true;
	}

	/** Forgets what is waiting and stops every timer; executions already started run on. */
	close(): void {
		this.closed = true;
		this.waiting.length = 0;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	private next(): void {
		while (!this.closed && this.inFlight < this.maxInFlight && this.waiting.length > 0) {
			const item = this.waiting.shift() as T;
			this.inFlight++;
			this.started++;
			let freed = false;
			const free = () => {
				if (freed) return;
				freed = true;
				clearTimeout(timer);
				this.timers.delete(timer);
				this.inFlight--;
				this.next();
			};
			// A safety net for a slot, never a reason for the process to stay up: a running trigger
			// holds its socket open, and a process shutting down has nothing left to start.
			const timer = setTimeout(free, this.slotTimeoutMs);
			timer.unref();
			this.timers.add(timer);
			let running: Promise<unknown>;
			try {
				running = this.options.start(item);
			} catch (error) {
				running = Promise.reject(error);
			}
			running.then(free, (error: unknown) => {
				this.options.onError?.(error);
				free();
			});
		}
	}
}
