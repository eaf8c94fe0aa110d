#!/usr/bin/env node
'use strict';
/**
 * A small CLI over runtime.js, for looking into the cached n8n by hand.
 * Run `node scripts/n8n-runtime/cli.js help`.
 */
const fs = require('fs');
const path = require('path');
const rt = require('./runtime');

const USAGE = `usage: node scripts/n8n-runtime/cli.js <command> [--version=V] [options]

  ensure                   install (cached) n8n V on its own Node; print the paths as JSON
  paths                    print where V is or would be installed, and whether it is complete
  env --user-folder=DIR [--port=N]
                           print the environment of an n8n on DIR as shell exports
  n8n --user-folder=DIR -- ARGS...
                           any n8n command on DIR, e.g. -- list:workflow, -- import:workflow --input=F

V is one of ${Object.keys(rt.VERSIONS).join(', ')}; default: $N8N_RUNTIME_VERSION, else ${rt.DEFAULT_VERSION}.
The end-to-end tests, the browser test, \`npm run demo\` and \`npm start\` use the library itself.
`;

function parseArgs(argv) {
	const opts = {};
	const dash = argv.indexOf('--');
	const own = dash < 0 ? argv : argv.slice(0, dash);
	for (const a of own) {
		const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
		if (m) opts[m[1]] = m[2] ?? true;
	}
	return { opts, rest: dash < 0 ? [] : argv.slice(dash + 1) };
}

async function main() {
	const [command, ...argv] = process.argv.slice(2);
	const { opts, rest } = parseArgs(argv);
	const version = typeof opts.version === 'string' ? opts.version : undefined;
	const userFolder = typeof opts['user-folder'] === 'string' && path.resolve(opts['user-folder']);
	if (['env', 'n8n'].includes(command) && !userFolder) {
		process.stderr.write(`${command} needs --user-folder=DIR\n\n${USAGE}`);
		process.exitCode = 2;
		return;
	}
	switch (command) {
		case 'ensure': {
			const started = Date.now();
			const runtime = await rt.ensureRuntime({ version });
			console.log(JSON.stringify({ ...runtime, ms: Date.now() - started }, null, 2));
			return;
		}
		case 'paths': {
			const p = rt.runtimePaths({ version });
			const complete = (dir) => fs.existsSync(path.join(dir, '.n8n-runtime-complete.json'));
			console.log(JSON.stringify({ ...p, complete: complete(p.nodeDir) && complete(p.n8nDir) }));
			return;
		}
		case 'env': {
			const runtime = await rt.ensureRuntime({ version });
			await rt.createUserFolder(userFolder);
			const port = opts.port ? Number(opts.port) : undefined;
			const env = rt.n8nEnv({ userFolder, port, version: runtime.version });
			for (const [k, v] of Object.entries(env))
				if (/^(N8N_|DB_|NO_COLOR$)/.test(k)) console.log(`export ${k}=${JSON.stringify(v)}`);
			console.log(`# then: ${runtime.nodeBin} ${runtime.n8nBin} <command>`);
			return;
		}
		case 'n8n': {
			if (version) process.env.N8N_RUNTIME_VERSION = version;
			await rt.createUserFolder(userFolder);
			const res = await rt.runCli({ args: rest, userFolder, timeoutMs: 30 * 60 * 1000 });
			process.stdout.write(res.stdout);
			process.stderr.write(res.stderr);
			process.exitCode = res.code;
			return;
		}
		case undefined:
		case 'help':
		case '--help':
			process.stdout.write(USAGE);
			return;
		default:
			process.stderr.write(`unknown command ${command}\n\n${USAGE}`);
			process.exitCode = 2;
	}
}

main().catch((e) => {
	process.stderr.write(`[n8n-runtime] ${e.stack || e}\n`);
	process.exitCode = 1;
});
