import type { MessageEvent, CloseEvent } from 'undici';

import { socketUrlForLog, type GatewaySocketSettings } from '../transport/socketSettings';
import { openGatewaySocket, type GatewaySocket } from '../transport/webSocket';

export type LogLevel = 'debug' | 'info' | 'warn';

export interface ConnectionTimings {
	/** First reconnect delay; doubles per failure up to `maxDelayMs`, each drawn with jitter. */
	initialDelayMs: number;
	maxDelayMs: number;
	/** A ping goes out this often while the socket is open. */
	pingIntervalMs: number;
	/** No frame and no pong for this long: the socket is dead though open, and is replaced. */
	silenceLimitMs: number;
	/** The socket must open within this. */
	connectTimeoutMs: number;
	/** A connection open at least this long counts as healthy: the next delay starts over. */
	stableAfterMs: number;
	/** Failures in a row after which the outage is reported (`onOutage`), once per outage. */
	reportAfterFailures: number;
}

export const DEFAULT_TIMINGS: ConnectionTimings = {
	initialDelayMs: 1_000,
	maxDelayMs: 30_000,
	pingIntervalMs: 30_000,
	silenceLimitMs: 90_000,
	connectTimeoutMs: 10_000,
	stableAfterMs: 10_000,
	reportAfterFailures: 5,
};

/** One failed attempt, or the loss of an open socket. */
export interface ConnectionFailure {
	reason: string;
	/** The socket never opened: refused, unreachable, or the handshake failed. */
	beforeOpen: boolean;
	/** Failures in a row, this one included. */
	failures: number;
}

export interface ConnectionOptions {
	settings: GatewaySocketSettings;
	onFrame: (data: unknown) => void;
	log: (level: LogLevel, message: string) => void;
	/** The connection has failed `reportAfterFailures` times in a row; it keeps retrying. */
	onOutage?: (failure: ConnectionFailure) => void;
	timings?: Partial<ConnectionTimings>;
	/** Jitter source in [0, 1); tests may pin it. */
	random?: () => number;
}

/**
 * Equal jitter: half the exponential step is fixed, half is random, so a fleet of triggers that
 * lost the same gateway spreads out, and no delay is ever shorter than half the first one.
 */
export function reconnectDelayMs(failures: number, timings: ConnectionTimings, random: number) {
	const step = Math.min(timings.maxDelayMs, timings.initialDelayMs * 2 ** Math.min(failures, 30));
	return Math.round(step / 2 + (step / 2) * random);
}

const PREFIX = 'WeChat Gateway Trigger:';

/**
 * The trigger's one socket to the gateway, kept alive until `close()`: it reconnects with
 * back-off after any failure, and replaces a socket that stays open but falls silent.
 */
export class GatewayConnection {
	private readonly timings: ConnectionTimings;
	private readonly random: () => number;
	private readonly where: string;
	private current?: GatewaySocket;
	private reconnectTimer?: NodeJS.Timeout;
	private connectTimer?: NodeJS.Timeout;
	private livenessTimer?: NodeJS.Timeout;
	private failures = 0;
	private openedAt?: number;
	private lastSignOfLife = 0;
	private stopped = false;
	private firstOutcome?: { resolve: () => void; reject: (failure: ConnectionFailure) => void };
	private everOpened = false;
	private lastFailure?: ConnectionFailure;
	/** When each attempt to connect started (ms since the epoch); bounded, for tests and logs. */
	readonly attempts: number[] = [];
	opens = 0;

	constructor(private readonly options: ConnectionOptions) {
		this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
		this.random = options.random ?? Math.random;
		this.where = socketUrlForLog(options.settings.webSocketUrl);
	}

	start(): void {
		if (this.stopped || this.current) return;
		this.connect();
	}

	/**
	 * Settles with the first attempt: resolves when the socket opens, rejects with the
	 * ConnectionFailure when it does not, so "Listen for test event" can fail at once instead of
	 * waiting for ever.
	 */
	firstOpen(): Promise<void> {
		if (this.everOpened) return Promise.resolve();
		if (this.lastFailure !== undefined) return Promise.reject(this.lastFailure);
		return new Promise((resolve, reject) => (this.firstOutcome = { resolve, reject }));
	}

	get isOpen(): boolean {
		return this.openedAt !== undefined;
	}

	/** Closes the socket and stops every timer; nothing happens after it. */
	close(): void {
		this.stopped = true;
		clearTimeout(this.reconnectTimer);
		this.reconnectTimer = undefined;
		this.dropSocket();
	}

	private connect(): void {
		this.reconnectTimer = undefined;
		if (this.stopped) return;
		this.attempts.push(Date.now());
		if (this.attempts.length > 100) this.attempts.shift();
		let connection: GatewaySocket;
		try {
			connection = openGatewaySocket(
				this.options.settings,
				() => (this.lastSignOfLife = Date.now()),
				this.timings.connectTimeoutMs,
			);
		} catch (error) {
			this.failed(`could not open ${this.where}: ${(error as Error).message}`, true);
			return;
		}
		this.current = connection;
		const { socket } = connection;
		this.connectTimer = setTimeout(() => {
			if (this.current !== connection) return;
			this.dropSocket();
			this.failed(`${this.where} did not open within ${this.timings.connectTimeoutMs} ms`, true);
		}, this.timings.connectTimeoutMs);

		socket.addEventListener('open', () => {
			if (this.current !== connection) return;
			clearTimeout(this.connectTimer);
			this.openedAt = Date.now();
			this.lastSignOfLife = this.openedAt;
			this.opens++;
			this.everOpened = true;
			this.firstOutcome?.resolve();
			this.firstOutcome = undefined;
			this.options.log('info', `${PREFIX} connected to ${this.where}`);
			this.livenessTimer = setInterval(
				() => this.checkLiveness(connection),
				this.timings.pingIntervalMs,
			);
		});
		socket.addEventListener('message', (event: MessageEvent) => {
			if (this.current !== connection) return;
			this.lastSignOfLife = Date.now();
			this.options.onFrame(event.data);
		});
		socket.addEventListener('close', (event: CloseEvent) => {
			if (this.current !== connection) return;
			const code =
				event.code && event.code !== 1005
					? ` (code ${event.code}${event.reason ? `: ${event.reason.slice(0, 100)}` : ''})`
					: '';
			if (this.openedAt !== undefined) {
				this.lost((openFor) => `the socket to ${this.where} closed after ${openFor} s${code}`);
				return;
			}
			this.dropSocket();
			this.failed(`could not connect to ${this.where}${code}`, true);
		});
		// Errors are followed by a close event, which does the work.
		socket.addEventListener('error', () => {});
	}

	private checkLiveness(connection: GatewaySocket): void {
		if (this.current !== connection) return;
		const silentFor = Date.now() - this.lastSignOfLife;
		if (silentFor > this.timings.silenceLimitMs) {
			this.lost(
				() =>
					`no frame and no pong from ${this.where} for ${Math.round(silentFor / 1000)} s: the socket is open but dead; replacing it`,
			);
			return;
		}
		connection.ping();
	}

	/**
	 * An open socket is gone (closed, or silent past the limit). One that had stayed up long
	 * enough was healthy, so the back-off starts over whichever way it ended.
	 */
	private lost(reason: (openForSeconds: number) => string): void {
		const openFor = this.openedAt === undefined ? 0 : Date.now() - this.openedAt;
		this.dropSocket();
		if (openFor >= this.timings.stableAfterMs) this.failures = 0;
		this.failed(reason(Math.round(openFor / 1000)));
	}

	private dropSocket(): void {
		clearTimeout(this.connectTimer);
		clearInterval(this.livenessTimer);
		this.connectTimer = undefined;
		this.livenessTimer = undefined;
		this.openedAt = undefined;
		const connection = this.current;
		this.current = undefined;
		connection?.close();
	}

	private failed(reason: string, beforeOpen = false): void {
		if (this.stopped) return;
		const delay = reconnectDelayMs(this.failures, this.timings, this.random());
		this.failures++;
		const failure: ConnectionFailure = { reason, beforeOpen, failures: this.failures };
		this.lastFailure = failure;
		this.firstOutcome?.reject(failure);
		this.firstOutcome = undefined;
		if (this.failures === this.timings.reportAfterFailures) this.options.onOutage?.(failure);
		this.options.log(
			'warn',
			`${PREFIX} ${reason}; reconnecting in ${(delay / 1000).toFixed(1)} s (${this.failures} failed in a row)`,
		);
		clearTimeout(this.reconnectTimer);
		this.reconnectTimer = setTimeout(() => this.connect(), delay);
	}
}
