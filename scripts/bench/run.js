#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run bench`: this node against the raw HTTP floor and n8n's HTTP Request node, side by
 * side, on the gateway simulator over loopback (no latency, pacing off). See
 * scripts/bench/README.md for what each figure is and how it is measured.
 *
 *   --rounds=N       alternating floor/node passes in the engine (default 5)
 *   --n8n-rounds=N   executions of each n8n workflow (default 2; 0 skips real n8n)
 *   --no-build       do not run `npm run build` first
 *   --write-doc      also write scripts/bench/PERFORMANCE.md (the text of docs/PERFORMANCE.md)
 *   --engine-only    only (1) and (2): the alternating floor/node rounds, then their ratios
 *   --scale-accounts=N  accounts for the queue-mode figure (scripts/bench/scale.js; default 8, 0 skips)
 *
 * BENCH_PACKAGE_DIR=<dir> measures another checkout of the package (built there) instead.
 * Before it, `scale: accounts=N workers=2 sentPerSec=X paceViolations=V` (queue mode, scale.js).
 * Ends with one line: `bench: node/floor=R1 node/httpRequestNode=R2 connections=N bytesPerItem=M xmlPerSec=X`,
 * then the trigger's: `trigger: parsedFilteredPerSec=X endToEndPerSec=Y frames=N lost=0 duplicated=0`,
 * then media's: `media: imageMBps=X peakRssOverPayload=Y triggerMediaParsedPerSec=Z voiceWavRealtimeX=W`
 * (media.js).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const workload = require('./workload');

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
	const found = args.find((a) => a.startsWith(`--${name}=`));
	return found ? Number(found.split('=')[1]) : fallback;
};

const ITEMS = 2000;
const MEMORY_ITEMS = 10_000;
const ROUNDS = option('rounds', 5);
const N8N_ROUNDS = option('n8n-rounds', 2);
const SCALE_ACCOUNTS = option('scale-accounts', 8);
const LATENCY_MS = 20;
const CONCURRENCY = {
	messages: 160,
	levels: [1, 4, 8, 16],
	shapes: [
		{ name: 'one item, 160 recipients', recipients: 160 },
		{ name: '20 items, 8 recipients each', recipients: 8 },
		{ name: '160 items, 1 recipient each', recipients: 1 },
	],
};
const WORK_DIR = path.join(workload.ROOT, '.bench');

const started = Date.now();
const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const int = (n) => Math.round(n).toLocaleString('en-US');
const fixed = (n, digits = 2) => n.toFixed(digits);

/** The measured package's commit, and whether its node or credential sources differ from it. */
function packageVersion() {
	try {
		const git = (...gitArgs) =>
			execFileSync('git', gitArgs, {
				cwd: workload.PACKAGE_ROOT,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}).trim();
		const commit = git('rev-parse', '--short', 'HEAD');
		const dirty = git('status', '--porcelain', '--', 'nodes', 'credentials') !== '';
		return `${commit}${dirty ? ' with uncommitted changes in nodes/ or credentials/' : ''}`;
	} catch {
		return 'not a git checkout';
	}
}

function machine() {
	const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
	const model =
		/model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
	let nproc = String(os.availableParallelism?.() ?? os.cpus().length);
	try {
		nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
	} catch {
		/* keep Node's count */
	}
	return {
		cpu: model,
		nproc,
		memoryGiB: os.totalmem() / 1024 ** 3,
		node: process.version,
		os: `${os.type()} ${os.release()}`,
	};
}

async function main() {
	const procs = require('./procs');
	const info = machine();
	const loadBefore = os.loadavg();
	if (!flag('no-build')) {
		log(`building ${path.relative(process.cwd(), workload.PACKAGE_ROOT) || '.'} (npm run build)…`);
		execFileSync('npm', ['run', '--silent', 'build'], {
			cwd: workload.PACKAGE_ROOT,
			stdio: ['ignore', 'ignore', 'inherit'],
		});
	}
	const tpls = workload.templates();
	const sample = workload.makeItems(ITEMS, tpls);
	const averageXml = sample.reduce((n, item) => n + item.xml.length, 0) / sample.length;
	const averageBody =
		sample.reduce((n, item) => n + Buffer.byteLength(workload.bodyOf(item)), 0) / sample.length;
	const constXml = workload.constantParameters(tpls).item.xml.length;

	const sim = await procs.startSimulator();
	const control = require('./control');
	const base = { items: ITEMS, baseUrl: sim.urls.main, control: sim.control };
	const result = {
		machine: info,
		packageVersion: packageVersion(),
		loadBefore,
		items: ITEMS,
		averageXml,
		averageBody,
		constXml,
		phases: {},
	};
	let phaseStart = started;
	const phase = (name) => {
		result.phases[name] = (Date.now() - phaseStart) / 1000;
		phaseStart = Date.now();
	};
	phase('build');
	try {
		// (1), (2): floor and node passes alternate, each in its own warmed-up process.
		log(
			`(1)(2) floor and node through n8n-core's engine: ${ROUNDS} alternating rounds of ${ITEMS} messages…`,
		);
		const floor = await procs.startWorker({ ...base, mode: 'floor' });
		const client = await procs.startWorker({ ...base, mode: 'client' });
		const node = await procs.startWorker({ ...base, mode: 'engine' });
		const nodeConst = await procs.startWorker({ ...base, mode: 'engine', constant: true });
		const rounds = [];
		for (let r = 0; r < ROUNDS; r++) {
			const f = await floor.pass();
			const t = await client.pass();
			const n = await node.pass();
			const c = await nodeConst.pass();
			rounds.push({ floor: f, client: t, node: n, nodeConst: c });
			log(
				`  round ${r + 1}: floor ${int(f.perSecond)}/s, node's transport ${int(t.perSecond)}/s, node ${int(n.perSecond)}/s, node without expressions ${int(c.perSecond)}/s`,
			);
		}
		floor.stop();
		client.stop();
		node.stop();
		nodeConst.stop();
		phase('engine');
		result.engine = {
			rounds,
			floorPerSecond: median(rounds.map((r) => r.floor.perSecond)),
			nodePerSecond: median(rounds.map((r) => r.node.perSecond)),
			nodeConstPerSecond: median(rounds.map((r) => r.nodeConst.perSecond)),
			clientPerSecond: median(rounds.map((r) => r.client.perSecond)),
			clientRatio: median(rounds.map((r) => r.client.perSecond / r.floor.perSecond)),
			clientConnections: Math.max(...rounds.map((r) => r.client.connections)),
			ratio: median(rounds.map((r) => r.node.perSecond / r.floor.perSecond)),
			constRatio: median(rounds.map((r) => r.nodeConst.perSecond / r.floor.perSecond)),
			floorConnections: Math.max(...rounds.map((r) => r.floor.connections)),
			nodeConnections: Math.max(...rounds.map((r) => r.node.connections)),
			nodeConstConnections: Math.max(...rounds.map((r) => r.nodeConst.connections)),
			newMsgIdExact: rounds.every((r) => r.node.newMsgIdExact),
			newMsgIdSample: rounds[0].node.newMsgIdSample,
		};
		if (flag('engine-only')) return result;

		// (3) the real n8n.
		if (N8N_ROUNDS > 0) {
			log(`(3) real n8n: HTTP Request node and this node, ${N8N_ROUNDS} execution(s) each…`);
			const n8n = require('./n8n');
			const measured = await n8n.measure({
				workDir: WORK_DIR,
				urls: sim.urls,
				control: sim.control,
				items: ITEMS,
				rounds: N8N_ROUNDS,
				log,
			});
			const summary = (runs) => ({
				executionTime: median(runs.map((r) => r.executionTime)),
				perSecond: median(runs.map((r) => r.perSecond)),
				connections: Math.max(...runs.map((r) => r.connections)),
				newMsgId: runs[0].newMsgId,
				warmedUpFirst: runs.every((r) => r.warmedUpFirst),
			});
			const { http, wechat, wechatConst } = measured.runs;
			result.n8n = {
				version: measured.setup.n8nVersion,
				nodeVersion: measured.setup.nodeVersion,
				setupMs: measured.setup.setupMs,
				http: summary(http),
				wechat: summary(wechat),
				wechatConst: summary(wechatConst),
				ratio: median(http.map((h, i) => wechat[i].perSecond / h.perSecond)),
				constRatio: median(http.map((h, i) => wechatConst[i].perSecond / h.perSecond)),
				runs: measured.runs,
			};
			phase('n8n');
		}

		// (7) the trigger: frames parsed and filtered alone, and a burst through n8n end to end.
		log('(7) the trigger: frames parsed and filtered alone, then a burst through n8n…');
		const triggerBench = require('./trigger');
		const alone = triggerBench.measureReceiver();
		const throughN8n =
			N8N_ROUNDS > 0 ? await triggerBench.measureN8n({ frames: 1000, log }) : undefined;
		result.trigger = { alone, n8n: throughN8n, line: triggerBench.line(alone, throughN8n) };
		log(`  ${result.trigger.line}`);
		phase('trigger');

		// (8) media: a 20 MB picture through the engine, and the trigger over media frames.
		log('(8) media: a 20 MB picture through the engine, then the trigger over media frames…');
		result.media = await require('./media').measureMedia({ mb: 20 });
		log(`  ${result.media.line}`);
		phase('media');

		// (4) XML alone.
		log('(4) XML building and escaping alone…');
		result.xml = await procs.runOnce({ mode: 'xml', items: ITEMS, seconds: 1.5 });
		phase('xml');

		// (5) memory.
		// Memory is not a matter of time: both runs go at once, against the other simulator.
		log(`(5) peak memory for ${int(MEMORY_ITEMS)} items (two fresh processes, --expose-gc)…`);
		const memoryBase = { mode: 'memory', items: MEMORY_ITEMS, baseUrl: sim.urls.warm };
		[result.memory, result.memoryLive] = await Promise.all([
			procs.runOnce(memoryBase, { nodeArgs: ['--expose-gc'] }),
			// Live: garbage collected before each sample (every second), so only what the run holds
			// counts. Without --no-flush-bytecode every forced collection throws compiled code away and
			// the run crawls at a third of its speed.
			procs.runOnce(
				{ ...memoryBase, live: true },
				{ nodeArgs: ['--expose-gc', '--no-flush-bytecode'] },
			),
		]);
		phase('memory');

		// Concurrent Recipients at 20 ms.
		log(`concurrency: "Concurrent Recipients" with the simulator at ${LATENCY_MS} ms per call…`);
		await control.setLatency(sim.control, LATENCY_MS);
		result.concurrency = await procs.runOnce({
			...base,
			mode: 'concurrency',
			latencyMs: LATENCY_MS,
			...CONCURRENCY,
		});
		await control.setLatency(sim.control, 0);
		phase('concurrency');
	} finally {
		await sim.stop();
	}
	result.loadAfter = os.loadavg();
	result.seconds = (Date.now() - started) / 1000;
	return result;
}

function targets(r) {
	const memoryBytes = r.memoryLive.bytesPerItem.peakHeap;
	const list = [
		{
			what: '(2) node ≥ 0.8 × floor (msgs/s)',
			value: fixed(r.engine.ratio),
			holds: r.engine.ratio >= 0.8,
		},
		r.n8n && {
			what: '(3) node ≥ 3 × HTTP Request node, same n8n',
			value: fixed(r.n8n.ratio),
			holds: r.n8n.ratio >= 3,
		},
		{
			what: 'one connection per run',
			value: [r.engine.nodeConnections, r.n8n?.wechat.connections]
				.filter((v) => v !== undefined)
				.join(', '),
			holds: r.engine.nodeConnections === 1 && (!r.n8n || r.n8n.wechat.connections === 1),
		},
		{
			what: 'memory per item a few KB at most (peak live heap; without forced gc in brackets)',
			value: `${int(memoryBytes)} B (${int(r.memory.bytesPerItem.peakHeap)} B)`,
			holds: memoryBytes <= 4096,
		},
	];
	return list.filter(Boolean);
}

function report(r) {
	const e = r.engine;
	const lines = [];
	const push = (line = '') => lines.push(line);
	const m = r.machine;
	push(
		`Machine: ${m.cpu}, ${m.nproc} cores (nproc), ${fixed(m.memoryGiB, 1)} GiB RAM, ${m.os}; Node ${m.node.replace(/^v/, '')} (bench, engine)${r.n8n ? `, n8n ${r.n8n.version} on Node ${String(r.n8n.nodeVersion).replace(/^v/, '')}` : ''}.`,
	);
	push(
		`Package measured: ${require(path.join(workload.PACKAGE_ROOT, 'package.json')).version} at commit ${r.packageVersion}.`,
	);
	push(
		`Load average before/after: ${r.loadBefore.map((v) => fixed(v)).join(' ')} / ${r.loadAfter.map((v) => fixed(v)).join(' ')} (other work on the machine shows up as noise).`,
	);
	push(
		`Workload: ${int(r.items)} items, four kinds in turn (link, Channels video, mini program, file), each to its own chat; ` +
			`AppMsgXml ${int(r.averageXml)} chars, JSON body ${int(r.averageBody)} bytes on average; simulator in its own process on 127.0.0.1, no latency, pacing off.`,
	);
	push();
	const rows = [
		['', 'what (2,000 messages)', 'msgs/s', 'ms / 2,000', 'ratio', 'TCP connections'],
		[
			'1',
			'floor: plain undici loop, prepared bodies, 1 keep-alive connection',
			int(e.floorPerSecond),
			int((r.items / e.floorPerSecond) * 1000),
			'1.00 (floor)',
			String(e.floorConnections),
		],
		[
			'1b',
			'  the node’s transport alone (its GatewayClient in the same loop)',
			int(e.clientPerSecond),
			int((r.items / e.clientPerSecond) * 1000),
			`${fixed(e.clientRatio)} of floor`,
			String(e.clientConnections),
		],
		[
			'2',
			'this node through n8n-core’s WorkflowExecute (engine harness)',
			int(e.nodePerSecond),
			int((r.items / e.nodePerSecond) * 1000),
			`${fixed(e.ratio)} of floor`,
			String(e.nodeConnections),
		],
		[
			'2b',
			`  same, no expressions (one fixed ${int(r.constXml)}-char message, one chat)`,
			int(e.nodeConstPerSecond),
			int((r.items / e.nodeConstPerSecond) * 1000),
			`${fixed(e.constRatio)} of floor`,
			String(e.nodeConstConnections),
		],
	];
	if (r.n8n) {
		const n = r.n8n;
		rows.push(
			[
				'3a',
				`n8n ${n.version}: HTTP Request node 4.2, same bodies`,
				int(n.http.perSecond),
				int(n.http.executionTime),
				'1.00 (HTTP Request)',
				String(n.http.connections),
			],
			[
				'3b',
				`n8n ${n.version}: this node, same items`,
				int(n.wechat.perSecond),
				int(n.wechat.executionTime),
				`${fixed(n.ratio)} × HTTP Request`,
				String(n.wechat.connections),
			],
			[
				'3c',
				`  same, no expressions (one fixed ${int(r.constXml)}-char message, one chat)`,
				int(n.wechatConst.perSecond),
				int(n.wechatConst.executionTime),
				`${fixed(n.constRatio)} × HTTP Request`,
				String(n.wechatConst.connections),
			],
		);
	}
	const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
	const md = (row) =>
		`| ${row.map((cell, c) => (c >= 2 && c <= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
	push(md(rows[0]));
	push(
		`| ${widths.map((w, c) => (c >= 2 && c <= 3 ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`,
	);
	for (const row of rows.slice(1)) push(md(row));
	push();
	push(
		`(1) to (2b): median of ${e.rounds.length} alternating passes, each measured thing in its own warmed-up process; the ratio is the median of the per-round ratios. Times of (2) are the node's own run, from n8n's nodeExecuteBefore to nodeExecuteAfter.`,
	);
	if (r.n8n) {
		push(
			`(3): \`n8n execute\` of an imported workflow (Code node makes the items; a warm-up branch of ${200} items runs the same node first, against another simulator). ` +
				`Times are the measured node's executionTime from the run data (runData[node][0].executionTime), not the process's wall time; median of ${r.n8n.runs.http.length} executions each.`,
		);
		push(
			`NewMsgId: the HTTP Request node returned ${r.n8n.http.newMsgId.returned} for ${r.n8n.http.newMsgId.gateway}${r.n8n.http.newMsgId.exact ? '' : ' (rounded)'}; this node returned ${r.n8n.wechat.newMsgId.returned} (${r.n8n.wechat.newMsgId.exact ? 'exact' : 'WRONG'}).`,
		);
	}
	push();
	push(
		`(4) XML alone: building and escaping ${int(r.xml.buildPerSecond)} messages/s; parse, check and rebuild of received XML (what a forward does) ${int(r.xml.parseAndBuildPerSecond)} messages/s.`,
	);
	const mem = r.memory.bytesPerItem;
	const live = r.memoryLive.bytesPerItem;
	const mb = (bytes) => `${fixed(bytes / 1024 ** 2, 0)} MB`;
	push(
		`(5) Memory, ${int(r.memory.items)} items through the engine, each run in a fresh process; baseline: heap after a forced gc when the node starts (input items already there). ` +
			`Peak live heap (gc before each sample) +${int(live.peakHeap)} B/item; peak heap without forced gc (garbage not yet collected included) +${int(mem.peakHeap)} B/item; ` +
			`left after the run (its output items) ${int(live.retainedHeap)} B/item. RSS: ${mb(r.memory.base.rss)} at the baseline, ${mb(r.memory.peak.rss)} at the peak.`,
	);
	push(`(6) TCP connections the simulator saw per run: in the table's last column.`);
	push();
	const c = r.concurrency;
	push(
		`"Concurrent Recipients" (options.concurrency) with the simulator at ${c.latencyMs} ms per call, ${c.messages} messages per run:`,
	);
	push();
	const shapes = [...new Set(c.rows.map((row) => row.shape))];
	const levels = [...new Set(c.rows.map((row) => row.concurrency))];
	push(`| shape | ${levels.map((l) => `concurrency ${l}`).join(' | ')} |`);
	push(`| --- | ${levels.map(() => '---:').join(' | ')} |`);
	for (const shape of shapes) {
		const cells = levels.map((l) => {
			const row = c.rows.find((x) => x.shape === shape && x.concurrency === l);
			return `${int(row.perSecond)}/s (${row.connections} conn.)`;
		});
		push(`| ${shape} | ${cells.join(' | ')} |`);
	}
	push();
	push(
		'The option spreads the recipients of one item over parallel connections; items still go one after another, so one recipient per item gains nothing. ' +
			'With more than one connection allowed, even one-at-a-time sending opens a second one: undici reuses a keep-alive connection only one event-loop turn after its answer, and the next request comes sooner.',
	);
	push();
	push('Targets:');
	push();
	push('| target | measured | holds |');
	push('| --- | --- | --- |');
	for (const t of targets(r)) push(`| ${t.what} | ${t.value} | ${t.holds ? 'yes' : 'no'} |`);
	const bounds = boundNotes(r);
	if (bounds.length) {
		push();
		push('What bounds the targets that do not hold (from the figures above):');
		push();
		for (const note of bounds) push(`- ${note}`);
	}
	return lines.join('\n');
}

/** For each target that does not hold, what bounds it, computed from this run's own figures. */
function boundNotes(r) {
	const notes = [];
	const perItem = (perSecond) => 1000 / perSecond;
	const ms = (value) => `${fixed(value, 2)} ms`;
	const e = r.engine;
	if (e.ratio < 0.8) {
		const floor = perItem(e.floorPerSecond);
		const transport = perItem(e.clientPerSecond) - floor;
		const engine = perItem(e.nodeConstPerSecond) - perItem(e.clientPerSecond);
		const expressions = perItem(e.nodePerSecond) - perItem(e.nodeConstPerSecond);
		notes.push(
			`(2): 0.8 of the floor leaves ${ms(floor / 0.8 - floor)} per message for everything the node adds to a round trip of ${ms(floor)}; ` +
				`it sends its items one after another on one connection, so all of its per-item work adds up: its transport ${ms(transport)} (1b against 1), ` +
				`reading the item's parameters in n8n's engine and parsing, checking and rebuilding the XML ${ms(engine)} (2b against 1b; the XML alone ${ms(perItem(r.xml.parseAndBuildPerSecond))}, figure 4), ` +
				`and the two expressions ({{ $json.to }}, {{ $json.xml }}) that n8n evaluates for every item ${ms(expressions)} (2 against 2b).`,
		);
	}
	const n = r.n8n;
	if (n && n.ratio < 3) {
		const http = n.http.executionTime / r.items;
		const expressions = n.wechat.executionTime / r.items - n.wechatConst.executionTime / r.items;
		notes.push(
			`(3): 3 × the HTTP Request node (${ms(http)} per item; it evaluates one expression per item and sends all ${int(r.items)} requests at once, each on a connection of its own) ` +
				`is ${ms(http / 3)} per item, against ${ms(perItem(e.floorPerSecond))} for one gateway round trip (the floor), which the node, sending one message after another, cannot go below. ` +
				`In n8n ${n.version}, which evaluates expressions in an isolated VM (its default "vm" engine), the node's two expressions alone cost ${ms(expressions)} per item (3b against 3c); ` +
				`without them the node is ${fixed(n.constRatio)} × the HTTP Request node.`,
		);
	}
	return notes;
}

function finalLine(r) {
	const connections = Math.max(r.engine.nodeConnections, r.n8n ? r.n8n.wechat.connections : 0);
	return (
		`bench: node/floor=${fixed(r.engine.ratio)} node/httpRequestNode=${r.n8n ? fixed(r.n8n.ratio) : 'n/a'} ` +
		`connections=${connections} bytesPerItem=${Math.round(r.memoryLive.bytesPerItem.peakHeap)} xmlPerSec=${Math.round(r.xml.buildPerSecond)}`
	);
}

/** The queue-mode line from scale.js (its own n8n main, workers, Redis and PostgreSQL). */
function scaleLine() {
	if (SCALE_ACCOUNTS <= 0) return undefined;
	const { spawnSync } = require('node:child_process');
	const result = spawnSync(
		process.execPath,
		[path.join(__dirname, 'scale.js'), `--accounts=${SCALE_ACCOUNTS}`, '--no-build'],
		{ stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
	);
	const line = (result.stdout || '').split('\n').find((l) => l.startsWith('scale: '));
	return line || `scale: failed (exit ${result.status})`;
}

main()
	.then((r) => {
		if (flag('engine-only')) {
			const e = r.engine;
			process.stdout.write(
				`engine: node/floor=${fixed(e.ratio)} transport/floor=${fixed(e.clientRatio)} noExpressions/floor=${fixed(e.constRatio)} rounds=${e.rounds.length}\n`,
			);
			process.exit(0);
		}
		const scale = scaleLine();
		const text = report(r);
		const line = finalLine(r);
		fs.mkdirSync(WORK_DIR, { recursive: true });
		fs.writeFileSync(path.join(WORK_DIR, 'last-run.json'), JSON.stringify(r, null, 2));
		const extraLines = [r.trigger, r.media]
			.filter(Boolean)
			.map((part) => `\n${part.line}`)
			.join('');
		fs.writeFileSync(path.join(WORK_DIR, 'last-run.md'), `${text}\n\n${line}${extraLines}\n`);
		if (flag('write-doc')) {
			const doc = [
				'## Performance',
				'',
				`Measured with \`npm run bench\` (${fixed(r.seconds, 0)} s), ${new Date().toISOString().slice(0, 10)}.`,
				'',
				text,
				'',
				'```',
				line,
				'```',
				'',
			].join('\n');
			fs.writeFileSync(path.join(__dirname, 'PERFORMANCE.md'), doc);
		}
		const phases = Object.entries(r.phases)
			.map(([name, seconds]) => `${name} ${fixed(seconds, 0)} s`)
			.join(', ');
		process.stdout.write(
			`\n${text}\n\nbench took ${fixed(r.seconds, 0)} s (${phases})\n${scale ? `${scale}\n` : ''}${line}${extraLines}\n`,
		);
		process.exit(0);
	})
	.catch((error) => {
		console.error(error && error.stack ? error.stack : error);
		process.exit(1);
	});
