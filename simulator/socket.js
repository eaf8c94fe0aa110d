// @ts-check
'use strict';
/**
 * The gateway's WebSocket (`/ws`): one socket per client carries frames for every account, as on
 * a real gateway. Tests and the CLI drive it through the simulator's control hook
 * (`/__simulator/ws/…`): inject a message or a burst, drop or stall the sockets, refuse new
 * ones, or push hostile frames.
 */
const { WebSocketServer } = require('ws');

const { frameText, samples, hostileFrames, FIRST_PUSHED_ID } = require('./frames');

/**
 * @param {{ accounts?: Set<string>, authHeader?: { name: string, value: string } }} options
 */
function createGatewaySocket(options) {
	// Pongs are answered by hand, so that a stalled socket can stop answering them.
	const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, autoPong: false });
	/** @type {Set<import('ws').WebSocket>} */
	const clients = new Set();
	/** Sockets that stay open but neither read nor send (see `stall`). */
	const stalled = new WeakSet();
	let nextId = FIRST_PUSHED_ID;
	const counters = { upgrades: 0, refused: 0, opened: 0, closed: 0, pushed: 0, pings: 0 };
	/** Upgrade attempts, with when they came (ms since the epoch) and what they got. */
	const attempts = [];
	let refuseUpgrades = 0;
	const defaultAccount = () => (options.accounts ? [...options.accounts][0] : 'wxid_simulated_bot');

	/** @param {import('node:http').IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head */
	function handleUpgrade(req, socket, head) {
		counters.upgrades++;
		socket.on('error', () => {});
		const refuse = (status, text) => {
			counters.refused++;
			attempts.push({ at: Date.now(), status });
			socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
		};
		if (options.authHeader && req.headers[options.authHeader.name] !== options.authHeader.value)
			return refuse(401, 'Unauthorized');
		if (refuseUpgrades > 0) {
			refuseUpgrades--;
			return refuse(503, 'Service Unavailable');
		}
		attempts.push({ at: Date.now(), status: 101 });
		wss.handleUpgrade(req, socket, head, (ws) => {
			counters.opened++;
			clients.add(ws);
			ws.on('ping', (payload) => {
				counters.pings++;
				if (!stalled.has(ws)) ws.pong(payload);
			});
			ws.on('close', () => {
				counters.closed++;
				clients.delete(ws);
			});
			ws.on('error', () => {});
		});
	}

	/** Sends one frame to every socket that is open and not stalled; returns how many got it. */
	function push(text) {
		let reached = 0;
		for (const ws of clients) {
			if (ws.readyState !== ws.OPEN || stalled.has(ws)) continue;
			ws.send(text);
			reached++;
		}
		counters.pushed++;
		return reached;
	}

	/**
	 * A message to the account, from a sample (`sample`) and/or fields (`message`).
	 * @param {{ account?: string, sample?: string, message?: object, withExt?: boolean,
	 *   newMsgId?: string, eventName?: string, currentWxid?: string | null, data?: object }} spec
	 */
	function inject(spec = {}) {
		const account = spec.account ?? defaultAccount();
		const sample = spec.sample ? samples(account)[spec.sample] : undefined;
		if (spec.sample && !sample)
			throw new Error(
				`no sample "${spec.sample}"; try one of ${Object.keys(samples(account)).join(', ')}`,
			);
		const newMsgId = spec.newMsgId ?? String(nextId++);
		const text = frameText({
			account,
			newMsgId,
			withExt: spec.withExt ?? sample?.withExt,
			eventName: spec.eventName,
			currentWxid: spec.currentWxid,
			data: spec.data,
			message:
				spec.eventName && spec.eventName !== 'ON_EVENT_MSG_NEW' && !spec.sample && !spec.message
					? undefined
					: { ...(sample?.message ?? {}), ...(spec.message ?? {}) },
		});
		return { newMsgId, reached: push(text) };
	}

	/** `count` messages of one sample, each with its own id, sent back to back. */
	function burst({ count = 100, ...spec } = {}) {
		const ids = [];
		for (let i = 0; i < count; i++) ids.push(inject(spec).newMsgId);
		return { count, firstId: ids[0], lastId: ids[ids.length - 1], ids };
	}

	/** What the account sent through cgi 222 comes back to it as its own frame, as on a real gateway. */
	function echoSent({ wxid, toUserName, appMsgXml, newMsgId, msgType, content }) {
		// A text (cgi 522) comes back as a text; an app message as its <msg>.
		const isText = msgType === 1 && typeof content === 'string';
		return push(
			frameText({
				account: wxid,
				newMsgId,
				message: {
					fromUserName: wxid,
					toUserName,
					msgType: isText ? 1 : 49,
					content: isText
						? content
						: `<msg>${appMsgXml}<fromusername>${wxid}</fromusername><scene>0</scene></msg>`,
				},
			}),
		);
	}

	function hostile({ account } = {}) {
		const frames = hostileFrames(account ?? defaultAccount(), () => String(nextId++));
		for (const frame of frames) push(frame.text);
		// A binary frame too: a gateway never sends one.
		for (const ws of clients) if (!stalled.has(ws)) ws.send(Buffer.from([0, 1, 2, 3]));
		return frames.map((frame) => ({ what: frame.what, chars: frame.text.length }));
	}

	/** Closes every socket at once, without a close handshake, like a gateway restart. */
	function drop() {
		const count = clients.size;
		for (const ws of clients) ws.terminate();
		return count;
	}

	/** Open sockets stop sending anything (no pongs, no frames) but stay connected: a dead socket. */
	function stall() {
		let count = 0;
		for (const ws of clients) {
			if (stalled.has(ws)) continue;
			stalled.add(ws);
			count++;
		}
		return count;
	}

	function stats() {
		return {
			...counters,
			clients: clients.size,
			refusing: refuseUpgrades,
			attempts: attempts.slice(-200),
		};
	}

	async function handleControl(route, body) {
		switch (route) {
			case 'GET /__simulator/ws':
				return stats();
			case 'POST /__simulator/ws/inject':
				return inject(body);
			case 'POST /__simulator/ws/burst':
				return burst(body);
			case 'POST /__simulator/ws/frame':
				return {
					reached: push(typeof body.text === 'string' ? body.text : JSON.stringify(body.frame)),
				};
			case 'POST /__simulator/ws/hostile':
				return hostile(body);
			case 'POST /__simulator/ws/drop':
				return { dropped: drop() };
			case 'POST /__simulator/ws/stall':
				return { stalled: stall() };
			case 'POST /__simulator/ws/refuse':
				refuseUpgrades = Number(body.count ?? 1_000_000);
				if (body.dropOpen) drop();
				return { refusing: refuseUpgrades };
			case 'POST /__simulator/ws/accept':
				refuseUpgrades = 0;
				return { refusing: 0 };
			default:
				return undefined;
		}
	}

	function reset() {
		for (const key of Object.keys(counters)) counters[key] = 0;
		attempts.length = 0;
		refuseUpgrades = 0;
	}

	function close() {
		for (const ws of clients) ws.terminate();
		wss.close();
	}

	return {
		handleUpgrade,
		handleControl,
		push,
		inject,
		burst,
		echoSent,
		hostile,
		drop,
		stall,
		stats,
		/** The account frames are for when a push names none. */
		defaultAccount,
		reset,
		close,
		refuse(count = 1_000_000) {
			refuseUpgrades = count;
		},
		accept() {
			refuseUpgrades = 0;
		},
		get clients() {
			return clients.size;
		},
	};
}

module.exports = { createGatewaySocket };
