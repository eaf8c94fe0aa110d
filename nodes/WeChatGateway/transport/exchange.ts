import type { Dispatcher } from 'undici';

import type { JsonBody } from './exactJson';
import type { WriteTracker, WriteTracking } from './writeTracking';

/** What came back for one request, before it is judged. */
export interface RawAnswer {
	statusCode: number;
	location: string | string[] | undefined;
	text: string;
}

/** Where one request goes, in the parts undici's dispatch takes. */
export interface Target {
	origin: string;
	path: string;
}

export function targetOf(url: string): Target {
	const parsed = new URL(url);
	return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

type Abort = (reason: Error) => void;

/**
 * One request and its answer, as undici's own handler of it: it sees the request start and end
 * being written (the write tracking), collects the answer's body, and can be stopped at its
 * deadline. Undici's `request()` would add a stream per answer and a listener per abort signal,
 * which this does not need: an answer is a few hundred bytes, read whole.
 */
export class Exchange implements WriteTracker {
	connected = false;
	written = false;
	/** The client's deadline for this request has passed. */
	expired = false;
	private abort: Abort | undefined;
	/** The deadline's error, kept until undici hands over a way to stop the request. */
	private reason: Error | undefined;
	private statusCode = 0;
	private location: string | string[] | undefined;
	private readonly chunks: Buffer[] = [];
	private length = 0;
	private settled = false;
	/** Set by `run`, before undici can call any of the handler's hooks. */
	private resolve!: (answer: RawAnswer) => void;
	private reject!: (error: unknown) => void;

	constructor(
		private readonly tracking: WriteTracking,
		/** When the client's deadline for it passes, on `performance.now()`'s clock. */
		readonly endsAt: number,
	) {}

	run(
		dispatcher: Dispatcher,
		target: Target,
		method: 'GET' | 'POST',
		headers: Record<string, string>,
		body: JsonBody | undefined,
	): Promise<RawAnswer> {
		return new Promise<RawAnswer>((resolve, reject) => {
			this.resolve = resolve;
			this.reject = reject;
			// Undici writes an iterable body (a large body's pieces) as it goes.
			const options = { origin: target.origin, path: target.path, method, headers, body };
			dispatcher.dispatch(
				options as Dispatcher.DispatchOptions,
				this as unknown as Dispatcher.DispatchHandler,
			);
		});
	}

	/**
	 * Stops the request at its deadline. Before undici has begun writing it, it can only be
	 * stopped when it does (as undici stops a request whose abort signal fired while it waited for
	 * a connection); once its answer has begun, the caller gets the deadline's error at once.
	 */
	expire(): void {
		this.expired = true;
		const reason = new Error('deadline');
		if (this.abort) this.abort(reason);
		else if (this.statusCode !== 0) this.fail(reason);
		else this.reason = reason;
	}

	onConnect(abort: Abort): void {
		this.connected = true;
		if (this.reason) return abort(this.reason);
		this.abort = abort;
	}

	onRequestSent(): void {
		this.written = true;
	}

	onHeaders(statusCode: number, rawHeaders: Array<Buffer | string>): boolean {
		// 1xx answers are interim: the real one follows.
		if (statusCode < 200) return true;
		this.statusCode = statusCode;
		this.tracking.answered(this);
		if (statusCode >= 300 && statusCode < 400) this.location = locationOf(rawHeaders);
		return true;
	}

	onData(chunk: Buffer): boolean {
		this.chunks.push(chunk);
		this.length += chunk.length;
		return true;
	}

	onComplete(): void {
		if (this.settled) return;
		this.settled = true;
		this.resolve({ statusCode: this.statusCode, location: this.location, text: this.text() });
	}

	onError(error: unknown): void {
		this.fail(error);
	}

	private fail(error: unknown): void {
		if (this.settled) return;
		this.settled = true;
		this.reject(error);
	}

	/** The body as UTF-8 text, without a byte order mark (as undici's `body.text()` reads it). */
	private text(): string {
		if (this.length === 0) return '';
		const whole =
			this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
		const bom = whole.length > 2 && whole[0] === 0xef && whole[1] === 0xbb && whole[2] === 0xbf;
		return whole.toString('utf8', bom ? 3 : 0);
	}
}

/** The `location` header(s) of a redirect, in the form undici's parsed headers give them. */
function locationOf(rawHeaders: Array<Buffer | string>): string | string[] | undefined {
	const found: string[] = [];
	for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
		if (rawHeaders[i].toString().toLowerCase() === 'location')
			found.push(rawHeaders[i + 1].toString('latin1'));
	}
	return found.length > 1 ? found : found[0];
}

/**
 * The client's hard deadline for each of its requests, from one timer for all of them: a timer
 * and an abort signal per request cost more than the rest of the client's own work on a request.
 * The timer is armed for the earliest deadline in flight and does not keep the process alive
 * (a request in flight does).
 */
export class Deadlines {
	private readonly inFlight = new Set<Exchange>();
	private timer: NodeJS.Timeout | undefined;

	constructor(private readonly ms: number) {}

	/** An exchange under this deadline, counted from now. */
	start(tracking: WriteTracking): Exchange {
		const exchange = new Exchange(tracking, performance.now() + this.ms);
		this.inFlight.add(exchange);
		// An armed timer fires by the earliest deadline in flight, which is no later than this one.
		if (!this.timer) this.arm(this.ms);
		return exchange;
	}

	end(exchange: Exchange): void {
		this.inFlight.delete(exchange);
	}

	close(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
	}

	private arm(ms: number): void {
		this.timer = setTimeout(() => this.check(), Math.max(ms, 1));
		this.timer.unref();
	}

	private check(): void {
		this.timer = undefined;
		const now = performance.now();
		let next = Infinity;
		for (const exchange of this.inFlight) {
			if (exchange.endsAt <= now) {
				this.inFlight.delete(exchange);
				exchange.expire();
			} else next = Math.min(next, exchange.endsAt);
		}
		if (next !== Infinity) this.arm(next - now);
	}
}
