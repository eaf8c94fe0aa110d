/**
 * The gateway simulator with the parts the reliability tests use beyond the shared typing:
 * precise receive times, TLS, connection faults and per-call connection closing.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulatorModule = require('../../gateway/simulator') as {
	startGatewaySimulator(options?: SimulatorOptions): Promise<Simulator>;
};

export type FaultRule = Record<string, unknown> & { action: string; toUserName?: string; nth?: number; times?: number };

export interface SimulatorOptions {
	accounts?: string[];
	authHeader?: { name: string; value: string };
	latencyMs?: number;
	faults?: FaultRule[];
	tls?: { key: string | Buffer; cert: string | Buffer };
	keepAlive?: boolean;
	port?: number;
}

export interface SimMessage {
	callNumber: number;
	receivedAt: number;
	sentAt: number;
	wxid: string;
	toUserName: string;
	type: number;
	appMsgXml: string;
	newMsgId: string;
	clientMsgId: string;
}

export interface SimCall {
	callNumber: number;
	receivedAt: number;
	toUserName?: string;
	body: string;
	headers: Record<string, string | string[] | undefined>;
	ret?: number;
	errMsg?: string;
	fault?: string;
	newMsgId?: string;
}

export interface Simulator {
	url: string;
	port: number;
	messages: SimMessage[];
	calls: SimCall[];
	stats(): { connections: number; gatewayCalls: number; sent: number; rejected: number; droppedConnections: number };
	reset(): void;
	addFault(rule: FaultRule): void;
	clearFaults(): void;
	setLatency(ms: number): void;
	close(): Promise<void>;
}

export const startSimulator = simulatorModule.startGatewaySimulator;

/** A self-signed certificate for 127.0.0.1, for test servers only (valid until 2125). */
export const TEST_TLS = {
	key: readFileSync(path.join(__dirname, '../fixtures/localhost.key.pem')),
	cert: readFileSync(path.join(__dirname, '../fixtures/localhost.cert.pem')),
};

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` is true, polling; fails after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await sleep(5);
	}
}
