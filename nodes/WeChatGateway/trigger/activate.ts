import type { IDataObject, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { gatewaySocketSettingsFrom } from '../transport/socketSettings';
import { GatewayConnection, type ConnectionTimings } from './connection';
import { triggerFiltersFrom, type TriggerParameters } from './filters';
import { FrameReceiver, type ReceiverOptions } from './receiver';

export interface TriggerTuning extends ReceiverOptions {
	timings?: Partial<ConnectionTimings>;
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
			// Looked up on every frame: for "Listen for test event" n8n replaces emit after activation.
			if (reception.item) fns.emit([fns.helpers.returnJsonArray([reception.item as IDataObject])]);
		},
	});
	connection.start();

	return {
		closeFunction: async () => connection.close(),
		manualTriggerFunction: async () => {},
	};
}
