/**
 * The Lua scripts the Redis store runs. Every script that writes starts with FENCE: its first
 * argument is the moment (on Redis's clock) after which the caller no longer waits for it. A
 * command that reaches Redis later than that (Redis was paused, or the network held it) writes
 * nothing, so a call that has failed for the node can never take effect afterwards.
 */
const FENCE = `
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if now > tonumber(ARGV[1]) then return redis.error_reply('LATE the caller stopped waiting') end
`;

/**
 * One reservation, atomically, on Redis's clock (so processes on machines whose clocks differ
 * still agree): the account's next free moment and the recipients it messaged in the last
 * minute decide when this message may go; the moment after it (interval plus jitter) and this
 * recipient are written back before any other reservation can run.
 * Returns { wait from now, the next free moment written, the one it replaced, the turn's moment,
 * what it did to the window: this recipient's earlier moment ('' when it had none) and the
 * recipient it evicted with its moment (empty when none) }, so that a turn given back can be
 * undone whole.
 */
const RESERVE_TURN = `${FENCE}
local interval = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local jitter = tonumber(ARGV[4])
local recipient = ARGV[5]
local minute = tonumber(ARGV[6])
local before = redis.call('GET', KEYS[1]) or '0'
local at = math.max(now, tonumber(before))
local previous = ''
local evicted = {}
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', at - minute)
  previous = redis.call('ZSCORE', KEYS[2], recipient) or ''
  if previous == '' and redis.call('ZCARD', KEYS[2]) >= limit then
    evicted = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    at = math.max(at, tonumber(evicted[2]) + minute)
    redis.call('ZREM', KEYS[2], evicted[1])
  end
  redis.call('ZADD', KEYS[2], at, recipient)
  redis.call('PEXPIRE', KEYS[2], at - now + minute)
end
local nextFree = at + interval + jitter
redis.call('SET', KEYS[1], tostring(nextFree), 'PX', nextFree - now + minute)
return { at - now, tostring(nextFree), before, tostring(at), previous, evicted }
`;

/**
 * Hands a turn back when nobody reserved after it (the next free moment is still ours): the
 * next free moment it replaced comes back, and so does the recipients window (ARGV[4] '1' when
 * the turn entered it): this recipient's earlier moment, or none, and the recipient it evicted.
 * Anything the reservation cleaned out of the window had aged out for every later one as well.
 */
const GIVE_BACK_TURN = `${FENCE}
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '0' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL') end
if ARGV[4] == '1' then
  if ARGV[6] == '' then redis.call('ZREM', KEYS[2], ARGV[5]) else redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5]) end
  if ARGV[8] ~= '' then redis.call('ZADD', KEYS[2], ARGV[8], ARGV[7]) end
  local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  if newest[2] then redis.call('PEXPIRE', KEYS[2], math.max(1, tonumber(newest[2]) - now + tonumber(ARGV[9]))) end
end
return 1
`;

/**
 * Claims a message for sending unless the first key already holds one written at or after
 * ARGV[4]: then returns that entry and writes nothing. Otherwise writes ARGV[2] under every key.
 */
const CLAIM_SENT = `${FENCE}
local earlier = redis.call('GET', KEYS[1])
if earlier and tonumber(cjson.decode(earlier).at) >= tonumber(ARGV[4]) then return earlier end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[2], 'PX', ARGV[3]) end
return false
`;

/** Writes ARGV[2] under every key for ARGV[3] ms, replacing what is there. */
const REMEMBER_SENT = `${FENCE}
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[2], 'PX', ARGV[3]) end
return 1
`;

/** Takes back the entries that one attempt (ARGV[2], its token) wrote, and no others. */
const RELEASE_SENT = `${FENCE}
for _, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if held and cjson.decode(held).token == ARGV[2] then redis.call('DEL', key) end
end
return 1
`;

/** One entry of a run's ledger, and the run's expiry renewed, as one command (so it is bounded). */
const RECORD_ENTRY = `${FENCE}
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

const FORGET_ENTRY = `${FENCE}
return redis.call('HDEL', KEYS[1], ARGV[2])
`;

const FORGET_RUN = `${FENCE}
return redis.call('DEL', KEYS[1])
`;

/** 1 when this caller is the first to see the id within ARGV[2] ms. */
const FIRST_SIGHTING = `${FENCE}
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[2], 'NX') then return 1 end
return 0
`;

/** Each script, with how many keys it takes (undefined: the count is passed first). */
export const SCRIPTS = {
	reserveTurn: { numberOfKeys: 2, lua: RESERVE_TURN },
	giveBackTurn: { numberOfKeys: 2, lua: GIVE_BACK_TURN },
	claimSent: { numberOfKeys: undefined, lua: CLAIM_SENT },
	rememberSent: { numberOfKeys: undefined, lua: REMEMBER_SENT },
	releaseSent: { numberOfKeys: undefined, lua: RELEASE_SENT },
	recordEntry: { numberOfKeys: 1, lua: RECORD_ENTRY },
	forgetEntry: { numberOfKeys: 1, lua: FORGET_ENTRY },
	forgetRun: { numberOfKeys: 1, lua: FORGET_RUN },
	firstSighting: { numberOfKeys: 1, lua: FIRST_SIGHTING },
} as const;

type Arg = string | number;

/** The scripts as ioredis commands: keys first (or their count, then keys), then the fence, then the rest. */
export interface ScriptCommands {
	reserveTurn(
		...keysThenArgs: Arg[]
	): Promise<[number, string, string, string, string, [string, string] | []]>;
	giveBackTurn(...keysThenArgs: Arg[]): Promise<number>;
	claimSent(keyCount: number, ...keysThenArgs: Arg[]): Promise<string | null>;
	rememberSent(keyCount: number, ...keysThenArgs: Arg[]): Promise<number>;
	releaseSent(keyCount: number, ...keysThenArgs: Arg[]): Promise<number>;
	recordEntry(...keysThenArgs: Arg[]): Promise<number>;
	forgetEntry(...keysThenArgs: Arg[]): Promise<number>;
	forgetRun(...keysThenArgs: Arg[]): Promise<number>;
	firstSighting(...keysThenArgs: Arg[]): Promise<number>;
}

/** The oldest Redis the scripts run on: GIVE_BACK_TURN's KEEPTTL came in 6.0. */
export const MIN_REDIS_VERSION = [6, 0] as const;

/** The error, or undefined, for the `redis_version` INFO reported. */
export function unsupportedVersion(version: string | undefined): string | undefined {
	const [major, minor] = (version ?? '').split('.').map(Number);
	if (!Number.isFinite(major) || !Number.isFinite(minor))
		return `it did not report its version (INFO server has no usable redis_version: "${version ?? ''}"); this node needs Redis ${MIN_REDIS_VERSION.join('.')} or later`;
	const [needMajor, needMinor] = MIN_REDIS_VERSION;
	if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
	return `it is Redis ${version}, and this node needs Redis ${MIN_REDIS_VERSION.join('.')} or later`;
}
