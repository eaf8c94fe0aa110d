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
}

export const DEFAULT_TIMINGS: ConnectionTimings = {
	initialDelayMs: 1_000,
	maxDelayMs: 30_000,
	pingIntervalMs: 30_000,
	silenceLimitMs: 90_000,
	connectTimeoutMs: 10_000,
	stableAfterMs: 10_000,
};

export interface ConnectionOptions {
	settings: GatewaySocketSettings;
	onFrame: (data: unknown) => void;
	log: (level: LogLevel, message: string) => void;
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
			this.failed(`could not open ${this.where}: ${(error as Error).message}`);
			return;
		}
		this.current = connection;
		const { socket } = connection;
		this.connectTimer = setTimeout(() => {
			if (this.current !== connection) return;
			this.dropSocket();
			this.failed(`${this.where} did not open within ${this.timings.connectTimeoutMs} ms`);
		}, this.timings.connectTimeoutMs);

		socket.addEventListener('open', () => {
			if (this.current !== connection) return;
			clearTimeout(this.connectTimer);
			this.openedAt = Date.now();
			this.lastSignOfLife = this.openedAt;
			this.opens++;
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
			const wasOpenFor = this.openedAt === undefined ? undefined : Date.now() - this.openedAt;
			this.dropSocket();
			const how =
				wasOpenFor === undefined
					? `could not connect to ${this.where}`
					: `the socket to ${this.where} closed after ${Math.round(wasOpenFor / 1000)} s`;
			const code =
				event.code && event.code !== 1005
					? ` (code ${event.code}${event.reason ? `: ${event.reason.slice(0, 100)}` : ''})`
					: '';
			if (wasOpenFor !== undefined && wasOpenFor >= this.timings.stableAfterMs) this.failures = 0;
			this.failed(`${how}${code}`);
		});
		// Errors are followed by a close event, which does the work.
		socket.addEventListener('error', () => {});
	}

	private checkLiveness(connection: GatewaySocket): void {
		if (this.current !== connection) return;
		const silentFor = Date.now() - this.lastSignOfLife;
		if (silentFor > this.timings.silenceLimitMs) {
			this.dropSocket();
			this.failed(
				`no frame and no pong from ${this.where} for ${Math.round(silentFor / 1000)} s: the socket is open but dead; replacing it`,
			);
			return;
		}
		connection.ping();
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

	private failed(reason: string): void {
		if (this.stopped) return;
		const delay = reconnectDelayMs(this.failures, this.timings, this.random());
		this.failures++;
		this.options.log(
			'warn',
			`${PREFIX} ${reason}; reconnecting in ${(delay / 1000).toFixed(1)} s (${this.failures} failed in a row)`,
		);
		clearTimeout(this.reconnectTimer);
		this.reconnectTimer = setTimeout(() => this.connect(), delay);
	}
}
