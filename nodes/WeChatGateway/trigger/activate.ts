import type { IDataObject, IRun, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { gatewaySocketSettingsFrom } from '../transport/socketSettings';
import { GatewayConnection, type ConnectionTimings } from './connection';
import { triggerFiltersFrom, type TriggerParameters } from './filters';
import { ExecutionQueue } from './executionQueue';
import { FrameReceiver, type ReceiverOptions, type TriggerItem } from './receiver';

export interface TriggerTuning extends ReceiverOptions {
	timings?: Partial<ConnectionTimings>;
	/** Executions of this workflow the trigger has running at once (default 4). */
	maxInFlight?: number;
}

/**
 * Activation: one socket and one receiver for as long as the workflow is active (or, for
 * "Listen for test event", until the first matching frame). Everything the frames carry is
 * untrusted: a frame that fails is logged and skipped, and the socket keeps going.
 */
export async function startTrigger(
	fns: ITriggerFunctions,
	tuning: TriggerTuning = {},
): Promise<ITriggerResponse> {
	const settings = gatewaySocketSettingsFrom(await fns.getCredentials('weChatGatewayApi'));
	const filters = triggerFiltersFrom({
		events: fns.getNodeParameter('events', ['newMessage']),
		messageKinds: fns.getNodeParameter('messageKinds', []),
		chats: fns.getNodeParameter('chats', 'all'),
		options: fns.getNodeParameter('options', {}) as TriggerParameters['options'],
	});
	const receiver = new FrameReceiver(settings.wxid, filters, tuning);
	const logger = fns.logger;
	let warnedFull = false;
	const executions = new ExecutionQueue<TriggerItem>({
		maxInFlight: tuning.maxInFlight,
		start: async (item) => {
			const done = fns.helpers.createDeferredPromise<IRun>();
			// Looked up on every item: for "Listen for test event" n8n replaces emit after activation.
			fns.emit([fns.helpers.returnJsonArray([item as IDataObject])], undefined, done);
			return await done.promise;
		},
		onError: (error) =>
			logger.warn(
				`WeChat Gateway Trigger: an execution could not run: ${String((error as Error)?.message ?? error).slice(0, 300)}`,
			),
	});

	const connection = new GatewayConnection({
		settings,
		timings: tuning.timings,
		log: (level, message) => logger[level](message),
		onFrame: (data) => {
			let reception;
			try {
				reception = receiver.receive(data);
			} catch (error) {
				// A bug must not end the socket: the frame is lost, loudly, and the next one is read.
				logger.error(
					`WeChat Gateway Trigger: could not read a frame: ${(error as Error).message?.slice(0, 300)}`,
				);
				return;
			}
			if (reception.log) logger[reception.log.level](reception.log.message);
			if (reception.item && !executions.push(reception.item) && !warnedFull) {
				warnedFull = true;
				logger.warn(
					`WeChat Gateway Trigger: ${executions.queued} messages are waiting for executions; newer ones are dropped until n8n catches up`,
				);
			}
		},
	});
	connection.start();

	return {
		closeFunction: async () => {
			connection.close();
			executions.close();
		},
		manualTriggerFunction: async () => {},
	};
}
