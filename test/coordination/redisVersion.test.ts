/**
 * A Redis too old for the node's scripts (KEEPTTL came in 6.0) is refused when the store
 * connects, with an error that names the version found, and nothing is written to it. The
 * server here speaks just enough of Redis's protocol to say which version it is.
 */
import net from 'node:net';

import { RedisStore } from '../../nodes/WeChatGateway/coordination/redisStore';
import { CoordinationUnavailableError } from '../../nodes/WeChatGateway/coordination/store';

/** Answers INFO with `redis_version:<version>`, TIME with the time, anything else with OK. */
async function oldRedis(version: string) {
	const commands: string[] = [];
	const server = net.createServer((socket) => {
		let buffered = '';
		socket.on('data', (chunk) => {
			buffered += chunk.toString('latin1');
			// one command per array: *N, then N bulk strings; only the name matters here
			for (;;) {
				const match = /^\*(\d+)\r\n/.exec(buffered);
				if (!match) return;
				const parts = buffered.slice(match[0].length).split('\r\n');
				const count = Number(match[1]);
				if (parts.length < count * 2 + 1) return;
				const args = Array.from({ length: count }, (_, i) => parts[i * 2 + 1]);
				buffered = parts.slice(count * 2).join('\r\n');
				const name = args[0].toUpperCase();
				commands.push(name);
				if (name === 'INFO') {
					const body = `# Server\r\nredis_version:${version}\r\nloading:0\r\n`;
					socket.write(`$${Buffer.byteLength(body)}\r\n${body}\r\n`);
				} else if (name === 'TIME') {
					const seconds = String(Math.floor(Date.now() / 1000));
					socket.write(`*2\r\n$${seconds.length}\r\n${seconds}\r\n$1\r\n0\r\n`);
				} else socket.write('+OK\r\n');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	return { port, commands, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('Redis 5 is refused on connecting, naming the version found and the one needed; nothing is written', async () => {
	const server = await oldRedis('5.0.14');
	const store = new RedisStore(`redis://:pa55@127.0.0.1:${server.port}/0`, {
		answerWithinMs: 2000,
	});
	try {
		const failure = await store
			.reserveTurn('acct', 'wxid_a', { intervalMs: 1000, maxRecipientsPerMinute: 0 })
			.then(
				() => undefined,
				(error: unknown) => error,
			);
		expect(failure).toBeInstanceOf(CoordinationUnavailableError);
		const message = String((failure as Error).message);
		expect(message).toContain(`Redis at 127.0.0.1:${server.port}/0) cannot be used`);
		expect(message).toContain('it is Redis 5.0.14, and this node needs Redis 6.0 or later');
		expect(message).not.toContain('pa55');
		expect(server.commands.filter((name) => name === 'EVALSHA' || name === 'EVAL')).toEqual([]);
	} finally {
		await store.close();
		await server.close();
	}
});

test('Redis 6.0 passes the check', async () => {
	const server = await oldRedis('6.0.0');
	const store = new RedisStore(`redis://127.0.0.1:${server.port}/0`, { answerWithinMs: 2000 });
	try {
		// the stub answers the script with OK, not a turn: what matters is that it was sent
		await store.forgetRun('run').catch(() => undefined);
		expect(server.commands.some((name) => name === 'EVALSHA' || name === 'EVAL')).toBe(true);
	} finally {
		await store.close();
		await server.close();
	}
});
