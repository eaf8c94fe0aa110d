#!/usr/bin/env node
'use strict';
/**
 * `npm run gateway -- [--port 8080] [--host 127.0.0.1] [--account wxid_…] [--auth-header Name:value]
 *  [--latency ms] [--fault '{"action":"ret","ret":-34,"nth":3}'] [--log file.jsonl]
 *  [--text-response flat|list|none] [--max-text-chars 4096] [--command-response 182:'{"…":…}']
 *  [--model-commands on] [--media-folder dir]`
 *
 * Drives the WebSocket of a simulator that is already running (`--url`, default
 * http://127.0.0.1:$GATEWAY_PORT or 8080):
 * `npm run gateway -- ws inject [--sample miniProgram] [--content text] [--from wxid_…] [--account wxid_…]`,
 * `ws burst --count 1000 [--sample text]`, `ws drop`, `ws stall`, `ws hostile`, `ws refuse [--count n]`,
 * `ws accept`, `ws stats`; and media frames and events: `npm run gateway -- push voice [--account wxid_…]`
 * (kinds: image, voice, video, emoji, location, contactCard, groupJoin, pat, contactChange,
 * groupInvite, friendRequest, accountOffline).
 */
const { startGatewaySimulator } = require('./gateway');
const { samples } = require('./frames');

const WS_ACTIONS = ['inject', 'burst', 'drop', 'stall', 'hostile', 'refuse', 'accept', 'stats'];

async function driveSocket(argv, push = false) {
	const [action, ...rest] = argv;
	if (!push && !WS_ACTIONS.includes(action))
		throw new Error(
			`ws needs one of: ${WS_ACTIONS.join(', ')}; samples: ${Object.keys(samples('x')).join(', ')}`,
		);
	const flags = {};
	for (let i = 0; i < rest.length; i += 2) {
		if (!rest[i].startsWith('--') || rest[i + 1] === undefined)
			throw new Error(`${rest[i]} needs a value`);
		flags[rest[i].slice(2)] = rest[i + 1];
	}
	const url = flags.url ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`;
	const body = {};
	if (flags.sample) body.sample = flags.sample;
	if (flags.account) body.account = flags.account;
	if (flags.count) body.count = Number(flags.count);
	if (flags.content || flags.from) {
		body.message = {};
		if (flags.content) body.message.content = flags.content;
		if (flags.from) body.message.fromUserName = flags.from;
	}
	if (action === 'burst' && !body.sample && !body.message) body.sample = 'text';
	if (push) body.kind = action;
	const path = push ? 'push' : `ws${action === 'stats' ? '' : `/${action}`}`;
	const response = await fetch(`${url}/__simulator/${path}`, {
		method: action === 'stats' ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: action === 'stats' ? undefined : JSON.stringify(body),
	});
	const answer = await response.json();
	if (action === 'burst') delete answer.ids;
	process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
	if (!response.ok) process.exitCode = 1;
}

function parseArgs(argv) {
	const options = { accounts: [], faults: [] };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = argv[++i];
		if (value === undefined) throw new Error(`${flag} needs a value`);
		if (flag === '--port') options.port = Number(value);
		else if (flag === '--host') options.host = value;
		else if (flag === '--account') options.accounts.push(value);
		else if (flag === '--latency') options.latencyMs = Number(value);
		else if (flag === '--log') options.logFile = value;
		else if (flag === '--fault') options.faults.push(JSON.parse(value));
		else if (flag === '--text-response') options.textResponseShape = value;
		else if (flag === '--max-text-chars') options.maxTextChars = Number(value);
		else if (flag === '--model-commands') options.modelCommands = value !== 'off';
		else if (flag === '--media-folder') options.mediaFolder = value;
		else if (flag === '--command-response') {
			const colon = value.indexOf(':');
			if (colon < 1 || !/^\d+$/.test(value.slice(0, colon)))
				throw new Error('--command-response takes cgiNumber:ResponseDataJson');
			options.commandResponses ??= {};
			options.commandResponses[value.slice(0, colon)] = value.slice(colon + 1);
		} else if (flag === '--auth-header') {
			const colon = value.indexOf(':');
			if (colon < 1) throw new Error('--auth-header takes Name:value');
			options.authHeader = { name: value.slice(0, colon), value: value.slice(colon + 1) };
		} else throw new Error(`unknown option ${flag}`);
	}
	return options;
}

async function main() {
	if (process.argv[2] === 'ws') return driveSocket(process.argv.slice(3));
	if (process.argv[2] === 'push') return driveSocket(process.argv.slice(3), true);
	const options = parseArgs(process.argv.slice(2));
	if (options.port === undefined) options.port = Number(process.env.GATEWAY_PORT ?? 8080);
	const simulator = await startGatewaySimulator(options);
	process.stdout.write(
		[
			`WeChat gateway simulator listening on ${simulator.url}`,
			`  send:      POST ${simulator.url}/v2/api?funcname=MagicCgi&timeout=10&wxid=${options.accounts[0] ?? 'wxid_…'}`,
			`  received:  GET  ${simulator.url}/__simulator/messages`,
			`  faults:    POST ${simulator.url}/__simulator/faults  {"action":"ret","ret":-34,"nth":1}`,
			`  commands:  POST ${simulator.url}/__simulator/commands  {"textResponseShape":"list"}`,
			`  socket:    ${simulator.url.replace(/^http/, 'ws')}/ws  (every account's messages; sent ones echo back)`,
			`  push:      npm run gateway -- ws inject --url ${simulator.url} --sample miniProgram   (also: burst, drop, stall, hostile, refuse, stats)`,
			`  media:     npm run gateway -- push voice --url ${simulator.url}   (image, emoji, pat, contactChange, accountOffline, …)`,
			`  cdn:       POST ${simulator.url}/v2/cdnupload?funcname=MagicCgi&…, /v2/cdndownload?…  (writes into ${simulator.mediaFolder})`,
			`  files:     GET  ${simulator.mediaUrl}/…  (the Media Download URL), ${simulator.url}/cdn/emoji/stodownload?m=<md5>`,
			`  account:   GET  ${simulator.url}/v2/wechatinfo, /v2/login/push?wxid=…, /v2/login/getqrcode?isIPad=2&wxid=…`,
			`  commands:  cgi 110/127/175/179/182/594/849 ${options.modelCommands ? 'checked and answered as the gateway does' : 'echoed (--model-commands on to model them)'}`,
			'',
		].join('\n'),
	);
	const stop = () => simulator.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
