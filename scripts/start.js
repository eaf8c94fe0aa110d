#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the demo's set-up, left running for a person. It builds and packs this package,
 * prepares the real n8n (pinned, cached), installs the package into a user folder that is kept
 * between runs (.runtime/n8n-start), starts the gateway simulator, imports the example credential
 * (pointed at the simulator) and the example workflows, starts the n8n editor on
 * http://127.0.0.1:5678, creates the owner account and prints how to log in. Ctrl-C stops n8n
 * and the simulator.
 *
 *   npm start [-- --port=5678] [-- --gateway-port=8080] [-- --fresh]
 *
 * --fresh starts over with an empty n8n (deletes .runtime/n8n-start first). Without it, what
 * you built in the editor stays; the examples and the credential are imported again each time
 * (same ids, so an edited example is replaced by the version in examples/).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

const lib = require('./lib/instance');
const { startGatewaySimulator } = require('../simulator/gateway');

const { rt, seconds } = lib;

const OWNER = {
	email: 'demo@example.com',
	password: 'WeChat-demo-1',
	firstName: 'Demo',
	lastName: 'Owner',
};

function parseArgs(argv) {
	const args = {
		port: Number(process.env.N8N_START_PORT || 5678),
		gatewayPort: Number(process.env.GATEWAY_PORT || 8080),
		fresh: false,
		folder: path.join(lib.REPO, '.runtime', 'n8n-start'),
	};
	for (const a of argv) {
		if (a === '--fresh') args.fresh = true;
		else if (a.startsWith('--port=')) args.port = Number(a.slice(7));
		else if (a.startsWith('--gateway-port=')) args.gatewayPort = Number(a.slice(15));
		else if (a === '--help' || a === '-h') {
			process.stdout.write(
				'npm start [-- --port=5678] [-- --gateway-port=8080] [-- --fresh]\n' +
					'  --port=N          n8n editor port on 127.0.0.1 (default 5678)\n' +
					'  --gateway-port=N  gateway simulator port (default 8080; a free one if taken)\n' +
					'  --fresh           start from an empty n8n (deletes .runtime/n8n-start)\n',
			);
			process.exit(0);
		} else throw new Error(`unknown option ${a} (try --help)`);
	}
	return args;
}

function portFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
	});
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (line) => say(`• ${line}`);

async function main() {
	const args = parseArgs(process.argv.slice(2));
	if (!(await portFree(args.port))) {
		throw new Error(
			`127.0.0.1:${args.port} is taken (another n8n?). Stop it, or choose another port: npm start -- --port=5680`,
		);
	}
	let simulator;
	let server;
	let watcher;
	let stopping = false;
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-start-'));
	const cleanup = lib.onShutdown(async () => {
		stopping = true;
		if (watcher) clearInterval(watcher);
		if (server) await server.stop();
		if (simulator) await simulator.close();
		fs.rmSync(packDir, { recursive: true, force: true });
	});

	try {
		say('WeChat Gateway node: n8n editor with the node ready\n');
		await lib.buildPackage({ log: step });
		const tarball = await lib.packPackage({ outDir: packDir, log: step });
		const ensureStarted = Date.now();
		const runtime = await rt.ensureRuntime({ log: (m) => step(`runtime: ${m}`) });
		step(
			`n8n ${runtime.version} on Node ${runtime.nodeVersion} ready (${seconds(Date.now() - ensureStarted)})`,
		);

		const gatewayPort = (await portFree(args.gatewayPort)) ? args.gatewayPort : 0;
		simulator = await startGatewaySimulator({
			host: '127.0.0.1',
			port: gatewayPort,
			accounts: [lib.DEMO_ACCOUNT],
			commandResponses: lib.exampleCommandResponses(),
		});
		step(
			`gateway simulator on ${simulator.url}${gatewayPort ? '' : ` (port ${args.gatewayPort} was taken)`}`,
		);

		if (args.fresh && fs.existsSync(args.folder)) step(`--fresh: starting over in ${args.folder}`);
		await lib.prepareInstance({
			userFolder: args.folder,
			tarball,
			reset: args.fresh,
			credentials: lib.exampleCredentials(simulator.url, simulator),
			workflows: lib.loadExampleWorkflows().map((e) => e.workflow),
			log: step,
		});

		server = await rt.startServer({
			userFolder: args.folder,
			port: args.port,
			env: lib.childEnv(),
		});
		step(`n8n editor up in ${seconds(server.ms)} (log: ${server.logFile})`);
		const login = await ensureOwner(server.port);
		const listening = await activateTriggerExamples(server.port);

		say();
		say(`  Open      ${server.url}/`);
		say(
			`  Log in    ${OWNER.email}  /  ${OWNER.password}${login === 'existing' ? '   (owner from an earlier run)' : ''}`,
		);
		say(`  Gateway   ${simulator.url}  (simulator; account ${lib.DEMO_ACCOUNT} logged in)`);
		say(
			`            received: GET ${simulator.url}/__simulator/messages   faults: POST ${simulator.url}/__simulator/faults`,
		);
		say('  Workflows examples/workflows, with the credential "WeChat Gateway (local simulator)":');
		for (const { workflow } of lib.loadExampleWorkflows())
			say(`            ${server.url}/workflow/${workflow.id}   ${workflow.name}`);
		for (const workflow of listening)
			say(
				`  Trigger   "${workflow.name}" is active. Push a message to it:\n            npm run gateway -- ws inject --url ${simulator.url} --sample miniProgram   (or file, link, text; also: burst, drop, stall)`,
			);
		say(`  Data      ${args.folder}  (kept; --fresh starts over)`);
		say(
			'\nMessages the simulator receives are printed below. Ctrl-C stops n8n and the simulator.\n',
		);

		watcher = watchSimulator(simulator);
		const exit = await server.exited;
		if (stopping) return;
		server = undefined;
		throw new Error(
			`n8n stopped by itself (exit ${exit.code ?? exit.signal}); see ${path.join(args.folder, 'n8n-start.log')}`,
		);
	} catch (error) {
		say(`\nnpm start FAILED: ${error && error.stack ? error.stack : error}`);
		process.exitCode = 1;
	} finally {
		await cleanup();
	}
}

/** Creates the owner on a new n8n; on one from an earlier run, checks that the printed login works. */
async function ensureOwner(port) {
	const settings = await rt.rest({ port, path: '/rest/settings' });
	const needsOwner =
		settings.data &&
		settings.data.userManagement &&
		settings.data.userManagement.showSetupOnFirstLoad;
	if (needsOwner) {
		await rt.setupOwner({ port, ...OWNER });
		step(`owner account created: ${OWNER.email}`);
		return 'created';
	}
	try {
		await rt.login({ port, email: OWNER.email, password: OWNER.password });
		return 'existing';
	} catch {
		step(
			`warning: the owner of ${port} is not ${OWNER.email} / ${OWNER.password} any more; use yours, or run: npm start -- --fresh`,
		);
		return 'changed';
	}
}

/**
 * Activates the examples that start with the WeChat Gateway Trigger, so a message pushed through
 * the simulator's socket runs them at once. Returns those workflows.
 */
async function activateTriggerExamples(port) {
	const { cookie } = await rt
		.login({ port, email: OWNER.email, password: OWNER.password })
		.catch(() => ({}));
	if (!cookie) return [];
	const active = [];
	for (const { workflow } of lib.loadExampleWorkflows()) {
		if (!lib.activatedByDemo(workflow)) continue;
		await rt.activateWorkflow({ port, cookie, id: workflow.id });
		active.push(workflow);
	}
	return active;
}

/** Prints every call the simulator answers, as it happens. */
function watchSimulator(simulator) {
	let seen = simulator.calls.length;
	return setInterval(() => {
		for (; seen < simulator.calls.length; seen++) {
			const call = simulator.calls[seen];
			// still being handled: wait for its answer (unless it hangs)
			if (call.ret === undefined && !call.fault && Date.now() - call.receivedAt < 5000) break;
			const time = call.at.slice(11, 19);
			if (call.ret === 0) {
				const m = simulator.messages.find((x) => x.callNumber === call.callNumber);
				say(
					`  ${time} gateway: sent to ${call.toUserName}  NewMsgId ${call.newMsgId}  ${m ? lib.describeMessage(m) : ''}`,
				);
			} else if (call.ret !== undefined && !call.toUserName) {
				say(
					`  ${time} gateway: credential test from ${call.query.wxid || '?'} answered Ret ${call.ret} (nothing sent)`,
				);
			} else if (call.ret !== undefined) {
				say(`  ${time} gateway: refused ${call.toUserName} Ret ${call.ret} ${call.errMsg || ''}`);
			} else
				say(
					`  ${time} gateway: ${call.fault ? `fault "${call.fault}" for` : 'no answer to'} ${call.toUserName || 'a call'}`,
				);
		}
	}, 300);
}

main();
