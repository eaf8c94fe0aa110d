/** Typed access to the gateway simulator (plain JS, so `npm run gateway` needs no build). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulatorModule = require('../../simulator/gateway') as {
	startGatewaySimulator(options?: SimulatorOptions): Promise<GatewaySimulator>;
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

export interface SimulatedMessage {
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

export interface SimulatedCall {
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

export interface GatewaySimulator {
	url: string;
	port: number;
	messages: SimulatedMessage[];
	calls: SimulatedCall[];
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

export const startGatewaySimulator = simulatorModule.startGatewaySimulator;
export const FIRST_MSG_ID = simulatorModule.FIRST_MSG_ID;
export const DEFAULT_MAX_TEXT_CHARS = simulatorModule.DEFAULT_MAX_TEXT_CHARS;
