'use strict';
/**
 * Queue mode, for real: n8n main and two `n8n worker` processes (scripts/lib/queueMode.js) run
 * webhook-triggered workflows of the packed package, whose credentials share one account's
 * pace and ledger through the queue's Redis ("Coordination Redis URL"). Every assertion on
 * pace is made on what the gateway simulator received, on its own clock.
 *
 *   npm run test:queue        QUEUE_KEEP=1 keeps the temp folder
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const lib = require('../../scripts/lib/instance');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { runDataOf, sleep, startQueueMode, waitFor } = require('../../scripts/lib/queueMode');
const {
	WINDOW_SLACK_MS,
	arrivals,
	gapsOf,
	paceViolations,
	sendingWorkflow,
} = require('../../scripts/lib/queueScenario');

const T0 = Date.now();
const log = (m) => process.stderr.write(`[queue ${((Date.now() - T0) / 1000).toFixed(1)}s] ${m}\n`);

const ACCOUNTS = {
	shared: 'wxid_q_shared',
	other: 'wxid_q_other',
	window: 'wxid_q_window',
	kill: 'wxid_q_kill',
	outage: 'wxid_q_outage',
	alone: 'wxid_q_alone',
	once: 'wxid_q_once',
	crash: 'wxid_q_crash',
};
const PACE = { messageInterval: 1000, maxRecipientsPerMinute: 3 };
const WINDOW_PACE = { messageInterval: 200, maxRecipientsPerMinute: 2 };

const ctx = {};

/** Which worker ran an execution, from its log ("Worker started execution N"). */
function workerOf(executionId) {
	return ctx.q.workers.find((worker) =>
		new RegExp(`started execution ${executionId} \\(`).test(worker.log()),
	);
}

function outputOf(execution, nodeName = 'Send') {
	const runs = runDataOf(execution).runData[nodeName] ?? [];
	return runs.flatMap((run) => (run.data?.main?.[0] ?? []).map((item) => item.json));
}

beforeAll(
	async () => {
		await lib.buildPackage({ log });
		const tarball = await lib.packPackage({
			outDir: path.join(require('node:os').tmpdir(), `queue-pack-${process.pid}`),
			log,
		});
		ctx.sim = await startGatewaySimulator({ accounts: Object.values(ACCOUNTS) });
		// 5 slots a worker: the first test's 9 executions all run at once, and its 6 of one account
		// cannot all fit on one worker
		ctx.q = await startQueueMode({ tarball, workers: 2, concurrency: 5, log });
		const { q, sim } = ctx;
		const credential = async (name, wxid, coordinated = true) =>
			q.createCredential(name, 'weChatGatewayApi', {
				baseUrl: sim.url,
				wxid,
				...(coordinated ? { coordinationRedisUrl: q.redis.url } : {}),
			});
		ctx.creds = {};
		for (const [key, wxid] of Object.entries(ACCOUNTS))
			ctx.creds[key] = await credential(`queue ${key}`, wxid, key !== 'alone');
		const activate = (name, path, credential, options, extra) =>
			q.activateWorkflow(sendingWorkflow({ name, path, credential, options, ...extra }), path);
		ctx.wf = {
			sharedOne: await activate(
				'shared account, workflow one',
				'shared-one',
				ctx.creds.shared,
				PACE,
			),
			sharedTwo: await activate(
				'shared account, workflow two',
				'shared-two',
				ctx.creds.shared,
				PACE,
			),
			other: await activate('second account', 'other', ctx.creds.other, PACE),
			window: await activate('recipients window', 'window', ctx.creds.window, WINDOW_PACE),
			kill: await activate('killed worker', 'kill', ctx.creds.kill, {
				messageInterval: 300,
				maxRecipientsPerMinute: 0,
			}),
			outage: await activate(
				'redis outage',
				'outage',
				ctx.creds.outage,
				{ messageInterval: 300, maxRecipientsPerMinute: 0 },
				{ continueOnFail: true },
			),
			alone: await activate('not coordinated', 'alone', ctx.creds.alone, {
				messageInterval: 300,
				maxRecipientsPerMinute: 0,
			}),
			once: await activate('exactly once across executions', 'once', ctx.creds.once, {
				messageInterval: 100,
				maxRecipientsPerMinute: 0,
				skipDuplicatesWithin: 10,
			}),
			crash: await activate('a worker dies mid-run', 'crash', ctx.creds.crash, {
				messageInterval: 1000,
				maxRecipientsPerMinute: 0,
				skipDuplicatesWithin: 10,
			}),
		};
		log(`ready: ${Object.keys(ctx.wf).length} workflows active`);
	},
	15 * 60 * 1000,
);

afterAll(async () => {
	await ctx.q?.remove();
	await ctx.sim?.close();
});

test('two workflows on both workers, one account: no two sends closer than the interval, never more recipients a minute than allowed; a second account is not slowed', async () => {
	const { q, sim } = ctx;
	// the recipients window starts now and is checked at the end of the file (it takes a minute)
	ctx.windowStarted = performance.timeOrigin + performance.now();
	await Promise.all([
		q.trigger('window', { to: 'wxid_w1,wxid_w2', title: 'window one' }),
		q.trigger('window', { to: 'wxid_w3', title: 'window two' }),
	]);

	const started = performance.timeOrigin + performance.now();
	const recipients = ['wxid_s1', 'wxid_s2', 'wxid_s3'];
	// the second account first, so it never waits for a worker slot behind the first's executions
	const triggers = [q.trigger('other', { to: 'wxid_o1,wxid_o2', title: 'other account' })];
	for (let round = 0; round < 3; round++) {
		for (const path of ['shared-one', 'shared-two']) {
			const to = [recipients[round], recipients[(round + 1) % 3]].join(',');
			triggers.push(q.trigger(path, { to, title: `${path} round ${round}` }));
		}
	}
	await Promise.all(triggers);

	const shared = [
		...(await q.finishedExecutions(ctx.wf.sharedOne.id, 3)),
		...(await q.finishedExecutions(ctx.wf.sharedTwo.id, 3)),
	];
	expect(shared.map((execution) => execution.status)).toEqual(Array(6).fill('success'));
	// both workers ran executions of this account
	const ranOn = new Set(shared.map((execution) => workerOf(execution.id)?.name));
	expect([...ranOn].sort()).toEqual(['worker1', 'worker2']);

	const sharedArrivals = arrivals(sim, ACCOUNTS.shared);
	expect(sharedArrivals).toHaveLength(12);
	const violations = paceViolations(sharedArrivals, {
		intervalMs: PACE.messageInterval,
		maxRecipientsPerMinute: PACE.maxRecipientsPerMinute,
	});
	const gaps = gapsOf(sharedArrivals);
	log(`shared account: 12 sends, gaps ${gaps.map((gap) => gap.toFixed(0)).join(' ')} ms`);
	expect(violations).toEqual([]);
	// the store spaces the turns by the interval plus twice the lateness a worker may still use
	// its turn with, so even a late worker's send cannot land early at the gateway
	expect(Math.min(...gaps)).toBeGreaterThanOrEqual(PACE.messageInterval);
	expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThanOrEqual(
		PACE.messageInterval,
	);

	const [other] = await q.finishedExecutions(ctx.wf.other.id, 1);
	expect(other.status).toBe('success');
	const otherArrivals = arrivals(sim, ACCOUNTS.other);
	expect(otherArrivals).toHaveLength(2);
	// the second account kept its own pace: it was done long before the first account's queue
	const lastShared = sharedArrivals[sharedArrivals.length - 1].at;
	log(
		`second account done ${(otherArrivals[1].at - started).toFixed(0)} ms after the triggers, the first ${(lastShared - started).toFixed(0)} ms`,
	);
	expect(otherArrivals[1].at - started).toBeLessThan(lastShared - started - 2000);
	expect(otherArrivals[1].at - otherArrivals[0].at).toBeGreaterThanOrEqual(
		PACE.messageInterval * 0.75,
	);
});

test('without coordination, two workers pace the same account each on its own (why the store is needed), and the node says so in the log', async () => {
	const { q, sim } = ctx;
	// more executions at once than one worker has slots (5), so both workers run some
	await Promise.all(
		Array.from({ length: 6 }, (_, index) =>
			q.trigger('alone', { to: `wxid_a${index}`, title: 'alone' }),
		),
	);
	const done = await q.finishedExecutions(ctx.wf.alone.id, 6);
	expect(done.every((execution) => execution.status === 'success')).toBe(true);
	const aloneArrivals = arrivals(sim, ACCOUNTS.alone);
	expect(aloneArrivals).toHaveLength(6);
	// executions on different workers (and in parallel on one) do not wait for each other
	const violations = paceViolations(aloneArrivals, { intervalMs: 300, maxRecipientsPerMinute: 0 });
	log(`not coordinated: ${violations.length} pace violations (expected), e.g. ${violations[0]}`);
	expect(violations.length).toBeGreaterThan(0);
	const notice =
		/n8n runs in queue mode, but the credential "queue alone" has no "Coordination Redis URL"/;
	const noticed = q.workers.filter((worker) => notice.test(worker.log()));
	expect(noticed.length).toBeGreaterThanOrEqual(1);
	// once per process
	for (const worker of noticed)
		expect(worker.log().match(new RegExp(notice.source, 'g'))).toHaveLength(1);
});

test('Redis stopped mid-run: no unpaced send, the items during the outage fail with a clear error as not sent, and sending resumes when Redis is back', async () => {
	const { q, sim } = ctx;
	const recipients = Array.from({ length: 8 }, (_, index) => `wxid_r${index + 1}`);
	await q.trigger('outage', { to: recipients.join(','), title: 'through an outage' });
	await waitFor(
		'two messages before the outage',
		() => arrivals(sim, ACCOUNTS.outage).length >= 2,
		{ timeoutMs: 60_000, intervalMs: 20 },
	);
	await q.redis.stop();
	const stoppedAt = performance.timeOrigin + performance.now();
	log('redis stopped');
	await sleep(12_000);
	await q.redis.start();
	const backAt = performance.timeOrigin + performance.now();
	log('redis back');

	const [execution] = await q.finishedExecutions(ctx.wf.outage.id, 1, 180_000);
	const items = outputOf(execution);
	expect(items).toHaveLength(8);
	const failed = items.filter((item) => item.error);
	const sentItems = items.filter((item) => !item.error);
	log(`outage: ${sentItems.length} sent, ${failed.length} failed: ${failed[0]?.error}`);
	expect(failed.length).toBeGreaterThanOrEqual(1);
	for (const item of failed) {
		expect(item.delivery).toBe('notSent');
		expect(item.error).toMatch(
			new RegExp(
				`coordination store \\(Redis at 127\\.0\\.0\\.1:${q.redis.port}/0\\) did not answer`,
			),
		);
		expect(item.error).toMatch(/Nothing was sent for this message/);
	}
	// sending resumed after the outage, within the same run
	const outageArrivals = arrivals(sim, ACCOUNTS.outage);
	expect(outageArrivals.map((a) => a.to).sort()).toEqual(
		sentItems.map((item) => item.ToUserName).sort(),
	);
	expect(outageArrivals.some((a) => a.at > backAt)).toBe(true);
	// nothing went out while Redis was away, and nothing unpaced
	expect(outageArrivals.filter((a) => a.at > stoppedAt + 50 && a.at < backAt)).toEqual([]);
	expect(paceViolations(outageArrivals, { intervalMs: 300, maxRecipientsPerMinute: 0 })).toEqual(
		[],
	);
	// and a new execution afterwards is paced and succeeds
	await q.trigger('outage', { to: 'wxid_r9,wxid_r10', title: 'after the outage' });
	const after = await q.finishedExecutions(ctx.wf.outage.id, 2, 120_000);
	expect(
		after.some((e) => outputOf(e).every((item) => !item.error) && outputOf(e).length === 2),
	).toBe(true);
});

test('the recipients window held across workers for a whole minute', async () => {
	const { q, sim } = ctx;
	const done = await q.finishedExecutions(ctx.wf.window.id, 2, 150_000);
	expect(done.map((e) => e.status)).toEqual(['success', 'success']);
	const list = arrivals(sim, ACCOUNTS.window);
	expect(list).toHaveLength(3);
	// two recipients a minute: the third distinct one waited for the first's minute to pass
	log(`window: third recipient ${(list[2].at - list[0].at).toFixed(0)} ms after the first`);
	expect(list[2].at - list[0].at).toBeGreaterThanOrEqual(60_000 - WINDOW_SLACK_MS);
	expect(
		paceViolations(list, { intervalMs: WINDOW_PACE.messageInterval, maxRecipientsPerMinute: 2 }),
	).toEqual([]);
});

test("exactly once across executions on two workers: n8n's Retry of a failed execution and a repeated webhook payload send nothing twice", async () => {
	const { q, sim } = ctx;
	const recipients = Array.from({ length: 5 }, (_, index) => `wxid_once${index + 1}`);
	sim.addFault({ action: 'ret', ret: -1, toUserName: 'wxid_once3', times: 1 });
	await q.trigger('once', { to: recipients.join(','), title: 'once, retried' });
	const [failed] = await q.finishedExecutions(ctx.wf.once.id, 1);
	expect(failed.status).toBe('error');
	const { data: retried } = await q.rest('POST', `/rest/executions/${failed.id}/retry`, {
		loadWorkflow: false,
	});
	expect(retried).toMatchObject({ mode: 'retry', retryOf: String(failed.id) });
	const [done] = await waitFor('the retry to finish', async () => {
		const list = await q.finishedExecutions(ctx.wf.once.id, 2);
		const found = list.filter((execution) => String(execution.id) === String(retried.id));
		return found.length === 1 && found;
	});
	log(
		`failed execution ${failed.id} ran on ${workerOf(failed.id)?.name}, its retry ${retried.id} on ${workerOf(retried.id)?.name}`,
	);
	expect(done.status).toBe('success');
	const items = outputOf(done);
	const sent = arrivals(sim, ACCOUNTS.once);
	expect(sent.map((arrival) => arrival.to)).toEqual(recipients);
	expect(
		items.map((item) => [item.ToUserName, item.NewMsgId, item.skippedDuplicate === true]),
	).toEqual(sent.map((arrival, index) => [arrival.to, arrival.newMsgId, index < 2]));

	// One payload twice at once, so both workers may take one: each message still goes out once.
	await Promise.all([
		q.trigger('once', { to: 'wxid_once6,wxid_once7', title: 'once, twice' }),
		q.trigger('once', { to: 'wxid_once6,wxid_once7', title: 'once, twice' }),
	]);
	const all = await q.finishedExecutions(ctx.wf.once.id, 4);
	const twice = all.filter(
		(execution) => ![String(failed.id), String(retried.id)].includes(String(execution.id)),
	);
	expect(twice.map((execution) => execution.status)).toEqual(['success', 'success']);
	const repeated = arrivals(sim, ACCOUNTS.once).filter((a) =>
		['wxid_once6', 'wxid_once7'].includes(a.to),
	);
	expect(repeated.map((a) => a.to).sort()).toEqual(['wxid_once6', 'wxid_once7']);
	const skipped = twice
		.flatMap((execution) => outputOf(execution))
		.filter((item) => item.skippedDuplicate);
	expect(skipped).toHaveLength(2);
	sim.clearFaults();
});

test('a worker killed mid-run: nothing is sent twice, the other worker keeps the pace, and the message in flight is recorded uncertain', async () => {
	const { q, sim } = ctx;
	// the third message's answer takes 6 s: the worker is killed while the gateway has it
	sim.addFault({ action: 'delay', delayMs: 6000, toUserName: 'wxid_k3' });
	const recipients = Array.from({ length: 6 }, (_, index) => `wxid_k${index + 1}`);
	await q.trigger('kill', { to: recipients.join(','), title: 'killed run' });
	const running = await waitFor('the run to reach wxid_k3', () =>
		sim.calls.some((call) => call.toUserName === 'wxid_k3'),
	);
	expect(running).toBe(true);
	const { data } = await q.rest(
		'GET',
		`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: ctx.wf.kill.id }))}`,
	);
	const execution = data.results[0];
	const victim = workerOf(execution.id);
	expect(victim).toBeDefined();
	// a second run for the same account, started now, runs on the survivor once the victim is gone
	await victim.kill();
	log(`killed ${victim.name} while wxid_k3 was with the gateway (execution ${execution.id})`);
	await q.trigger('kill', { to: 'wxid_k7,wxid_k8', title: 'after the kill' });
	await waitFor(
		'the survivor to send wxid_k8',
		() => sim.messages.some((m) => m.toUserName === 'wxid_k8'),
		{ timeoutMs: 60_000 },
	);
	await sleep(6500); // the delayed wxid_k3 is handled by the gateway by now

	const sent = arrivals(sim, ACCOUNTS.kill);
	const counts = new Map();
	for (const arrival of sent) counts.set(arrival.to, (counts.get(arrival.to) ?? 0) + 1);
	expect([...counts.values()].every((count) => count === 1)).toBe(true);
	// what the killed run had not reached was never sent by anyone
	for (const never of ['wxid_k4', 'wxid_k5', 'wxid_k6']) expect(counts.has(never)).toBe(false);
	expect(
		paceViolations(
			sent.filter((a) => a.to !== 'wxid_k3'),
			{ intervalMs: 300, maxRecipientsPerMinute: 0 },
		),
	).toEqual([]);

	// the shared ledger, as a retry of that run on any worker would read it
	const { RedisStore } = require('../../dist/nodes/WeChatGateway/coordination/redisStore');
	const { runKey } = require('../../dist/nodes/WeChatGateway/coordination/store');
	const store = new RedisStore(q.redis.url);
	try {
		const run = runKey({ executionId: String(execution.id), nodeName: 'Send', runIndex: 0 });
		const first = await store.lookupInRun(run, 0, 'wxid_k1');
		expect(first?.state).toBe('sent');
		expect(first.result.NewMsgId).toBe(sent.find((a) => a.to === 'wxid_k1').newMsgId);
		const inFlight = await store.lookupInRun(run, 0, 'wxid_k3');
		expect(inFlight?.state).toBe('uncertain');
		expect(inFlight.error.delivery).toBe('unknown');
		expect(inFlight.error.message).toMatch(
			/stopped before the gateway answered: it may have been delivered/,
		);
		expect(await store.lookupInRun(run, 0, 'wxid_k4')).toBeUndefined();
	} finally {
		await store.close();
	}
	sim.clearFaults();
});

test('a worker dies mid-run: n8n fails the execution and drops its input, so its Retry sends nothing; the same items again with Skip Duplicates Within send exactly the rest, each once', async () => {
	const { q, sim } = ctx;
	// the worker killed by the test before is back, so one survives the kill below
	for (const worker of [...q.workers]) if (worker.dead) await q.restartWorker(worker);
	const recipients = Array.from({ length: 12 }, (_, index) => `wxid_c${index + 1}`);
	const payload = { to: recipients.join(','), title: 'crashed run' };
	await q.trigger('crash', payload);
	await waitFor('the first send', () => arrivals(sim, ACCOUNTS.crash).length >= 1, {
		timeoutMs: 60_000,
		intervalMs: 20,
	});
	const filter = encodeURIComponent(JSON.stringify({ workflowId: ctx.wf.crash.id }));
	const { data } = await q.rest('GET', `/rest/executions?filter=${filter}`);
	const killedId = String(data.results[0].id);
	const victim = workerOf(killedId);
	expect(victim).toBeDefined();
	await waitFor('half of the messages sent', () => arrivals(sim, ACCOUNTS.crash).length >= 6, {
		timeoutMs: 60_000,
		intervalMs: 20,
	});
	// between two turns (a second apart): the sixth is recorded sent, the seventh waits for its turn
	await sleep(300);
	await victim.kill();
	const sentBefore = arrivals(sim, ACCOUNTS.crash);
	log(`killed ${victim.name} after ${sentBefore.length} of 12 sends (execution ${killedId})`);

	// n8n 2.41 (main alive): the stalled job fails, and main saves the execution as an error with
	// empty run data; "crashed" is only what its recovery check finds when main itself missed it
	const [killed] = await q.finishedExecutions(ctx.wf.crash.id, 1, 240_000);
	expect(String(killed.id)).toBe(killedId);
	expect(killed.status).toBe('error');
	const killedData = runDataOf(killed);
	expect(killedData.error.message).toMatch(/failed to be processed too many times/);
	expect(killedData.runData).toEqual({});
	// n8n never runs it again by itself: the rest of its messages were not sent
	expect(arrivals(sim, ACCOUNTS.crash)).toEqual(sentBefore);
	expect(sentBefore.length).toBeLessThan(12);

	// so n8n's Retry has nothing to resume from: it runs and sends nothing
	const { data: retried } = await q.rest('POST', `/rest/executions/${killedId}/retry`, {
		loadWorkflow: false,
	});
	expect(retried).toMatchObject({ mode: 'retry', retryOf: killedId });
	await q.finishedExecutions(ctx.wf.crash.id, 2, 180_000);
	expect(arrivals(sim, ACCOUNTS.crash)).toEqual(sentBefore);
	log(`n8n's Retry ${retried.id} of execution ${killedId}: ${retried.status}, nothing sent`);

	// what works: the same items again (the caller repeats its webhook call): Skip Duplicates
	// Within skips what the dead worker sent, with its ids, and sends the rest, paced. The message
	// the dead worker was waiting a turn for was not claimed yet (a claim comes on the turn, just
	// before the call), so it is sent too.
	await q.trigger('crash', payload);
	const all = await q.finishedExecutions(ctx.wf.crash.id, 3, 180_000);
	const again = all.filter((e) => ![killedId, String(retried.id)].includes(String(e.id)));
	expect(again.map((e) => e.status)).toEqual(['success']);
	const before = sentBefore.length;
	const sent = arrivals(sim, ACCOUNTS.crash);
	// all 12 at the gateway, each once
	expect(sent.map((arrival) => arrival.to)).toEqual(recipients);
	expect(paceViolations(sent, { intervalMs: 1000, maxRecipientsPerMinute: 0 })).toEqual([]);
	const items = outputOf(again[0]);
	const byRecipient = new Map(sent.map((arrival) => [arrival.to, arrival.newMsgId]));
	log(`sent again: ${before} skipped as sent before the kill, ${items.length - before} sent`);
	expect(items).toHaveLength(12);
	expect(items.map((item) => [item.NewMsgId, item.skippedDuplicate === true])).toEqual(
		recipients.map((to, index) => [byRecipient.get(to), index < before]),
	);
	expect(items.map((item) => item.ToUserName)).toEqual(recipients);
	expect(items.filter((item) => item.delivery !== undefined)).toEqual([]);
});
