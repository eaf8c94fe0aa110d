// @ts-check
'use strict';
/**
 * The gateway simulator in its own process, so that it never shares a CPU thread with what is
 * measured. It runs two simulators: `main` (what is measured sends here) and `warm` (warm-up
 * runs inside n8n send here, so they never count in `main`'s connections), plus a control
 * server on a third port. Control calls go to that port, never to a simulator, so they are not
 * counted as connections either.
 *
 *   GET  /stats                      -> { main: stats(), warm: stats() }
 *   POST /reset                      -> forgets calls and messages of both (connections: see stats)
 *   POST /latency?ms=20              -> per-call latency of main
 *   GET  /messages?from=K&count=N    -> main's accepted messages K..K+N-1: { toUserName, type, newMsgId }
 *   GET  /bodies?from=K&count=N      -> the request bodies of main's calls K..K+N-1, as received
 *
 * Prints one JSON line { main, warm, control } (base URLs and the control port) when ready.
 */
const http = require('node:http');
const path = require('node:path');

const { startGatewaySimulator } = require(path.resolve(__dirname, '../../simulator/gateway.js'));
const { SENDER } = require('./workload');

async function main() {
	const sims = {
		main: await startGatewaySimulator({ accounts: [SENDER] }),
		warm: await startGatewaySimulator({ accounts: [SENDER] }),
	};
	const control = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://control');
		const reply = (value) => {
			const text = JSON.stringify(value);
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(text),
			});
			res.end(text);
		};
		const route = `${req.method} ${url.pathname}`;
		if (route === 'GET /stats') return reply({ main: sims.main.stats(), warm: sims.warm.stats() });
		if (route === 'POST /reset') {
			sims.main.reset();
			sims.warm.reset();
			return reply({ ok: true });
		}
		if (route === 'POST /latency') {
			sims.main.setLatency(Number(url.searchParams.get('ms') ?? 0));
			return reply({ ok: true });
		}
		if (route === 'GET /messages') {
			const from = Number(url.searchParams.get('from') ?? 0);
			const count = Number(url.searchParams.get('count') ?? sims.main.messages.length);
			return reply(
				sims.main.messages
					.slice(from, from + count)
					.map((m) => ({ toUserName: m.toUserName, type: m.type, newMsgId: m.newMsgId })),
			);
		}
		if (route === 'GET /bodies') {
			const from = Number(url.searchParams.get('from') ?? 0);
			const count = Number(url.searchParams.get('count') ?? 1);
			return reply(sims.main.calls.slice(from, from + count).map((c) => c.body));
		}
		res.writeHead(404).end();
	});
	await new Promise((resolve) => control.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (control.address());
	process.stdout.write(
		`${JSON.stringify({ main: sims.main.url, warm: sims.warm.url, control: address.port })}\n`,
	);
	const stop = async () => {
		control.close();
		await Promise.all([sims.main.close(), sims.warm.close()]);
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	process.on('disconnect', stop);
	process.stdin.on('end', stop);
	process.stdin.resume();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
