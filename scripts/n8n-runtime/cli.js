#!/usr/bin/env node
'use strict';
/**
 * Small CLI over runtime.js. Run `node scripts/n8n-runtime/cli.js help`.
 */
const fs = require('fs');
const path = require('path');
const rt = require('./runtime');

const USAGE = `usage: node scripts/n8n-runtime/cli.js <command> [options]

  ensure                         install (cached) Node ${rt.NODE_VERSION} + n8n@${rt.N8N_VERSION}; print paths as JSON
  paths                          print where things are / would be, without installing
  env --user-folder=DIR [--port=N] [--broker-port=N]
                                 print the n8n environment as shell exports
  user-folder DIR [--reset]      prepare an N8N_USER_FOLDER (fixed encryption key)
  install-package --user-folder=DIR TARBALL
                                 install a packed community node package into DIR/.n8n/nodes
  import-workflow --user-folder=DIR FILE
  import-credentials --user-folder=DIR FILE   (FILE: an array of {id?,name,type,data})
  execute --user-folder=DIR ID [--full]
                                 run a workflow; prints status + each node's output items
                                 (--full: the whole run JSON); exit 1 if it failed
  export-nodes --user-folder=DIR [--grep=TEXT]
                                 list the node types n8n loads (names only)
  n8n --user-folder=DIR -- ARGS...   any n8n command, e.g. -- list:workflow
  start --user-folder=DIR [--port=N] [--owner] [--email=..] [--password=..]
                                 run n8n in the foreground until Ctrl-C; --owner sets up the
                                 owner account (default ${rt.DEFAULT_OWNER.email} / ${rt.DEFAULT_OWNER.password})
  selftest [--keep]              end-to-end check of everything above in a temp folder
`;

function parseArgs(argv) {
	const opts = {};
	const pos = [];
	let rest = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--') {
			rest = argv.slice(i + 1);
			break;
		}
		const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
		if (m) opts[m[1]] = m[2] === undefined ? true : m[2];
		else pos.push(a);
	}
	return { opts, pos, rest };
}

function need(v, what) {
	if (!v || v === true) {
		process.stderr.write(`missing ${what}\n\n${USAGE}`);
		process.exit(2);
	}
	return v;
}

async function main() {
	const [cmd, ...argv] = process.argv.slice(2);
	const { opts, pos, rest } = parseArgs(argv);
	const userFolder = opts['user-folder'] && path.resolve(opts['user-folder']);
	const port = opts.port ? Number(opts.port) : undefined;
	const log = (m) => process.stderr.write(`[n8n-runtime] ${m}\n`);

	switch (cmd) {
		case 'ensure': {
			const t0 = Date.now();
			const r = await rt.ensureRuntime({ log });
			console.log(JSON.stringify({ ...r, ms: Date.now() - t0 }, null, 2));
			return;
		}
		case 'paths': {
			const p = rt.runtimePaths();
			const marker = (d) => fs.existsSync(path.join(d, '.n8n-runtime-complete.json'));
			console.log(
				JSON.stringify(
					{
						...p,
						nodeReady: marker(p.nodeDir),
						n8nReady: marker(p.n8nDir),
						version: rt.N8N_VERSION,
					},
					null,
					2,
				),
			);
			return;
		}
		case 'env': {
			const r = await rt.ensureRuntime({ log });
			const env = rt.n8nEnv({
				userFolder: need(userFolder, '--user-folder'),
				port: port || 5678,
				brokerPort: opts['broker-port'],
			});
			for (const [k, v] of Object.entries(env)) {
				if (k.startsWith('N8N_') || k.startsWith('DB_') || k === 'NO_COLOR')
					console.log(`export ${k}=${JSON.stringify(v)}`);
			}
			console.log(`# run: ${r.nodeBin} ${r.n8nBin} <command>`);
			return;
		}
		case 'user-folder': {
			const r = await rt.createUserFolder(need(pos[0] || userFolder, 'DIR'), {
				reset: !!opts.reset,
			});
			console.log(JSON.stringify({ userFolder: r.userFolder, n8nFolder: r.n8nFolder }, null, 2));
			return;
		}
		case 'install-package': {
			const r = await rt.installCommunityPackage({
				userFolder: need(userFolder, '--user-folder'),
				tarball: need(pos[0], 'TARBALL'),
				log,
			});
			console.log(JSON.stringify(r, null, 2));
			return;
		}
		case 'import-workflow': {
			const r = await rt.importWorkflow({
				userFolder: need(userFolder, '--user-folder'),
				file: need(pos[0], 'FILE'),
				log,
			});
			process.stdout.write(
				r.stdout
					.split('\n')
					.filter((l) => /import/i.test(l))
					.join('\n') + '\n',
			);
			return;
		}
		case 'import-credentials': {
			const r = await rt.importCredentials({
				userFolder: need(userFolder, '--user-folder'),
				file: need(pos[0], 'FILE'),
				log,
			});
			process.stdout.write(
				r.stdout
					.split('\n')
					.filter((l) => /import/i.test(l))
					.join('\n') + '\n',
			);
			return;
		}
		case 'execute': {
			const r = await rt.executeWorkflow({
				userFolder: need(userFolder, '--user-folder'),
				id: need(pos[0], 'ID'),
				log,
			});
			if (opts.full) console.log(JSON.stringify(r.run, null, 2));
			else if (r.run) {
				console.log(`status: ${r.status}  exit: ${r.code}  last node: ${r.lastNode}  (${r.ms} ms)`);
				for (const name of Object.keys(r.run.data.resultData.runData || {})) {
					const err = rt.nodeError(r.run, name);
					if (err)
						console.log(
							`${name}: ERROR ${err.message}${err.description ? ` — ${err.description}` : ''}`,
						);
					else console.log(`${name}: ${JSON.stringify(rt.nodeItems(r.run, name))}`);
				}
				if (r.error) console.log(`error: ${r.error.message}`);
			} else {
				console.log(`no run JSON in the output (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
			}
			process.exitCode = r.ok ? 0 : 1;
			return;
		}
		case 'export-nodes': {
			const nodes = await rt.exportNodes({ userFolder: need(userFolder, '--user-folder'), log });
			const names = [...new Set(nodes.map((n) => n.name))]
				.filter((n) => !opts.grep || n.includes(opts.grep))
				.sort();
			console.log(names.join('\n'));
			process.stderr.write(`${names.length} of ${nodes.length} node type versions\n`);
			return;
		}
		case 'n8n': {
			const r = await rt.runCli({
				args: rest,
				userFolder: need(userFolder, '--user-folder'),
				port,
				log,
				timeoutMs: 30 * 60 * 1000,
			});
			process.stdout.write(r.stdout);
			process.stderr.write(r.stderr);
			process.exitCode = r.code;
			return;
		}
		case 'start': {
			await rt.createUserFolder(need(userFolder, '--user-folder'));
			const srv = await rt.startServer({ userFolder, port: port || 5678, log });
			const stop = async () => {
				log('stopping n8n');
				await srv.stop();
				process.exit(0);
			};
			process.on('SIGINT', stop);
			process.on('SIGTERM', stop);
			if (opts.owner) {
				const creds = {
					email: opts.email || rt.DEFAULT_OWNER.email,
					password: opts.password || rt.DEFAULT_OWNER.password,
				};
				try {
					await rt.setupOwner({ port: srv.port, ...creds });
					log(`owner set up: ${creds.email} / ${creds.password}`);
				} catch (e) {
					log(`owner setup skipped: ${e.message.split('\n')[0]}`);
				}
			}
			log(`n8n is on ${srv.url} (log: ${srv.logFile}); Ctrl-C stops it`);
			const ex = await srv.exited;
			log(`n8n exited (${JSON.stringify(ex)})`);
			process.exitCode = 1;
			return;
		}
		case 'selftest': {
			const { selftest } = require('./selftest');
			const ok = await selftest({ keep: !!opts.keep, log });
			process.exitCode = ok ? 0 : 1;
			return;
		}
		case undefined:
		case 'help':
		case '--help':
		case '-h':
			process.stdout.write(USAGE);
			return;
		default:
			process.stderr.write(`unknown command ${cmd}\n\n${USAGE}`);
			process.exitCode = 2;
	}
}

main().catch((e) => {
	process.stderr.write(`[n8n-runtime] ${e && e.stack ? e.stack : e}\n`);
	process.exitCode = 1;
});
