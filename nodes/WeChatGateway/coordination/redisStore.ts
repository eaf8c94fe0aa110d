import Redis, { type RedisOptions } from 'ioredis';

import { keyDigest } from '../digest';
import { describeRedisUrl, fromStored, slot, toStored } from './redisFormat';
import { SCRIPTS, unsupportedVersion, type ScriptCommands } from './redisScripts';
import {
	CoordinationUnavailableError,
	RUN_KEEP_MS,
	type CoordinationStore,
	type LedgerEntry,
	type PacingPolicy,
	type SentRecord,
	type Turn,
} from './store';

const MINUTE = 60_000;
const NAMESPACE = 'n8n-nodes-wechat-gateway';

export interface RedisStoreOptions {
	/** How long one call may wait for Redis (also while it reconnects) before the item fails. */
	answerWithinMs?: number;
	random?: () => number;
	/** The recipients window; a minute, shorter only in tests. */
	windowMs?: number;
}

/** The coordination store shared by every process on one Redis (n8n's queue mode). */
export class RedisStore implements CoordinationStore {
	readonly shared = true;
	readonly description: string;
	private readonly redis: Redis & ScriptCommands;
	private readonly random: () => number;
	private readonly windowMs: number;
	private readonly answerWithinMs: number;
	/** This connection's server checked (version) and clock measured; reset on every new connection. */
	private checked?: Promise<void>;
	private whenReady?: Promise<void>;
	/** Redis's clock minus this process's, in ms, measured on the current connection. */
	private clockOffsetMs = 0;
	/** How far that measure may be off (half its round trip, and then some): fences stop this much early. */
	private fenceMarginMs = 50;

	constructor(url: string, options: RedisStoreOptions = {}) {
		this.description = describeRedisUrl(url);
		this.random = options.random ?? Math.random;
		this.windowMs = options.windowMs ?? MINUTE;
		this.answerWithinMs = options.answerWithinMs ?? 5000;
		const redisOptions: RedisOptions = {
			lazyConnect: true,
			connectTimeout: Math.min(this.answerWithinMs, 3000),
			// No command waits for a connection inside the client: a queued command would be sent
			// whenever Redis comes back, long after its caller gave up. `call` waits for the
			// connection itself, within its bound, and only then sends.
			enableOfflineQueue: false,
			maxRetriesPerRequest: null,
			// A command cut off mid-way is failed, not sent again on the next connection.
			autoResendUnfulfilledCommands: false,
			retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
			connectionName: 'n8n-nodes-wechat-gateway',
		};
		this.redis = new Redis(url, redisOptions) as Redis & ScriptCommands;
		// Connection errors surface through the calls that need Redis; ioredis would otherwise
		// print every failed reconnection attempt.
		this.redis.on('error', () => undefined);
		this.redis.on('ready', () => {
			this.checked = undefined;
		});
		for (const [name, script] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, script);
	}

	/**
	 * Runs one command within the bound, or fails with CoordinationUnavailableError. `work` gets
	 * the fence: the moment, on Redis's clock, after which its write must not happen (see
	 * redisScripts). A command that outlives the bound also takes its connection down, so the
	 * answers it and the ones behind it still owe can never be mistaken for fresh ones.
	 */
	private async call<T>(work: (fence: number) => Promise<T>): Promise<T> {
		const giveUpAt = performance.now() + this.answerWithinMs;
		let failure: unknown;
		try {
			await this.within(this.connected(), giveUpAt, 'no connection');
			const fence = this.redisNow() + (giveUpAt - performance.now()) - this.fenceMarginMs;
			return await this.within(work(Math.floor(fence)), giveUpAt, 'Command timed out', () =>
				// Destroyed, not ended: an ended socket waits for the frozen side's goodbye and
				// refuses every later call until then; a destroyed one reconnects at once.
				this.redis.stream?.destroy(),
			);
		} catch (error) {
			failure = error;
		}
		// The version check fails with its own, clearer message.
		if (failure instanceof CoordinationUnavailableError) throw failure;
		const reason = failure instanceof Error ? failure.message : String(failure);
		throw new CoordinationUnavailableError(this.description, reason);
	}

	private async within<T>(
		work: Promise<T>,
		giveUpAt: number,
		what: string,
		onLate?: () => void,
	): Promise<T> {
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() => {
					onLate?.();
					reject(new Error(`${what} within ${this.answerWithinMs} ms`));
				},
				Math.max(0, giveUpAt - performance.now()),
			);
		});
		try {
			return await Promise.race([work, late]);
		} finally {
			clearTimeout(timer);
		}
	}

	private async connected(): Promise<void> {
		if (this.redis.status !== 'ready') {
			if (this.redis.status === 'wait') this.redis.connect().catch(() => undefined);
			this.whenReady ??= new Promise((resolve) =>
				this.redis.once('ready', () => {
					this.whenReady = undefined;
					resolve();
				}),
			);
			await this.whenReady;
		}
		this.checked ??= this.checkServer().catch((error: unknown) => {
			this.checked = undefined;
			throw error;
		});
		await this.checked;
	}

	/** Refuses a Redis too old for the scripts, and measures its clock against this process's. */
	private async checkServer(): Promise<void> {
		const info = await this.redis.info('server');
		const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim();
		const problem = unsupportedVersion(version);
		if (problem) throw new CoordinationUnavailableError(this.description, problem, 'unsupported');
		const sentAt = performance.now();
		const [seconds, micros] = await this.redis.time();
		const answeredAt = performance.now();
		const redisMs = Number(seconds) * 1000 + Number(micros) / 1000;
		this.clockOffsetMs = redisMs - (performance.timeOrigin + (sentAt + answeredAt) / 2);
		this.fenceMarginMs = Math.max(50, answeredAt - sentAt);
	}

	private redisNow(): number {
		return performance.timeOrigin + performance.now() + this.clockOffsetMs;
	}

	async reserveTurn(account: string, recipient: string, policy: PacingPolicy): Promise<Turn> {
		// One tag per account keeps its two pace keys together; Cluster is still not supported
		// (docs/QUEUE-MODE.md, "Redis requirements").
		const tag = `${NAMESPACE}:{pace:${keyDigest(account)}}`;
		const nextFreeKey = `${tag}:next`;
		const jitterMs = Math.floor(policy.intervalMs * (policy.jitterRatio ?? 0.3) * this.random());
		const recipientsKey = `${tag}:recipients`;
		const [waitMs, reservedUntil, before, turnAt, previous, evicted] = await this.call((fence) =>
			this.redis.reserveTurn(
				nextFreeKey,
				recipientsKey,
				fence,
				policy.intervalMs,
				policy.maxRecipientsPerMinute,
				jitterMs,
				recipient,
				this.windowMs,
			),
		);
		const [evictedName = '', evictedAt = ''] = evicted;
		const enteredWindow = policy.maxRecipientsPerMinute > 0 ? '1' : '0';
		return {
			waitMs: Number(waitMs),
			turnAt: Number(turnAt),
			giveBack: async () => {
				await this.call((fence) =>
					this.redis.giveBackTurn(
						nextFreeKey,
						recipientsKey,
						fence,
						reservedUntil,
						before,
						enteredWindow,
						recipient,
						previous,
						evictedName,
						evictedAt,
						this.windowMs,
					),
				);
			},
		};
	}

	private ledgerKey(run: string): string {
		return `${NAMESPACE}:ledger:${keyDigest(run)}`;
	}

	async lookupInRun(run: string, itemIndex: number, recipient: string) {
		const text = await this.call(() =>
			this.redis.hget(this.ledgerKey(run), slot(itemIndex, recipient)),
		);
		return text === null ? undefined : fromStored(text);
	}

	async recordInRun(run: string, itemIndex: number, recipient: string, entry: LedgerEntry) {
		const text = JSON.stringify(toStored(entry));
		await this.call((fence) =>
			this.redis.recordEntry(
				this.ledgerKey(run),
				fence,
				slot(itemIndex, recipient),
				text,
				RUN_KEEP_MS,
			),
		);
	}

	async forgetInRun(run: string, itemIndex: number, recipient: string) {
		await this.call((fence) =>
			this.redis.forgetEntry(this.ledgerKey(run), fence, slot(itemIndex, recipient)),
		);
	}

	async forgetRun(run: string) {
		await this.call((fence) => this.redis.forgetRun(this.ledgerKey(run), fence));
	}

	async firstSighting(scope: string, id: string, keepMs: number): Promise<boolean> {
		const key = `${NAMESPACE}:seen:${keyDigest(scope)}:${id}`;
		return (await this.call((fence) => this.redis.firstSighting(key, fence, keepMs))) === 1;
	}

	private sentKey(key: string): string {
		return `${NAMESPACE}:sent:${key}`;
	}

	async claimSent(
		keys: readonly string[],
		record: SentRecord,
		keepMs: number,
		notBefore: number,
	): Promise<SentRecord | undefined> {
		const stored = keys.map((key) => this.sentKey(key));
		const text = JSON.stringify(record);
		const earlier = await this.call((fence) =>
			this.redis.claimSent(stored.length, ...stored, fence, text, keepMs, notBefore),
		);
		return earlier ? (JSON.parse(earlier) as SentRecord) : undefined;
	}

	async recallSent(key: string): Promise<SentRecord | undefined> {
		const text = await this.call(() => this.redis.get(this.sentKey(key)));
		return text === null ? undefined : (JSON.parse(text) as SentRecord);
	}

	async rememberSent(keys: readonly string[], record: SentRecord, keepMs: number): Promise<void> {
		const stored = keys.map((key) => this.sentKey(key));
		const text = JSON.stringify(record);
		await this.call((fence) =>
			this.redis.rememberSent(stored.length, ...stored, fence, text, keepMs),
		);
	}

	async releaseSent(keys: readonly string[], token: string): Promise<void> {
		const stored = keys.map((key) => this.sentKey(key));
		await this.call((fence) => this.redis.releaseSent(stored.length, ...stored, fence, token));
	}

	async close(): Promise<void> {
		this.redis.disconnect();
	}
}
