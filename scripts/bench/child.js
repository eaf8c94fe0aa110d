// @ts-check
'use strict';
/**
 * One measured thing, in a process of its own: `node child.js '<json config>'`.
 *
 * Workers (started with an IPC channel; they warm up, send { ready }, then run one measured pass
 * for each { cmd: 'pass', id } and answer { id, result }), so the runner can alternate them:
 *   floor        plain undici loop over the prepared bodies, one keep-alive connection
 *   client       the node's GatewayClient in a plain loop (its transport, without n8n)
 *   engine       the node through n8n-core's WorkflowExecute
 *
 * One-shot modes (print their result as the line `BENCH_RESULT {json}`):
 *   xml          XML building and escaping alone (and parse + build, what a forward does)
 *   memory       peak memory of the node for many items (run with --expose-gc)
 *   concurrency  the node's "Concurrent Recipients" option, against the simulator's latency
 *
 * Every timed mode warms up first (one untimed pass), then times `reps` passes; each pass gets
 * its own connection pool (as each execution of the node does) and the simulator's count of
 * new TCP connections during it.
 */
const { performance } = require('node:perf_hooks');

const workload = require('./workload');
const sim = require('./control');

const config = JSON.parse(process.argv[2] ?? '{}');

/** Runs `pass` (which returns the ms it took) with the simulator's connection count around it. */
async function measured(pass) {
	await sim.reset(config.control);
	const before = (await sim.stats(config.control)).main;
	const ms = await pass();
	// Let the simulator see the pool's sockets close before the next pass counts its own.
	await new Promise((resolve) => setTimeout(resolve, 20));
	const after = (await sim.stats(config.control)).main;
	return {
		ms,
		connections: after.connections - before.connections,
		sent: after.sent - before.sent,
		calls: after.gatewayCalls - before.gatewayCalls,
	};
}

/** Returns a function that runs one measured pass; warms up first. */
async function floorWorker() {
	const { Agent, request } = require('undici');
	const items = workload.makeItems(config.items);
	const endpoint = workload.endpointOf(config.baseUrl);
	const bodies = items.map(workload.bodyOf);
	const headers = { 'content-type': 'application/json', accept: 'application/json' };
	const pass = async () => {
		const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
		const start = performance.now();
		for (const body of bodies) {
			const response = await request(endpoint, { method: 'POST', headers, body, dispatcher });
			await response.body.text();
			if (response.statusCode !== 200) throw new Error(`floor: HTTP ${response.statusCode}`);
		}
		const ms = performance.now() - start;
		await dispatcher.close();
		return ms;
	};
	await measured(pass); // warm-up
	return async () => {
		const p = await measured(pass);
		if (p.sent !== items.length)
			throw new Error(`floor: the simulator accepted ${p.sent} of ${items.length}`);
		return { ...p, perSecond: (items.length / p.ms) * 1000 };
	};
}

/** The node's own transport (GatewayClient from dist/, one per pass, as per execution) in a plain loop. */
async function clientWorker() {
	const { GatewayClient, appMsgCall } = workload.dist('transport/client.js');
	const { readSentMessage } = workload.dist('transport/reply.js');
	const { gatewaySettingsFrom } = workload.dist('transport/settings.js');
	const items = workload.makeItems(config.items);
	const settings = gatewaySettingsFrom(credentials());
	const pass = async () => {
		const client = new GatewayClient(settings, { connections: 1 });
		const start = performance.now();
		for (const item of items) readSentMessage(await client.callCgi(appMsgCall(item.to, item.xml)));
		const ms = performance.now() - start;
		await client.close();
		return ms;
	};
	await measured(pass); // warm-up
	return async () => {
		const p = await measured(pass);
		if (p.sent !== items.length)
			throw new Error(`client: the simulator accepted ${p.sent} of ${items.length}`);
		return { ...p, perSecond: (items.length / p.ms) * 1000 };
	};
}

function credentials() {
	return { baseUrl: config.baseUrl, wxid: workload.SENDER, timeout: 10 };
}

/** One run of the node; returns the node's own time (engine hooks) and its output. */
async function nodePass(runNode, items, parameters) {
	let start = 0;
	let end = 0;
	const result = await runNode({
		parameters,
		credentials: credentials(),
		items,
		onNode: { before: () => (start = performance.now()), after: () => (end = performance.now()) },
	});
	if (result.error) throw new Error(`the node failed: ${result.error.message}`);
	return { ms: end - start, executionTime: result.executionTime, items: result.items };
}

async function engineWorker() {
	const { runNode } = require('./engine');
	const items = workload.makeItems(config.items);
	// `constant`: one fixed message to one chat for every item, without any expression, to show
	// what n8n's per-item expression evaluation costs.
	const constant = config.constant
		? workload.constantParameters(undefined, config.options)
		: undefined;
	const parameters = constant ? constant.parameters : workload.nodeParameters(config.options);
	const bodyFor = (i) => workload.bodyOf(constant ? constant.item : items[i]);
	let last;
	const pass = async () => {
		last = await nodePass(runNode, items, parameters);
		return last.ms;
	};
	await measured(pass); // warm-up
	// The bodies the gateway received are byte for byte those the floor posts.
	const received = await sim.bodies(config.control, 0, items.length);
	const differing = received.filter((body, i) => body !== bodyFor(i)).length;
	if (received.length !== items.length || differing)
		throw new Error(`engine: ${differing} of ${received.length} bodies differ from the floor's`);
	return async () => {
		const p = await measured(pass);
		const first = (await sim.messages(config.control, 0, 1))[0];
		const out = last.items;
		const okCount = out.filter((item) => item.json.Ret === 0).length;
		if (okCount !== items.length || p.sent !== items.length)
			throw new Error(`engine: ${okCount} of ${items.length} items have Ret 0`);
		return {
			...p,
			perSecond: (items.length / p.ms) * 1000,
			executionTime: last.executionTime,
			newMsgIdExact:
				out[0].json.NewMsgId === first.newMsgId && /^\d{19}$/.test(String(first.newMsgId)),
			newMsgIdSample: { node: out[0].json.NewMsgId, gateway: first.newMsgId },
		};
	};
}

async function xml() {
	const { buildAppMsgXml } = workload.dist('appmsg/build.js');
	const { parseAppMsgXml } = workload.dist('appmsg/parse.js');
	const items = workload.makeItems(config.items);
	const appMsgs = items.map((item) => parseAppMsgXml(item.xml).appMsg);
	const rate = (fn, count) => {
		for (let i = 0; i < count; i++) fn(i % count); // warm-up
		let done = 0;
		const start = performance.now();
		while (performance.now() - start < config.seconds * 1000) {
			for (let i = 0; i < count; i++) fn(i);
			done += count;
		}
		return (done / (performance.now() - start)) * 1000;
	};
	let sink = 0;
	const build = rate((i) => (sink += buildAppMsgXml(appMsgs[i]).length), appMsgs.length);
	const forward = rate((i) => (sink += workload.nodeXmlOf(items[i].xml).length), items.length);
	return {
		buildPerSecond: build,
		parseAndBuildPerSecond: forward,
		averageXmlChars: items.reduce((n, i) => n + i.xml.length, 0) / items.length,
		sink: sink > 0,
	};
}

async function memory() {
	if (typeof global.gc !== 'function') throw new Error('memory: run with --expose-gc');
	const gc = /** @type {() => void} */ (global.gc);
	const { runNode } = require('./engine');
	const parameters = workload.nodeParameters(config.options);
	await nodePass(runNode, workload.makeItems(200, undefined, 0), parameters); // warm-up: code loaded and compiled
	const items = workload.makeItems(config.items);
	let base;
	let peak;
	let sampler;
	let afterRun;
	// `live`: collect garbage before every sample, so the peak is what the run really holds.
	const sample = () => {
		if (config.live) gc();
		const m = process.memoryUsage();
		peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
		peak.rss = Math.max(peak.rss, m.rss);
		peak.external = Math.max(peak.external, m.external + m.arrayBuffers);
	};
	const result = await runNode({
		parameters,
		credentials: credentials(),
		items,
		onNode: {
			before: () => {
				gc();
				const m = process.memoryUsage();
				base = { heapUsed: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
				peak = { ...base };
				sampler = setInterval(sample, config.live ? 1000 : 1);
			},
			after: () => {
				clearInterval(sampler);
				sample();
				afterRun = process.memoryUsage();
			},
		},
	});
	if (result.error) throw new Error(`memory: the node failed: ${result.error.message}`);
	if (result.items.length !== items.length)
		throw new Error(`memory: ${result.items.length} outputs for ${items.length} items`);
	gc();
	const retained = process.memoryUsage();
	const per = (a, b) => (a - b) / items.length;
	return {
		items: items.length,
		live: !!config.live,
		base,
		peak,
		bytesPerItem: {
			peakHeap: per(peak.heapUsed, base.heapUsed),
			peakRss: per(peak.rss, base.rss),
			retainedHeap: per(retained.heapUsed, base.heapUsed),
		},
		outputItems: result.items.length,
		afterRunHeap: afterRun?.heapUsed,
	};
}

async function concurrency() {
	const { runNode } = require('./engine');
	const { makeItems } = workload;
	const total = config.messages;
	const shapes = config.shapes.map(({ name, recipients }) => {
		const count = total / recipients;
		const base = makeItems(count);
		const items = base.map((item, i) => ({
			xml: item.xml,
			to:
				recipients === 1
					? item.to
					: Array.from({ length: recipients }, (_, r) => `wxid_bench_${i * recipients + r}`),
		}));
		return { name, recipients, items };
	});
	// Warm-up at this latency, untimed.
	await nodePass(runNode, shapes[0].items.slice(0, 1), workload.nodeParameters({ concurrency: 4 }));
	const rows = [];
	for (const shape of shapes) {
		for (const lanes of config.levels) {
			const p = await measured(
				async () =>
					(await nodePass(runNode, shape.items, workload.nodeParameters({ concurrency: lanes })))
						.ms,
			);
			if (p.sent !== total)
				throw new Error(`concurrency: the simulator accepted ${p.sent} of ${total}`);
			rows.push({
				shape: shape.name,
				items: shape.items.length,
				recipientsPerItem: shape.recipients,
				concurrency: lanes,
				ms: p.ms,
				perSecond: (total / p.ms) * 1000,
				connections: p.connections,
			});
		}
	}
	return { latencyMs: config.latencyMs, messages: total, rows };
}

/** Workers stay up and run one pass per request, so the runner can alternate floor and node passes. */
const workers = { floor: floorWorker, client: clientWorker, engine: engineWorker };
const modes = { xml, memory, concurrency };

async function serve(makeWorker) {
	const pass = await makeWorker();
	const send = (message) => process.send?.(message);
	process.on('message', (message) => {
		if (message?.cmd === 'exit') process.exit(0);
		if (message?.cmd !== 'pass') return;
		pass().then(
			(result) => send({ id: message.id, result }),
			(error) => send({ id: message.id, error: String(error?.stack ?? error) }),
		);
	});
	process.on('disconnect', () => process.exit(0));
	send({ ready: true });
}

(async () => {
	if (workers[config.mode]) return serve(workers[config.mode]);
	const mode = modes[config.mode];
	if (!mode) throw new Error(`unknown mode ${config.mode}`);
	const result = await mode();
	process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
})().catch((error) => {
	console.error(error && error.stack ? error.stack : error);
	process.exit(1);
});
