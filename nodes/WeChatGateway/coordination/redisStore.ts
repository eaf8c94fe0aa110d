import { createHash } from 'node:crypto';

import Redis, { type RedisOptions } from 'ioredis';

import type { PacingPolicy } from '../delivery/pacer';
import type { LedgerEntry } from '../delivery/sentLedger';
import { GatewayError } from '../transport/errors';
import {
	CoordinationUnavailableError,
	type CoordinationStore,
	type PaceReservation,
	type SentMessage,
} from './store';

const MINUTE = 60_000;
/** As the in-process ledger: far beyond Retry On Fail's 5 tries of at most 5 s. */
const LEDGER_KEEP_MS = 60 * 60 * 1000;
const NAMESPACE = 'n8n-nodes-wechat-gateway';

/**
 * One reservation, atomically, on Redis's clock (so processes on machines whose clocks differ
 * still agree): the account's next free moment and the recipients it messaged in the last
 * minute decide when this message may go; the moment after it (interval plus jitter) and this
 * recipient are written back before any other reservation can run.
 * Returns { wait from now, the next free moment written, the one it replaced, the turn's moment }.
 */
const RESERVE_TURN = `
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local jitter = tonumber(ARGV[3])
local recipient = ARGV[4]
local minute = tonumber(ARGV[5])
local before = redis.call('GET', KEYS[1]) or '0'
local at = math.max(now, tonumber(before))
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', at - minute)
  if not redis.call('ZSCORE', KEYS[2], recipient) and redis.call('ZCARD', KEYS[2]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    at = math.max(at, tonumber(oldest[2]) + minute)
    redis.call('ZREM', KEYS[2], oldest[1])
  end
  redis.call('ZADD', KEYS[2], at, recipient)
  redis.call('PEXPIRE', KEYS[2], at - now + minute)
end
local nextFree = at + interval + jitter
redis.call('SET', KEYS[1], tostring(nextFree), 'PX', nextFree - now + minute)
return { at - now, tostring(nextFree), before, tostring(at) }
`;

/** Hands a turn back when nobody reserved after it: the next free moment is still ours. */
const GIVE_BACK_TURN = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end
return 1
`;

/**
 * Claims a message for sending unless the first key already holds one written at or after
 * ARGV[3]: then returns that entry and writes nothing. Otherwise writes ARGV[1] under every key.
 */
const CLAIM_SENT = `
local earlier = redis.call('GET', KEYS[1])
if earlier and tonumber(cjson.decode(earlier).at) >= tonumber(ARGV[3]) then return earlier end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return false
`;

/** Takes back the entries that one attempt (ARGV[1], its token) wrote, and no others. */
const RELEASE_SENT = `
for _, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if held and cjson.decode(held).token == ARGV[1] then redis.call('DEL', key) end
end
return 1
`;

interface SentCommands {
	claimSent(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<string | null>;
	releaseSent(keyCount: number, ...keysThenToken: string[]): Promise<number>;
}

/** One entry of a run's ledger, and the run's expiry renewed, as one command (so it is bounded). */
const RECORD_ENTRY = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

interface TurnCommands {
	reserveTurn(
		nextFreeKey: string,
		recipientsKey: string,
		intervalMs: number,
		limit: number,
		jitterMs: number,
		recipient: string,
		minuteMs: number,
	): Promise<[number, string, string, string]>;
	giveBackTurn(nextFreeKey: string, reservedUntil: string, before: string): Promise<number>;
	recordEntry(runKey: string, slot: string, entry: string, keepMs: number): Promise<number>;
}

type StoredEntry =
	| { state: 'sent'; result: Record<string, unknown> }
	| {
			state: 'uncertain';
			error: { reason: GatewayError['reason']; message: string; details: GatewayError['details'] };
	  };

function hashed(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function slot(itemIndex: number, recipient: string): string {
	return `${itemIndex}\u0000${recipient}`;
}

function toStored(entry: LedgerEntry): StoredEntry {
	if (entry.state === 'sent') return entry;
	const { reason, message, details } = entry.error;
	return { state: 'uncertain', error: { reason, message, details } };
}

function fromStored(text: string): LedgerEntry {
	const stored = JSON.parse(text) as StoredEntry;
	if (stored.state === 'sent') return stored;
	const { reason, message, details } = stored.error;
	return { state: 'uncertain', error: new GatewayError(reason, message, 'unknown', details) };
}

/** host:port/db of a Redis URL, never its user name or password. */
export function describeRedisUrl(url: string): string {
	try {
		const parsed = new URL(url);
		const db = parsed.pathname.replace(/^\/+/, '') || '0';
		return `Redis at ${parsed.hostname}:${parsed.port || '6379'}/${db}`;
	} catch {
		return 'Redis';
	}
}

export interface RedisStoreOptions {
	/** How long one call may wait for Redis (also while it reconnects) before the item fails. */
	answerWithinMs?: number;
	random?: () => number;
	/** The recipients window; a minute, shorter only in tests. */
	windowMs?: number;
}

export class RedisCoordinationStore implements CoordinationStore {
	readonly description: string;
	private readonly redis: Redis & TurnCommands & SentCommands;
	private readonly random: () => number;
	private readonly windowMs: number;
	private readonly answerWithinMs: number;

	constructor(url: string, options: RedisStoreOptions = {}) {
		this.description = describeRedisUrl(url);
		this.random = options.random ?? Math.random;
		this.windowMs = options.windowMs ?? MINUTE;
		const answerWithinMs = options.answerWithinMs ?? 5000;
		this.answerWithinMs = answerWithinMs;
		const redisOptions: RedisOptions = {
			lazyConnect: true,
			connectTimeout: Math.min(answerWithinMs, 3000),
			// Every call is bounded, also while it waits for a reconnection in the offline queue.
			commandTimeout: answerWithinMs,
			maxRetriesPerRequest: null,
			// A command cut off mid-way is failed, not sent again on the next connection: the
			// caller decides (a reservation is then taken again, and nothing is sent without one).
			autoResendUnfulfilledCommands: false,
			retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
			connectionName: 'n8n-nodes-wechat-gateway',
		};
		this.redis = new Redis(url, redisOptions) as Redis & TurnCommands & SentCommands;
		// Connection errors surface through the calls that need Redis; ioredis would otherwise
		// print every failed reconnection attempt.
		this.redis.on('error', () => undefined);
		this.redis.defineCommand('reserveTurn', { numberOfKeys: 2, lua: RESERVE_TURN });
		this.redis.defineCommand('giveBackTurn', { numberOfKeys: 1, lua: GIVE_BACK_TURN });
		// The number of keys varies (one per way of finding a message), so it is passed first.
		this.redis.defineCommand('claimSent', { lua: CLAIM_SENT });
		this.redis.defineCommand('releaseSent', { lua: RELEASE_SENT });
		this.redis.defineCommand('recordEntry', { numberOfKeys: 1, lua: RECORD_ENTRY });
	}

	private async call<T>(work: () => Promise<T>): Promise<T> {
		let reason: string;
		try {
			if (this.redis.status === 'wait') await this.redis.connect().catch(() => undefined);
			// ioredis bounds each command (commandTimeout); this bounds the whole call as well, so
			// no path through the client can wait longer than promised.
			let timer: NodeJS.Timeout | undefined;
			const late = new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error('Command timed out')), this.answerWithinMs + 250);
			});
			try {
				return await Promise.race([work(), late]);
			} finally {
				clearTimeout(timer);
			}
		} catch (error) {
			reason = error instanceof Error ? error.message : String(error);
		}
		throw new CoordinationUnavailableError(this.description, reason);
	}

	async reserve(
		account: string,
		recipient: string,
		policy: PacingPolicy,
	): Promise<PaceReservation> {
		const tag = `${NAMESPACE}:{pace:${hashed(account)}}`;
		const nextFreeKey = `${tag}:next`;
		const jitterMs = Math.floor(policy.intervalMs * (policy.jitterRatio ?? 0.3) * this.random());
		const [waitMs, reservedUntil, before, turnAt] = await this.call(() =>
			this.redis.reserveTurn(
				nextFreeKey,
				`${tag}:recipients`,
				policy.intervalMs,
				policy.maxRecipientsPerMinute,
				jitterMs,
				recipient,
				this.windowMs,
			),
		);
		return {
			waitMs: Number(waitMs),
			turnAt: Number(turnAt),
			giveBack: async () => {
				await this.call(() => this.redis.giveBackTurn(nextFreeKey, reservedUntil, before));
			},
		};
	}

	private ledgerKey(run: string): string {
		return `${NAMESPACE}:ledger:${hashed(run)}`;
	}

	async lookup(run: string, itemIndex: number, recipient: string) {
		const text = await this.call(() =>
			this.redis.hget(this.ledgerKey(run), slot(itemIndex, recipient)),
		);
		return text === null ? undefined : fromStored(text);
	}

	async record(run: string, itemIndex: number, recipient: string, entry: LedgerEntry) {
		const key = this.ledgerKey(run);
		await this.call(() =>
			this.redis.recordEntry(
				key,
				slot(itemIndex, recipient),
				JSON.stringify(toStored(entry)),
				LEDGER_KEEP_MS,
			),
		);
	}

	async forgetMessage(run: string, itemIndex: number, recipient: string) {
		await this.call(() => this.redis.hdel(this.ledgerKey(run), slot(itemIndex, recipient)));
	}

	async forget(run: string) {
		await this.call(() => this.redis.del(this.ledgerKey(run)));
	}

	async firstSighting(scope: string, id: string, keepMs: number): Promise<boolean> {
		const key = `${NAMESPACE}:seen:${hashed(scope)}:${id}`;
		const answer = await this.call(() => this.redis.set(key, '1', 'PX', keepMs, 'NX'));
		return answer === 'OK';
	}

	private sentKey(key: string): string {
		return `${NAMESPACE}:sent:${hashed(key)}`;
	}

	async claimSent(
		keys: readonly string[],
		entry: SentMessage,
		keepMs: number,
		notBefore: number,
	): Promise<SentMessage | undefined> {
		const stored = keys.map((key) => this.sentKey(key));
		const earlier = await this.call(() =>
			this.redis.claimSent(stored.length, ...stored, JSON.stringify(entry), keepMs, notBefore),
		);
		return earlier ? (JSON.parse(earlier) as SentMessage) : undefined;
	}

	async recallSent(key: string): Promise<SentMessage | undefined> {
		const text = await this.call(() => this.redis.get(this.sentKey(key)));
		return text === null ? undefined : (JSON.parse(text) as SentMessage);
	}

	async rememberSent(keys: readonly string[], entry: SentMessage, keepMs: number): Promise<void> {
		const text = JSON.stringify(entry);
		await this.call(() => {
			const batch = this.redis.multi();
			for (const key of keys) batch.set(this.sentKey(key), text, 'PX', keepMs);
			return batch.exec();
		});
	}

	async releaseSent(keys: readonly string[], token: string): Promise<void> {
		const stored = keys.map((key) => this.sentKey(key));
		await this.call(() => this.redis.releaseSent(stored.length, ...stored, token));
	}

	async close(): Promise<void> {
		this.redis.disconnect();
	}
}

const shared = new Map<string, RedisCoordinationStore>();

/**
 * One connection per Redis URL and process, shared by every execution: a worker running many
 * executions for many accounts keeps one connection, not one per item.
 */
export function coordinationStoreFor(url: string): RedisCoordinationStore {
	let store = shared.get(url);
	if (!store) {
		store = new RedisCoordinationStore(url);
		shared.set(url, store);
	}
	return store;
}

/** For tests: close every shared connection. */
export async function closeCoordinationStores(): Promise<void> {
	const stores = [...shared.values()];
	shared.clear();
	await Promise.all(stores.map((store) => store.close()));
}
