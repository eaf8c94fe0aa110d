import type { IRun, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { coordinationFrom } from '../coordination/settings';
import type { CoordinationStore } from '../coordination/store';
import { explainSocketFailure } from '../transport/socketCheck';
import {
	gatewaySocketSettingsFrom,
	socketUrlForLog,
	type GatewaySocketSettings,
} from '../transport/socketSettings';
import {
	DEFAULT_TIMINGS,
	GatewayConnection,
	type ConnectionFailure,
	type ConnectionTimings,
} from './connection';
import { triggerFiltersFrom, type TriggerParameters } from './filters';
import { ExecutionQueue } from './executionQueue';
import { ItemIntake } from './intake';
import { ExecutionData } from './executionData';
import { FrameReceiver, type ReceiverOptions, type TriggerItem } from './receiver';

/** How long another process's emit of an id keeps this one from emitting it (gateways resend on reconnect). */
const SHARED_SIGHTING_KEEP_MS = 6 * 60 * 60 * 1000;

export interface TriggerTuning extends ReceiverOptions {
	timings?: Partial<ConnectionTimings>;
	/** Executions of this workflow the trigger has running at once (default 4). */
	maxInFlight?: number;
	/** Items waiting for an execution beyond which newer ones are dropped. */
	maxQueued?: number;
}

/**
 * What the user is told when the socket fails: for one that never opened, the reason read from
 * a second try of the handshake (the socket itself only says that it failed).
 */
async function connectionError(
	failure: ConnectionFailure,
	settings: GatewaySocketSettings,
	timeoutMs: number,
): Promise<string> {
	const reason = failure.beforeOpen
		? `could not connect to ${socketUrlForLog(settings.webSocketUrl)}: ${await explainSocketFailure(settings, timeoutMs)}`
		: failure.reason;
	const tries =
		failure.failures > 1
			? ` (${failure.failures} attempts in a row failed; it keeps retrying)`
			: '';
	return `WeChat Gateway Trigger: ${reason}${tries}`;
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
	const options = fns.getNodeParameter('options', {}) as TriggerParameters['options'] & {
		downloadMedia?: unknown;
		voiceFormat?: unknown;
	};
	const filters = triggerFiltersFrom({
		events: fns.getNodeParameter('events', ['newMessage']),
		messageKinds: fns.getNodeParameter('messageKinds', []),
		chats: fns.getNodeParameter('chats', 'all'),
		options,
	});
	const itemData = new ExecutionData(
		fns,
		settings,
		options?.downloadMedia === true
			? { voiceFormat: options.voiceFormat === 'wav' ? 'wav' : 'silk' }
			: undefined,
	);
	const receiver = new FrameReceiver(settings.wxid, filters, tuning);
	const logger = fns.logger;
	const executions = new ExecutionQueue<TriggerItem>({
		maxInFlight: tuning.maxInFlight,
		maxQueued: tuning.maxQueued,
		start: async (item) => {
			const data = await itemData.of(item);
			const done = fns.helpers.createDeferredPromise<IRun>();
			// Looked up on every item: for "Listen for test event" n8n replaces emit after activation.
			fns.emit([[data]], undefined, done);
			return await done.promise;
		},
		onError: (error) =>
			logger.warn(
				`WeChat Gateway Trigger: an execution could not run: ${String((error as Error)?.message ?? error).slice(0, 300)}`,
			),
	});
	const intake = new ItemIntake({
		executions,
		seenIds,
		scope: sightingScope,
		keepMs: SHARED_SIGHTING_KEEP_MS,
		forget: (id) => receiver.forget(id),
		log: (level, message) => logger[level](message),
	});

	const connection = new GatewayConnection({
		settings,
		timings: tuning.timings,
		log: (level, message) => logger[level](message),
		onOutage: (failure) => {
			void connectionError(failure, settings, connectTimeoutMs).then((message) => {
				// Looked up when called: n8n replaces emitError for "Listen for test event".
				if (!closed) fns.emitError(new NodeOperationError(fns.getNode(), message));
			});
		},
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
			if (reception.item) intake.accept(reception.item);
		},
	});
	let closed = false;
	const closeFunction = async () => {
		closed = true;
		connection.close();
		intake.close();
		executions.close();
		await itemData.close();
	};
	const connectTimeoutMs = { ...DEFAULT_TIMINGS, ...tuning.timings }.connectTimeoutMs;
	connection.start();
	if (fns.getMode() === 'manual') {
		// "Listen for test event" says at once what is wrong, rather than waiting for a message
		// that cannot come.
		try {
			await connection.firstOpen();
		} catch (failure) {
			await closeFunction();
			throw new NodeOperationError(
				fns.getNode(),
				await connectionError(failure as ConnectionFailure, settings, connectTimeoutMs),
			);
		}
	}

	return {
		closeFunction,
		manualTriggerFunction: async () => {},
	};
}
