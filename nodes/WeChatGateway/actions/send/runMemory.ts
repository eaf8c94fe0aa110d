import type { IExecuteFunctions } from 'n8n-workflow';

import { noticeQueueModeWithoutCoordination, storeFor } from '../../coordination/settings';
import { runKey } from '../../coordination/store';
import type { SendContext } from '../../delivery/deliver';
import { retriedExecutionOf } from '../../delivery/earlierSends';
import type { SendOptions } from '../../delivery/options';
import { CREDENTIAL_NAME } from '../../credentialName';
import type { RetryMemory } from './sentSummary';

/**
 * Where this node run paces and remembers what it sent: the credential's coordination store,
 * shared through Redis or kept in this process. The one place the send loop meets coordination.
 */
export interface RunMemory {
	/** For deliver(): the store, the run's identity and the cross-execution scope. */
	context: Pick<SendContext, 'store' | 'run' | 'executions'>;
	/** What the failure summary says about a retry. */
	retryMemory: RetryMemory;
	/** The run is over (n8n will not run the node again): its ledger can let it go. */
	release(): Promise<void>;
}

export async function openRunMemory(
	context: IExecuteFunctions,
	options: SendOptions,
): Promise<RunMemory> {
	const node = context.getNode();
	const store = storeFor(await context.getCredentials(CREDENTIAL_NAME));
	if (!store.shared)
		noticeQueueModeWithoutCoordination(
			context.logger,
			node.credentials?.[CREDENTIAL_NAME]?.name ?? CREDENTIAL_NAME,
		);
	const retryMemory: RetryMemory = store.shared
		? 'shared'
		: process.env.EXECUTIONS_MODE === 'queue'
			? 'worker'
			: 'process';
	const executionId = context.getExecutionId();
	const runIndex = Number(context.getWorkflowDataProxy(0).$runIndex ?? 0);
	const run = executionId ? runKey({ executionId, nodeName: node.name, runIndex }) : undefined;
	const mode = context.getMode();
	const retried = retriedExecutionOf(context);
	return {
		retryMemory,
		context: {
			store,
			run,
			executions: {
				windowMs: options.skipDuplicatesWithin * 60_000,
				executionId: executionId ?? '',
				workflowId: context.getWorkflow().id ?? '',
				nodeName: node.name,
				retry: mode === 'retry',
				retryOf: mode === 'retry' ? retried.retryOf : undefined,
				retryOfReachable: retried.reachable,
			},
		},
		release: async () => {
			if (run) await store.forgetRun(run).catch(() => undefined);
		},
	};
}
