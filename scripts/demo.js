#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: the node doing its main job inside a real n8n, from a fresh clone.
 *
 *  1. builds this package and packs it (`npm pack`), as it would be published;
 *  2. prepares a real n8n (pinned, cached between runs: scripts/n8n-runtime) in a temporary user
 *     folder and installs the tarball the way n8n installs a community package;
 *  3. starts the gateway simulator on 127.0.0.1 (a free port), with the demo account logged in;
 *  4. imports the example credential (pointed at the simulator) and every workflow in examples/;
 *  5. runs each example that starts with a Manual Trigger through `n8n execute`, one per operation;
 *  6. prints what n8n returned (operation, recipient, NewMsgId, ClientMsgId, Ret) and what the
 *     simulator received, and checks that the two agree;
 *  7. receiving: starts `n8n start` with the example "trigger → forward back" active, pushes
 *     messages through the simulator's socket, and shows each one arriving, parsed and forwarded
 *     (or left alone), with the account's own echoes causing nothing.
 *
 * Exits non-zero if anything failed. Everything it started is stopped at the end, also on error
 * or Ctrl-C, and the temporary n8n folder is removed (keep it with --keep).
 *
 *   npm run demo [-- --keep] [-- --jobs=N]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const lib = require('./lib/instance');
const { startGatewaySimulator } = require('../simulator/gateway');
const triggerLoop = require('./lib/triggerLoop');

const { rt, seconds } = lib;

function parseArgs(argv) {
	const args = { keep: false, jobs: lib.defaultJobs() };
	for (const a of argv) {
		if (a === '--keep') args.keep = true;
		else if (a.startsWith('--jobs=')) args.jobs = Math.max(1, Number(a.slice(7)) || 1);
		else if (a === '--help' || a === '-h') {
			process.stdout.write(
				'npm run demo [-- --keep] [-- --jobs=N]\n  --keep    keep the temporary n8n user folder (its path is printed)\n  --jobs=N  n8n executions at once (default: up to 3)\n',
			);
			process.exit(0);
		} else throw new Error(`unknown option ${a} (try --help)`);
	}
	return args;
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (line) => say(`• ${line}`);

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const started = Date.now();
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-demo-'));
	let simulator;
	let server;
	const cleanup = lib.onShutdown(async () => {
		if (server) await server.stop();
		if (simulator) await simulator.close();
		if (args.keep) say(`kept the n8n user folder: ${work}`);
		else fs.rmSync(work, { recursive: true, force: true });
	});

	try {
		say('WeChat Gateway node: demo in a real n8n\n');
		await lib.buildPackage({ log: step });
		const tarball = await lib.packPackage({ outDir: path.join(work, 'pack'), log: step });

		const ensureStarted = Date.now();
		const runtime = await rt.ensureRuntime({ log: (m) => step(`runtime: ${m}`) });
		step(
			`n8n ${runtime.version} on Node ${runtime.nodeVersion} ready (${seconds(Date.now() - ensureStarted)}; cache ${runtime.cacheDir})`,
		);

		simulator = await startGatewaySimulator({
			host: '127.0.0.1',
			port: 0,
			accounts: [lib.DEMO_ACCOUNT],
			commandResponses: lib.exampleCommandResponses(),
		});
		step(`gateway simulator on ${simulator.url} (logged-in account ${lib.DEMO_ACCOUNT})`);

		const examples = lib.loadExampleWorkflows();
		const userFolder = path.join(work, 'n8n');
		await lib.prepareInstance({
			userFolder,
			tarball,
			credentials: lib.exampleCredentials(simulator.url, simulator),
			workflows: examples.map((e) => e.workflow),
			log: step,
		});

		const runnable = examples
			.filter((e) => lib.runsFromCli(e.workflow))
			.map((e) => e.workflow)
			.sort(lib.byOperation);
		const skipped = examples
			.filter((e) => !lib.runsFromCli(e.workflow))
			.map((e) => e.workflow.name);
		step(`running ${runnable.length} workflows with n8n execute (${args.jobs} at a time)…`);
		const runStarted = Date.now();
		const results = await lib.runExamples({
			userFolder,
			workflows: runnable,
			jobs: args.jobs,
			onDone: (r) => {
				const ok = lib.succeeded(r.result);
				step(
					`  ${ok ? 'ok    ' : 'FAILED'} ${r.workflow.name} (${seconds(r.result.ms)})${r.result.exitWarning ? `; note: ${r.result.exitWarning}` : ''}`,
				);
			},
		});
		step(`executions done in ${seconds(Date.now() - runStarted)}`);

		const failures = report({ results, simulator, skipped });

		say('\nReceiving: the WeChat Gateway Trigger in `n8n start`, the example workflow active\n');
		simulator.reset();
		const receiving = await triggerLoop.startWithActiveTriggers({
			userFolder,
			simulator,
			log: step,
		});
		server = receiving.server;
		step(`active: ${receiving.active.map((w) => w.name).join('; ')}; its socket is connected`);
		const loop = await triggerLoop.runLoop({ simulator, account: lib.DEMO_ACCOUNT });
		say();
		say(lib.table(loop.rows, { indent: '  ' }));
		say(
			`\n  ${loop.forwards} forwards; each came back over the socket as the account's own frame (${loop.echoes} echoes) and started nothing.`,
		);
		failures.push(...loop.problems);
		say();
		if (failures.length) {
			say(
				`Demo FAILED (${failures.length} problem${failures.length === 1 ? '' : 's'}) after ${seconds(Date.now() - started)}:`,
			);
			for (const f of failures) say(`  - ${f}`);
			process.exitCode = 1;
		} else {
			say(
				`Demo passed in ${seconds(Date.now() - started)}: every operation ran in n8n ${runtime.version}, n8n's NewMsgIds are the simulator's, and received messages were forwarded back once each, without a loop.`,
			);
			say('Next: `npm start` opens the same set-up in the n8n editor on http://127.0.0.1:5678.');
		}
	} catch (error) {
		say(`\nDemo FAILED: ${error && error.stack ? error.stack : error}`);
		process.exitCode = 1;
	} finally {
		await cleanup();
	}
}

/** The cgi commands that send a message (from the node built in dist/, which the demo built). */
function messageCgis() {
	const { CGI } = require('../dist/nodes/WeChatGateway/wechat');
	return new Set([CGI.sendAppMsg, CGI.sendText, CGI.sendImage, CGI.sendVoice, CGI.sendEmoji]);
}

/** An answer without a message id, shortly: its first fields, each cut. */
function answerOf(json) {
	const shown = Object.entries(json)
		.filter(([key]) => !['ToUserName', 'Ret', 'ErrMsg'].includes(key))
		.slice(0, 3)
		.map(([key, value]) => `${key}=${JSON.stringify(value)?.slice(0, 24) ?? ''}`);
	return shown.join(' ') || '(empty answer)';
}

/** Prints the tables; returns a list of problems (empty when everything agreed). */
function report({ results, simulator, skipped }) {
	const failures = [];
	const rows = [['operation', 'recipient', 'NewMsgId', 'ClientMsgId', 'Ret']];
	const parsed = [['item', 'typeName', 'title', 'fromUsername']];
	const fromN8n = [];
	for (const { workflow, result, nodes } of results) {
		if (!lib.succeeded(result)) {
			const message = result.error
				? result.error.message
				: `n8n execute exited ${result.code}${result.status ? ` (run status ${result.status})` : ''}`;
			failures.push(`${workflow.name}: ${message}`);
			if (!result.run)
				failures.push(
					`  (no run output; last lines: ${lib.tail(result.stdout + result.stderr, 600)})`,
				);
		}
		for (const node of nodes) {
			if (!node.items) {
				failures.push(`${workflow.name}: node "${node.name}" did not run`);
				continue;
			}
			if (node.operation === 'parseAppMsgXml') {
				node.items.forEach(({ json }, i) =>
					parsed.push([String(i), json.typeName ?? '', json.title ?? '', json.fromUsername ?? '']),
				);
				rows.push([
					'parseAppMsgXml',
					'(sends nothing)',
					`${node.items.length} messages parsed`,
					'',
					'',
				]);
				continue;
			}
			for (const { json } of node.items) {
				if (json.error) {
					failures.push(`${workflow.name}: ${json.error}`);
					rows.push([node.operation, json.ToUserName ?? '', 'error', '', json.Ret ?? '']);
					continue;
				}
				if (node.operation === 'callGatewayCommand') {
					// A command's answer is its ResponseData; the simulator's echo names the id it issued.
					const id = json.ResponseData?.NewMsgId;
					rows.push([
						node.operation,
						json.ToUserName ?? '(no chat)',
						`cgi ${json.CgiCmd}: ${id ?? answerOf(json.ResponseData ?? {})}`,
						'',
						json.Ret,
					]);
					if (id !== undefined)
						fromN8n.push({ workflow: workflow.name, ToUserName: json.ToUserName, NewMsgId: id });
					continue;
				}
				if (json.NewMsgId === undefined) {
					// A read (contact, group, account) or an action on a chat (revoke, pat, remove
					// members): an answer, not a message, so it has no id to compare.
					rows.push([node.operation, json.ToUserName ?? '', answerOf(json), '', json.Ret ?? '']);
					continue;
				}
				const part = json.parts ? ` (part ${json.part}/${json.parts})` : '';
				rows.push([
					node.operation + part,
					json.ToUserName,
					json.NewMsgId,
					json.ClientMsgId,
					json.Ret,
				]);
				fromN8n.push({ workflow: workflow.name, ...json });
			}
		}
	}
	say('\nWhat n8n returned (output items of the WeChat Gateway nodes):\n');
	say(lib.table(rows, { indent: '  ' }));
	if (parsed.length > 1) {
		say('\nparseAppMsgXml read these received messages:\n');
		say(lib.table(parsed, { indent: '  ' }));
	}

	const messages = simulator.messages;
	const refused = simulator.calls.filter((c) => c.ret !== undefined && c.ret !== 0);
	say(
		`\nWhat the gateway simulator received (${messages.length} message${messages.length === 1 ? '' : 's'}, ${refused.length} refused):\n`,
	);
	const received = [['#', 'from', 'to', 'NewMsgId', 'what (AppMsgXml)']];
	for (const m of messages)
		received.push([
			String(m.callNumber),
			m.wxid,
			m.toUserName ?? '',
			m.newMsgId,
			lib.describeMessage(m),
		]);
	say(lib.table(received, { indent: '  ' }));
	for (const c of refused)
		failures.push(
			`the simulator refused call ${c.callNumber} to ${c.toUserName}: Ret ${c.ret} ${c.errMsg}`,
		);

	// n8n's ids must be the simulator's, digit for digit (64-bit ids do not fit a JS number)
	const byId = new Map(messages.map((m) => [m.newMsgId, m]));
	for (const item of fromN8n) {
		const m = byId.get(item.NewMsgId);
		if (!m)
			failures.push(
				`${item.workflow}: NewMsgId ${item.NewMsgId} was never issued by the simulator`,
			);
		else if (m.toUserName !== item.ToUserName || m.clientMsgId !== item.ClientMsgId) {
			failures.push(
				`${item.workflow}: NewMsgId ${item.NewMsgId} went to ${m.toUserName} (${m.clientMsgId}), n8n says ${item.ToUserName} (${item.ClientMsgId})`,
			);
		}
	}
	// Every message the simulator took (a cgi that sends one) is one n8n reported; its other
	// calls (reads, revoke, pat, remove members) answered an item above without a message id.
	const reported = new Set(fromN8n.map((item) => item.NewMsgId));
	const sending = messageCgis();
	const sentMessages = messages.filter((m) => sending.has(m.cgiCmd));
	for (const m of sentMessages)
		if (!reported.has(m.newMsgId))
			failures.push(
				`the simulator took message ${m.newMsgId} (cgi ${m.cgiCmd} to ${m.toUserName}), which n8n did not report`,
			);
	if (fromN8n.length !== new Set(fromN8n.map((item) => item.NewMsgId)).size)
		failures.push('n8n reported one NewMsgId for two messages');
	const operations = new Set(results.flatMap((r) => r.nodes.map((n) => n.operation)));
	say(
		`\nChecked: ${fromN8n.length} messages in n8n's output, ${sentMessages.length} messages and ${messages.length - sentMessages.length} other calls received, same NewMsgId, ClientMsgId and recipient for each message; operations run: ${[...operations].join(', ')}.`,
	);
	if (skipped.length)
		say(
			`Imported but not executed (they start from a form, a webhook or a chat; open them with \`npm start\`): ${skipped.join('; ')}.`,
		);
	return failures;
}

main();
