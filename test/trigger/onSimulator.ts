/**
 * A trigger activated against the media simulator, as the trigger suites that push frames in the
 * real gateway's format use it: the trigger's real WebSocket to the simulator's /ws, the items
 * it emits with their binary data (n8n's default mode: the bytes in the item, as base64), what
 * it logs, and `received(kind)` to push one frame and wait for its item.
 */
import type { IBinaryData, IDataObject } from 'n8n-workflow';

import { startTrigger } from '../../nodes/WeChatGateway/trigger/activate';
import type { FrameKind, MediaSimulator } from '../simulator/api';
import { waitUntil, type SimulatedGatewaySocket } from '../support/gatewaySocket';
import { triggerContext } from './triggerContext';

const FAST = { initialDelayMs: 100, maxDelayMs: 800, connectTimeoutMs: 2_000 };

export interface Emitted {
	json: IDataObject;
	binary?: Record<string, IBinaryData>;
}

export interface ActiveTrigger {
	emitted: Emitted[];
	logs: string[];
	/** Pushes one frame of `kind` and returns the item it became. */
	received(
		kind: FrameKind,
		spec?: Record<string, unknown>,
	): Promise<{
		pushed: ReturnType<MediaSimulator['push']>;
		item: IDataObject;
		binary?: Record<string, IBinaryData>;
	}>;
	/** Deactivates the trigger and waits until its socket is closed. */
	close(): Promise<void>;
}

/** Activates the trigger on `sim` with these node parameters and this credential. */
export async function activateOnSimulator(
	sim: MediaSimulator,
	credentials: IDataObject,
	parameters: Record<string, unknown>,
): Promise<ActiveTrigger> {
	const socket = (sim as unknown as { ws: SimulatedGatewaySocket }).ws;
	const context = triggerContext(credentials);
	const fns = context.fns as unknown as Record<string, unknown> & {
		helpers: Record<string, unknown>;
	};
	const emitted: Emitted[] = [];
	fns.getNodeParameter = (name: string, fallback: unknown) =>
		name in parameters ? parameters[name] : fallback;
	fns.helpers.prepareBinaryData = async (bytes: Buffer, fileName: string, mimeType: string) => ({
		data: bytes.toString('base64'),
		fileName,
		mimeType,
	});
	fns.emit = (data: Emitted[][], _response: unknown, done: { resolve(value: unknown): void }) => {
		emitted.push(...data[0]);
		done.resolve({});
	};
	const opened = socket.stats().opened;
	const response = await startTrigger(context.fns, { timings: FAST });
	await waitUntil('the trigger has its socket', () => socket.stats().opened > opened);
	return {
		emitted,
		logs: context.logs,
		async received(kind, spec = {}) {
			const before = emitted.length;
			const pushed = sim.push(kind, spec);
			expect(pushed.reached).toBe(1);
			const item = await waitUntil(`the ${kind} item`, () => emitted[before]);
			return { pushed, item: item.json, binary: item.binary };
		},
		async close() {
			await response.closeFunction?.();
			await waitUntil('the socket is closed', () => socket.clients === 0);
		},
	};
}
