import type { IDataObject, IRun, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { coordinationFrom } from '../coordination/settings';
import type { CoordinationStore } from '../coordination/store';
import { gatewaySocketSettingsFrom } from '../transport/socketSettings';
import { GatewayConnection, type ConnectionTimings } from './connection';
import { triggerFiltersFrom, type TriggerParameters } from './filters';
import { ExecutionQueue } from './executionQueue';
import { FrameReceiver, type ReceiverOptions, type TriggerItem } from './receiver';

/** How long another process's emit of an id keeps this one from emitting it (gateways resend on reconnect). */
const SHARED_SIGHTING_KEEP_MS = 6 * 60 * 60 * 1000;

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
	const credentials = await fns.getCredentials('weChatGatewayApi');
	const settings = gatewaySocketSettingsFrom(credentials);
	// Shared only when the workflow is active: "Listen for test event" must not take a message
	// away from the active workflow that also receives it.
	const seenIds: CoordinationStore | undefined =
		fns.getMode() === 'manual' ? undefined : coordinationFrom(credentials);
	const sightingScope = [
		settings.accountKey ?? settings.wxid,
		fns.getWorkflow().id ?? '',
		fns.getNode().name,
	].join('\u0000');
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
			const { item } = reception;
			if (!item) return;
			if (!seenIds || typeof item.newMsgId !== 'string') return enqueue(item);
			// One after another, so items keep the socket's order while each asks the store.
			sightings = sightings.then(async () => {
				const first = await seenIds
					.firstSighting(sightingScope, item.newMsgId as string, SHARED_SIGHTING_KEEP_MS)
					.catch((error: unknown) => {
						// This process's own memory still holds; a store outage must not lose messages.
						logger.warn(
							`WeChat Gateway Trigger: the coordination store did not answer (${String((error as Error)?.message ?? error).slice(0, 200)}); message ${String(item.newMsgId)} is emitted without asking other processes`,
						);
						return true;
					});
				if (first) enqueue(item);
				else
					logger.debug(
						`WeChat Gateway Trigger: message ${String(item.newMsgId)} was already emitted by another n8n process`,
					);
			});
		},
	});
	let sightings: Promise<void> = Promise.resolve();
	const enqueue = (item: TriggerItem) => {
		if (!executions.push(item) && !warnedFull) {
			warnedFull = true;
			logger.warn(
				`WeChat Gateway Trigger: ${executions.queued} messages are waiting for executions; newer ones are dropped until n8n catches up`,
			);
		}
	};
	connection.start();

	return {
		closeFunction: async () => {
			connection.close();
			executions.close();
		},
		manualTriggerFunction: async () => {},
	};
}
