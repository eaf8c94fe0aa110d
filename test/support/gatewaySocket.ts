/** Typed access to the simulator's WebSocket side (simulator/socket.js, simulator/frames.js). */
import { type Simulator, type SimulatorOptions, startSimulator } from './simulators';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const framesModule = require('../../simulator/frames') as {
	frameText(spec: FrameSpec): string;
	samples(account: string): Record<string, { message: MessageSpec; withExt?: boolean }>;
	hostileFrames(account: string, nextId: () => string): Array<{ what: string; text: string }>;
	FIRST_PUSHED_ID: bigint;
	GROUP: string;
	FRIEND: string;
	MEMBER: string;
};

export interface MessageSpec {
	fromUserName?: string;
	toUserName?: string;
	msgType?: number;
	content?: string;
	msgSource?: string;
	pushContent?: string;
	actionUserName?: string;
	actionNickName?: string;
	createTime?: number;
	msgId?: number;
}

export interface FrameSpec {
	account: string;
	newMsgId: bigint | string;
	withExt?: boolean;
	eventName?: string;
	message?: MessageSpec;
	currentWxid?: string | null;
	data?: Record<string, unknown>;
}

export interface InjectSpec {
	account?: string;
	sample?: string;
	message?: MessageSpec;
	withExt?: boolean;
	newMsgId?: string;
	eventName?: string;
	currentWxid?: string | null;
	data?: Record<string, unknown>;
}

export interface SocketStats {
	upgrades: number;
	refused: number;
	opened: number;
	closed: number;
	pushed: number;
	pings: number;
	clients: number;
	refusing: number;
	attempts: Array<{ at: number; status: number }>;
}

export interface SimulatedGatewaySocket {
	push(text: string): number;
	inject(spec?: InjectSpec): { newMsgId: string; reached: number };
	burst(spec: InjectSpec & { count: number }): {
		count: number;
		firstId: string;
		lastId: string;
		ids: string[];
	};
	hostile(spec?: { account?: string }): Array<{ what: string; chars: number }>;
	drop(): number;
	stall(): number;
	refuse(count?: number): void;
	accept(): void;
	stats(): SocketStats;
	readonly clients: number;
}

export type SocketSimulator = Simulator & { ws: SimulatedGatewaySocket };

export async function startSocketSimulator(
	options: SimulatorOptions = {},
): Promise<SocketSimulator> {
	return (await startSimulator(options)) as SocketSimulator;
}

export const { frameText, samples, hostileFrames, FIRST_PUSHED_ID, GROUP, FRIEND, MEMBER } =
	framesModule;

/** Polls until `check` returns a truthy value, or fails naming what it waited for. */
export async function waitUntil<T>(
	what: string,
	check: () => T | undefined | false,
	timeoutMs = 10_000,
): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = check();
		if (value) return value;
		if (Date.now() - started > timeoutMs)
			throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
