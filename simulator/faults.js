// @ts-check
'use strict';
/**
 * The faults that answer in the gateway's place (see FaultRule in gateway.js): a call that hangs,
 * a dropped connection, a delay, or an answer that is not the gateway's. Shared by every route.
 */
const http = require('node:http');

/** Routes of the gateway itself; a fault rule without `route` acts on these only. */
const GATEWAY_ROUTES = new Set([
	'api',
	'cdnupload',
	'cdndownload',
	'wechatinfo',
	'login/push',
	'login/getqrcode',
]);

/** Whether `rule` applies to a call on `route` with `cgiCmd` (before its count and recipient). */
function ruleMatches(rule, route, cgiCmd) {
	if (rule.route ? rule.route !== route : !GATEWAY_ROUTES.has(route)) return false;
	return rule.cgiCmd === undefined || rule.cgiCmd === cgiCmd;
}

/**
 * Plays the part of `fault` that comes before the gateway's own answer, after `latencyMs`.
 * Returns true when the fault answered (or will never answer), so the call goes no further.
 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
 * @param {any} fault @param {number} latencyMs
 */
async function answerFault(req, res, fault, latencyMs) {
	const delay = latencyMs + (fault?.action === 'delay' ? fault.delayMs : 0);
	if (fault?.action === 'hang') return true; // never answers; the client's timeout must fire
	if (fault?.action === 'dropBeforeSend') {
		req.socket.destroy();
		return true;
	}
	if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
	switch (fault?.action) {
		case 'html':
			res
				.writeHead(200, { 'content-type': 'text/html' })
				.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
			return true;
		case 'empty':
			res.writeHead(200, { 'content-type': 'application/json' }).end();
			return true;
		case 'json':
			res.writeHead(200, {
				'content-type': 'application/json; charset=utf-8',
				'content-length': Buffer.byteLength(fault.body),
			});
			res.end(fault.body);
			return true;
		case 'echoHeaders': {
			res.writeHead(fault.status ?? 400, { 'content-type': 'text/plain' });
			// Custom (X-) headers first, where an auth header usually is: it lands in the start of the body.
			const headers = Object.entries(req.headers).sort(
				([a], [b]) => Number(b.startsWith('x-')) - Number(a.startsWith('x-')),
			);
			res.end(`Bad request; headers:\n${headers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
			return true;
		}
		case 'oversized':
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(Buffer.alloc(fault.bytes, 0x20));
			return true;
		case 'http':
			res.writeHead(fault.status, {
				...fault.headers,
				'content-type': fault.contentType ?? 'text/plain',
			});
			res.end(fault.body ?? `${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}`);
			return true;
		default:
			return false;
	}
}

module.exports = { answerFault, ruleMatches, GATEWAY_ROUTES };
