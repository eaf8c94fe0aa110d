/**
 * The gateway simulator for the tests: its typing (it is plain JS, so `npm run gateway` needs no
 * build), a suite's simulators started, fresh before each test and closed, the simulator in a
 * process of its own, TLS, ports and polling.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { setClientGraceMs } from './node';
import { freshProcessStores } from '../../nodes/WeChatGateway/coordination/settings';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulatorModule = require('../../simulator/gateway') as {
	startGatewaySimulator(options?: SimulatorOptions): Promise<Simulator>;
	FIRST_MSG_ID: bigint;
	DEFAULT_MAX_TEXT_CHARS: number;
};

export interface SimulatorOptions {
	accounts?: string[];
	authHeader?: { name: string; value: string };
	latencyMs?: number;
	faults?: FaultRule[];
	firstMsgId?: bigint | string;
	logFile?: string;
	tls?: { key: string | Buffer; cert: string | Buffer };
	keepAlive?: boolean;
	port?: number;
	/** Where to listen; 127.0.0.1 unless given (:: for both IPv4 and IPv6). */
	host?: string;
	textResponseShape?: TextResponseShape;
	maxTextChars?: number;
	commandResponses?: Record<string, string>;
	/** Check and answer cgi 110, 127, 175, 179, 182, 594 and 849 as the gateway does. */
	modelCommands?: boolean;
	/** Where /v2/cdndownload writes (default: a temporary folder, removed on close). */
	mediaFolder?: string;
}

/** How the simulator's cgi 522 answer names the ids: flat NewMsgId, a list of results, or none. */
export type TextResponseShape = 'flat' | 'list' | 'none';

export interface CommandSettings {
	textResponseShape?: TextResponseShape;
	maxTextChars?: number;
	/** cgi number -> ResponseData JSON text (null: back to the echo answer). */
	responses?: Record<string, string | null>;
}

export type FaultRule = Record<string, unknown> & {
	action: string;
	toUserName?: string;
	nth?: number;
	times?: number;
};

export interface SimMessage {
	at: string;
	callNumber: number;
	/** Milliseconds (fractional, performance clock) when the request arrived and was accepted. */
	receivedAt: number;
	sentAt: number;
	wxid: string;
	timeout: string;
	toUserName: string;
	/** 222 for app messages, 522 for texts, the command's number otherwise. */
	cgiCmd: number;
	/** App messages (cgi 222). */
	type: number;
	appMsgXml: string;
	newMsgId: string;
	clientMsgId: string;
	/** Texts (cgi 522): MsgType 1, the Content and the AtUsers wxids. */
	msgType?: number;
	content?: string;
	atUsers?: string[];
	responseShape?: TextResponseShape;
	/** Other commands: the CgiRequest exactly as it arrived. */
	request?: string;
}

export interface SimCall {
	callNumber: number;
	receivedAt: number;
	newMsgId?: string;
	query: Record<string, string>;
	toUserName?: string;
	body: string;
	headers: Record<string, string | string[] | undefined>;
	ret?: number;
	errMsg?: string;
	fault?: string;
}

export interface Simulator {
	url: string;
	port: number;
	messages: SimMessage[];
	calls: SimCall[];
	stats(): {
		connections: number;
		gatewayCalls: number;
		sent: number;
		rejected: number;
		droppedConnections: number;
	};
	reset(): void;
	addFault(rule: FaultRule): void;
	clearFaults(): void;
	setLatency(ms: number): void;
	configureCommands(settings: CommandSettings): Required<Omit<CommandSettings, 'responses'>> & {
		responses: Record<string, string>;
	};
	deliveries(): Map<string, number>;
	close(): Promise<void>;
}

export const startSimulator = simulatorModule.startGatewaySimulator;
export const FIRST_MSG_ID = simulatorModule.FIRST_MSG_ID;
export const DEFAULT_MAX_TEXT_CHARS = simulatorModule.DEFAULT_MAX_TEXT_CHARS;

/**
 * Before each test: the simulators forget what they received and their faults, and the node
 * forgets its pacing and what it sent, so no test sees another's traffic.
 */
export function startFresh(...simulators: Array<{ reset(): void }>): void {
	for (const simulator of simulators) simulator.reset();
	freshProcessStores();
}

/**
 * The simulators a suite uses, by name: started before its tests and closed after them, and
 * fresh before each test (startFresh). With `clientGraceMs`, the node's client waits that long
 * beyond the gateway's timeout during the suite, so timeouts are provoked in a second, not six.
 * The returned record is filled in before the first test.
 */
export function useSimulators<Name extends string>(
	options: Record<Name, SimulatorOptions>,
	{ clientGraceMs }: { clientGraceMs?: number } = {},
): Record<Name, Simulator> {
	const simulators = {} as Record<Name, Simulator>;
	beforeAll(async () => {
		if (clientGraceMs !== undefined) setClientGraceMs(clientGraceMs);
		for (const name of Object.keys(options) as Name[])
			simulators[name] = await startSimulator(options[name]);
	});
	afterAll(async () => {
		if (clientGraceMs !== undefined) setClientGraceMs();
		await Promise.all(Object.values<Simulator>(simulators).map((simulator) => simulator.close()));
	});
	beforeEach(() => startFresh(...Object.values<Simulator>(simulators)));
	return simulators;
}

/** A self-signed certificate for 127.0.0.1, for test servers only (valid until 2125). */
export const TEST_TLS = {
	key: readFileSync(path.join(__dirname, '../fixtures/tls/localhost.key.pem')),
	cert: readFileSync(path.join(__dirname, '../fixtures/tls/localhost.cert.pem')),
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
export async function waitUntil(
	check: () => boolean,
	timeoutMs = 10_000,
	what = 'condition',
): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await sleep(5);
	}
}

/**
 * The simulator in a process of its own (simulator/cli.js), driven over its control
 * endpoints. Its clock readings are not delayed by the test's own work (the n8n engine, garbage
 * collection), and its memory is not the test's.
 */
export interface RemoteSimulator {
	url: string;
	calls(): Promise<SimCall[]>;
	messages(): Promise<SimMessage[]>;
	reset(): Promise<void>;
	addFaults(rules: FaultRule[]): Promise<void>;
	setLatency(ms: number): Promise<void>;
	close(): Promise<void>;
}

export async function startSimulatorProcess(): Promise<RemoteSimulator> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { spawn } = require('node:child_process') as typeof import('node:child_process');
	const child = spawn(
		process.execPath,
		[path.join(__dirname, '../../simulator/cli.js'), '--port', '0', '--host', '127.0.0.1'],
		{
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	const url = await new Promise<string>((resolve, reject) => {
		let text = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			text += chunk.toString();
			const found = /listening on (http:\/\/[\d.]+:\d+)/.exec(text);
			if (found) resolve(found[1]);
		});
		child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
	});
	const control = async (method: string, route: string, body?: unknown): Promise<unknown> => {
		const init = { method, body: body === undefined ? undefined : JSON.stringify(body) };
		let response: Response;
		try {
			response = await fetch(`${url}/__simulator/${route}`, init);
		} catch {
			response = await fetch(`${url}/__simulator/${route}`, init); // a keep-alive connection closed meanwhile
		}
		return response.json();
	};
	return {
		url,
		calls: async () => (await control('GET', 'calls')) as SimCall[],
		messages: async () => (await control('GET', 'messages')) as SimMessage[],
		reset: async () => void (await control('POST', 'reset')),
		addFaults: async (rules) => void (await control('POST', 'faults', rules)),
		setLatency: async (ms) => void (await control('POST', 'latency', { latencyMs: ms })),
		close: async () => {
			if (child.exitCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill();
			await exited;
		},
	};
}

/** Like waitUntil, for a check that has to ask something first. */
export async function waitUntilAsync(
	check: () => Promise<boolean>,
	timeoutMs = 10_000,
	what = 'condition',
): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await sleep(10);
	}
}
