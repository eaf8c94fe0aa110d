/**
 * A redis-server of the suite's own (Debian's, started by scripts/lib/services.js on a free port), and what
 * a test needs to act as a second process that shares only Redis with the first.
 */
import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';
import { startFresh } from './simulators';

export interface RedisServer {
	port: number;
	url: string;
	/** Starts it again on the same port, its data kept (after stop()). */
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Freezes the process (SIGSTOP): its sockets stay open and unanswered until resume(). */
	pause(): void;
	resume(): void;
	remove(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../scripts/lib/services') as { startRedis(): Promise<RedisServer> };

export const startRedis = (): Promise<RedisServer> => services.startRedis();

/**
 * One redis-server for the suite: started before its tests, removed after them, with the node's
 * own connections to it closed first. The returned record is filled in before the first test.
 */
export function useRedis(): { server: RedisServer } {
	const redis = {} as { server: RedisServer };
	beforeAll(async () => {
		redis.server = await startRedis();
	});
	afterAll(async () => {
		freshProcessStores();
		await redis.server?.remove();
	});
	return redis;
}

/**
 * Everything this process remembers (pacing, the sent ledger, the sent messages, its Redis
 * connections) is gone, as for an execution on another worker: only what is in Redis is left.
 */
export async function asAnotherProcess(): Promise<void> {
	startFresh();
}
