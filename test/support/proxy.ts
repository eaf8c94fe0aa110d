/**
 * A small HTTP proxy for tests, as n8n's HTTP(S)_PROXY would point to: it opens CONNECT tunnels
 * (undici tunnels every request, http and https alike) to 127.0.0.1 only, optionally asks for
 * Basic credentials (407 until they come), and counts what it was asked.
 */
import http from 'node:http';
import net from 'node:net';

export interface TestProxy {
	/** http://127.0.0.1:port, without credentials. */
	url: string;
	port: number;
	/** `host:port` of each CONNECT it was asked for, in order. */
	tunnels: string[];
	/** CONNECTs it refused for want of credentials. */
	refused: number;
	close(): Promise<void>;
}

export async function startProxy(
	options: { user?: string; password?: string } = {},
): Promise<TestProxy> {
	const expected =
		options.user !== undefined
			? `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`
			: undefined;
	const sockets = new Set<net.Socket>();
	const state = { tunnels: [] as string[], refused: 0 };
	const server = http.createServer((_req, res) => {
		// Only tunnels are offered; a plain proxied request is a mistake of the test.
		res.writeHead(405).end('this test proxy only tunnels (CONNECT)');
	});
	server.on('connection', (socket: net.Socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
		sockets.add(client);
		const target = req.url ?? '';
		state.tunnels.push(target);
		if (expected && req.headers['proxy-authorization'] !== expected) {
			state.refused++;
			client.end(
				'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
			);
			return;
		}
		const [host, port] = [
			target.slice(0, target.lastIndexOf(':')),
			target.slice(target.lastIndexOf(':') + 1),
		];
		if (!['127.0.0.1', 'localhost'].includes(host)) {
			client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
			return;
		}
		const upstream = net.connect(Number(port), '127.0.0.1', () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length) upstream.write(head);
			upstream.pipe(client);
			client.pipe(upstream);
		});
		sockets.add(upstream);
		const end = () => {
			upstream.destroy();
			client.destroy();
		};
		upstream.on('error', () => {
			if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
		});
		client.on('error', end);
		upstream.on('close', end);
		client.on('close', end);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		get tunnels() {
			return state.tunnels;
		},
		get refused() {
			return state.refused;
		},
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
