import type { ICredentialDataDecryptedObject, Logger } from 'n8n-workflow';

import { CredentialSettingsError } from '../transport/settings';
import { coordinationStoreFor } from './redisStore';
import type { CoordinationStore } from './store';

export const COORDINATION_FIELD = 'coordinationRedisUrl';
const FIELD_LABEL = 'Coordination Redis URL';

/**
 * The credential's coordination store, or undefined when the field is empty (one process, or
 * pacing per process as before). The URL is checked here so a typo fails naming the field,
 * not later as "Redis did not answer".
 */
export function coordinationFrom(
	credentials: ICredentialDataDecryptedObject,
): CoordinationStore | undefined {
	const raw = credentials[COORDINATION_FIELD];
	const url = typeof raw === 'string' ? raw.trim() : '';
	if (url === '') return undefined;
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
	return coordinationStoreFor(url);
}

let queueModeNoticeGiven = false;

/**
 * In queue mode, several workers run executions for the same account: without a shared store
 * each keeps its own pace, and the account gets each worker's share of messages. Say so once
 * per process, in n8n's log, with the fix.
 */
export function noticeQueueModeWithoutCoordination(logger: Logger, credentialName: string): void {
	if (queueModeNoticeGiven || process.env.EXECUTIONS_MODE !== 'queue') return;
	queueModeNoticeGiven = true;
	logger.warn(
		`WeChat Gateway: n8n runs in queue mode, but the credential "${credentialName}" has no "${FIELD_LABEL}". ` +
			'Each worker paces this account on its own, so together they can send faster than its limits, ' +
			'and a retry on another worker does not know what was already sent. ' +
			`Fix: put your Redis URL (e.g. the one in QUEUE_BULL_REDIS_HOST/PORT, as redis://host:port/0) in "${FIELD_LABEL}" of every WeChat Gateway API credential.`,
	);
}
