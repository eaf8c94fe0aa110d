import type { ICredentialDataDecryptedObject, Logger } from 'n8n-workflow';

import { CredentialSettingsError } from '../transport/settings';
import { InProcessStore } from './inProcessStore';
import { RedisStore } from './redisStore';
import type { CoordinationStore } from './store';

export const COORDINATION_FIELD = 'coordinationRedisUrl';
const FIELD_LABEL = 'Coordination Redis URL';

/** The credential's Redis URL, checked, or undefined when the field is empty. */
function redisUrlOf(credentials: ICredentialDataDecryptedObject): string | undefined {
	const raw = credentials[COORDINATION_FIELD];
	const url = typeof raw === 'string' ? raw.trim() : '';
	if (url === '') return undefined;
	// Checked here so a typo fails naming the field, not later as "Redis did not answer".
	if (!URL.canParse(url))
		throw new CredentialSettingsError(
			FIELD_LABEL,
			`"${FIELD_LABEL}" is not a URL (expected e.g. redis://127.0.0.1:6379/0)`,
		);
	const parsed = new URL(url);
	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
		throw new CredentialSettingsError(
			FIELD_LABEL,
			`"${FIELD_LABEL}" must start with redis:// or rediss://, not ${parsed.protocol}//`,
		);
	if (!/^\/?\d*$/.test(parsed.pathname))
		throw new CredentialSettingsError(
			FIELD_LABEL,
			`"${FIELD_LABEL}" may end only with a database number, e.g. redis://127.0.0.1:6379/0`,
		);
	return url;
}

/**
 * The stores of one process: the in-process one, and one Redis connection per URL shared by
 * every execution (a worker running many executions for many accounts keeps one connection,
 * not one per item).
 */
export class ProcessStores {
	readonly inProcess = new InProcessStore();
	private readonly redis = new Map<string, RedisStore>();
	private queueModeNoticeGiven = false;

	/** The one place a store is chosen: Redis when the credential names one, else this process. */
	for(credentials: ICredentialDataDecryptedObject): CoordinationStore {
		const url = redisUrlOf(credentials);
		if (url === undefined) return this.inProcess;
		let store = this.redis.get(url);
		if (!store) {
			store = new RedisStore(url);
			this.redis.set(url, store);
		}
		return store;
	}

	/**
	 * In queue mode, several workers run executions for the same account: without a shared store
	 * each keeps its own pace, and the account gets each worker's share of messages. Say so once
	 * per process, in n8n's log, with the fix.
	 */
	noticeQueueModeWithoutCoordination(logger: Logger, credentialName: string): void {
		if (this.queueModeNoticeGiven || process.env.EXECUTIONS_MODE !== 'queue') return;
		this.queueModeNoticeGiven = true;
		logger.warn(
			`WeChat Gateway: n8n runs in queue mode, but the credential "${credentialName}" has no "${FIELD_LABEL}". ` +
				'Each worker paces this account on its own, so together they can send faster than its limits, ' +
				'and a retry on another worker does not know what was already sent. ' +
				`Fix: put your Redis URL (e.g. the one in QUEUE_BULL_REDIS_HOST/PORT, as redis://host:port/0) in "${FIELD_LABEL}" of every WeChat Gateway API credential.`,
		);
	}

	async close(): Promise<void> {
		const stores = [...this.redis.values()];
		this.redis.clear();
		await Promise.all(stores.map((store) => store.close()));
	}
}

/**
 * This process's stores. n8n gives a node no process-wide place of its own, and pacing must
 * hold across every execution in the process, so the one instance lives here.
 */
let current = new ProcessStores();

export function processStores(): ProcessStores {
	return current;
}

/** The coordination store for a credential (see ProcessStores.for). */
export function storeFor(credentials: ICredentialDataDecryptedObject): CoordinationStore {
	return current.for(credentials);
}

/** The credential's shared store, or undefined when it names none (the trigger's sightings). */
export function coordinationFrom(
	credentials: ICredentialDataDecryptedObject,
): CoordinationStore | undefined {
	const store = current.for(credentials);
	return store.shared ? store : undefined;
}

export function noticeQueueModeWithoutCoordination(logger: Logger, credentialName: string): void {
	current.noticeQueueModeWithoutCoordination(logger, credentialName);
}

/**
 * For tests: this process starts over with fresh stores, as a new worker would; the old ones'
 * Redis connections are closed. Returns the fresh stores.
 */
export function freshProcessStores(): ProcessStores {
	void current.close();
	current = new ProcessStores();
	return current;
}
