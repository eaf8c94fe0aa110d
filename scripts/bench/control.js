// @ts-check
'use strict';
/** Talks to the simulator child's control port (see simulator-child.js). */
const http = require('node:http');

/** @returns {Promise<any>} */
function control(port, method, pathAndQuery) {
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: '127.0.0.1', port, method, path: pathAndQuery, agent: false },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					if (res.statusCode !== 200)
						return reject(new Error(`control ${method} ${pathAndQuery}: HTTP ${res.statusCode}`));
					resolve(JSON.parse(text));
				});
			},
		);
		req.on('error', reject);
		req.end();
	});
}

module.exports = {
	stats: (port) => control(port, 'GET', '/stats'),
	reset: (port) => control(port, 'POST', '/reset'),
	setLatency: (port, ms) => control(port, 'POST', `/latency?ms=${ms}`),
	messages: (port, from, count) => control(port, 'GET', `/messages?from=${from}&count=${count}`),
	bodies: (port, from, count) => control(port, 'GET', `/bodies?from=${from}&count=${count}`),
};
