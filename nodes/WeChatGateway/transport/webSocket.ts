import { subscribe } from 'node:diagnostics_channel';

import type { Socket } from 'node:net';

import { Pool, WebSocket, buildConnector, ping } from 'undici';

import { dispatcherFor, proxyFor } from './proxy';
import type { GatewaySocketSettings } from './socketSettings';

/**
 * Where to report a pong: undici's browser-style WebSocket has no pong event, but it publishes
 * every pong it reads on a diagnostics channel, naming the socket.
 */
const pongListeners = new WeakMap<object, () => void>();
let pongChannelSubscribed = false;

function listenForPongs(): void {
	if (pongChannelSubscribed) return;
	pongChannelSubscribed = true;
	subscribe('undici:websocket:pong', (message) => {
		const socket = (message as { websocket?: object } | undefined)?.websocket;
		if (socket) pongListeners.get(socket)?.();
	});
}

export interface GatewaySocket {
	readonly socket: WebSocket;
	/** Sends a ping; the gateway's pong calls `onPong`. False when the socket is not open. */
	ping(): boolean;
	/** Closes the socket and its connection pool; safe to call more than once. */
	close(): void;
}

/** Keeps each connection a connector makes, so `close()` can free it. */
function keeping(
	connect: buildConnector.connector,
	connections: Socket[],
): buildConnector.connector {
	return (options, callback) =>
		connect(options, (error, connection) => {
			if (connection) connections.push(connection as Socket);
			(callback as (e: Error | null, s: unknown) => void)(error, connection);
		});
}

/**
 * Opens the gateway's socket with the credential's header and TLS setting, through the proxy
 * n8n's environment names for it (the same rules and the same choice as the HTTP client). The
 * TCP socket (to the gateway, or to the proxy that tunnels to it) is kept at hand: a gateway that
 * stopped reading never completes a WebSocket close, so `close()` also destroys the connection
 * underneath.
 */
export function openGatewaySocket(
	settings: GatewaySocketSettings,
	onPong: () => void,
	connectTimeoutMs = 10_000,
): GatewaySocket {
	listenForPongs();
	const connections: Socket[] = [];
	const tls = { rejectUnauthorized: !settings.allowUnauthorizedCerts, timeout: connectTimeoutMs };
	const dispatcher = dispatcherFor(
		proxyFor(settings.webSocketUrl),
		{ headersTimeout: connectTimeoutMs, connect: keeping(buildConnector(tls), connections) },
		{
			requestTls: tls,
			proxyTls: { timeout: connectTimeoutMs },
			// The tunnel is a connection to the proxy made by this pool: that is the one to keep.
			clientFactory: (origin: URL, options: object) => {
				const { connect } = options as { connect: buildConnector.connector };
				return new Pool(origin, { ...options, connect: keeping(connect, connections) });
			},
		},
	);
	const headers: Record<string, string> = {};
	if (settings.authHeader) headers[settings.authHeader.name] = settings.authHeader.value;
	const socket = new WebSocket(settings.webSocketUrl, { dispatcher, headers });
	pongListeners.set(socket, onPong);
	let closed = false;
	return {
		socket,
		ping() {
			if (socket.readyState !== WebSocket.OPEN) return false;
			ping(socket, undefined);
			return true;
		},
		close() {
			if (closed) return;
			closed = true;
			pongListeners.delete(socket);
			try {
				socket.close();
			} catch {
				// already closing
			}
			for (const connection of connections) endThenDestroy(connection);
			void dispatcher.destroy().catch(() => {});
		},
	};
}

/** Lets the close frame go out, then frees the connection even if the peer never answers. */
function endThenDestroy(connection: Socket): void {
	if (connection.destroyed) return;
	// A reset from the peer while closing is expected and must not become an uncaught error.
	connection.on('error', () => {});
	if (connection.writableLength > 0) {
		connection.destroy();
		return;
	}
	connection.once('finish', () => connection.destroy());
	connection.end();
}
