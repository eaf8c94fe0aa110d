import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

import { socketUrlForLog, type GatewaySocketSettings } from './socketSettings';
import { proxyFor } from './proxy';
import { openGatewaySocket } from './webSocket';

const TLS_CODE = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

function networkReason(error: NodeJS.ErrnoException, where: string, timeoutMs: number): string {
	const code = error.code ?? '';
	if (code === 'ECONNREFUSED')
		return `the connection to ${where} was refused: nothing listens there`;
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
		return `the host of ${where} does not resolve: check the WebSocket URL`;
	if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT')
		return `${where} did not answer within ${timeoutMs} ms`;
	if (TLS_CODE.test(code) || /certificate|SSL|TLS/i.test(error.message ?? ''))
		return `the TLS handshake with ${where} failed (${code || error.message.slice(0, 120)}): for a self-signed certificate turn on "Ignore SSL Issues"`;
	return `could not reach ${where} (${code || (error.message ?? 'network error').slice(0, 120)})`;
}

function statusReason(status: number, where: string): string {
	if (status === 401 || status === 403)
		return `the gateway refused the socket at ${where} with HTTP ${status}: check the credential's authentication (header name and secret)`;
	if (status === 404)
		return `the gateway has no WebSocket at ${where} (HTTP 404): check the WebSocket URL`;
	return `the gateway answered the socket's upgrade at ${where} with HTTP ${status} instead of accepting it`;
}

/**
 * Why the socket did not open. The browser-style WebSocket reports only that it failed, so the
 * same upgrade request is made once more by hand to read the status or the network error. It
 * carries the credential's header and TLS setting; nothing is sent after the handshake.
 */
export async function explainSocketFailure(
	settings: GatewaySocketSettings,
	timeoutMs: number,
): Promise<string> {
	const where = socketUrlForLog(settings.webSocketUrl);
	// Behind a proxy a direct request would test another path than the socket's, and may not
	// be allowed out at all: name the proxy instead of guessing.
	const proxy = proxyFor(settings.webSocketUrl);
	if (proxy)
		return `the socket to ${where} did not open through the proxy ${proxy.host} (from ${proxy.variable}): check the proxy and NO_PROXY`;
	const url = new URL(settings.webSocketUrl);
	const secure = url.protocol === 'wss:';
	url.protocol = secure ? 'https:' : 'http:';
	const headers: Record<string, string> = {
		Connection: 'Upgrade',
		Upgrade: 'websocket',
		'Sec-WebSocket-Version': '13',
		'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
	};
	if (settings.authHeader) headers[settings.authHeader.name] = settings.authHeader.value;
	return await new Promise<string>((resolve) => {
		const request = (secure ? https : http).request(url, {
			method: 'GET',
			headers,
			timeout: timeoutMs,
			rejectUnauthorized: !settings.allowUnauthorizedCerts,
			agent: false,
		});
		request.on('upgrade', (_response, socket) => {
			socket.destroy();
			resolve(`the socket to ${where} closed before it opened, though the gateway accepts it now`);
		});
		request.on('response', (response) => {
			response.resume();
			request.destroy();
			resolve(statusReason(response.statusCode ?? 0, where));
		});
		request.on('timeout', () => {
			request.destroy();
			resolve(`${where} did not answer within ${timeoutMs} ms`);
		});
		request.on('error', (error) => resolve(networkReason(error, where, timeoutMs)));
		request.end();
	});
}

/**
 * Opens the gateway's socket and closes it again, sending nothing. Resolves to undefined once it
 * opened, or to why it did not, in words a user can act on.
 */
export async function checkGatewaySocket(
	settings: GatewaySocketSettings,
	timeoutMs: number,
): Promise<string | undefined> {
	const connection = openGatewaySocket(settings, () => {}, timeoutMs);
	const opened = await new Promise<boolean>((resolve) => {
		const timer = setTimeout(() => resolve(false), timeoutMs);
		const settle = (open: boolean) => () => {
			clearTimeout(timer);
			resolve(open);
		};
		connection.socket.addEventListener('open', settle(true));
		connection.socket.addEventListener('close', settle(false));
		connection.socket.addEventListener('error', () => {});
	});
	connection.close();
	return opened ? undefined : await explainSocketFailure(settings, timeoutMs);
}
