#!/usr/bin/env node
'use strict';
/**
 * `npm run gateway -- [--port 8080] [--host 127.0.0.1] [--account wxid_…] [--auth-header Name:value]
 *  [--latency ms] [--fault '{"action":"ret","ret":-34,"nth":3}'] [--log file.jsonl]
 *  [--text-response flat|list|none] [--max-text-chars 4096] [--command-response 182:'{"…":…}']`
 */
const { startGatewaySimulator } = require('./gateway');

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
