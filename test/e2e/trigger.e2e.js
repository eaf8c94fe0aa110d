'use strict';
/**
 * End-to-end: the WeChat Gateway Trigger inside a real `n8n start`, with an ACTIVE workflow
 * "trigger (mini programs, files, links) → forward to the chat it came from", against the gateway
 * simulator's socket. The simulator echoes every message the workflow sends back to the account
 * as its own frame, like a real gateway: the loop guard is proven by the count of sends staying
 * exact. Every count here is read from what the simulator received (cgi 222 calls) and from
 * n8n's own executions list.
 *
 *   npm run test:e2e -- trigger     (E2E_KEEP=1 keeps the n8n folder)
 */
const fs = require('node:fs');
const { XMLParser } = require('fast-xml-parser');

const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { GROUP, FRIEND } = require('../../simulator/frames');

const { rt } = lib;
const BOT = 'wxid_e2e_trigger_bot';
const OTHER_ACCOUNT = 'wxid_e2e_other_account';
const AUTH = { name: 'X-Gateway-Token', value: 'trigger-e2e-s3cret' };
const OWNER = { email: 'trigger-e2e@example.com', password: 'E2e-Passw0rd' };
const CREDENTIAL = { id: 'e2eTriggerCred01', name: 'e2e trigger gateway' };
const BURST = 1000;

const log = lib.timedLog('trigger e2e');
const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false });

/** The example "trigger → forward back" as shipped, with pacing off so a burst is not spread over minutes. */
const WORKFLOW = lib.forwardBackExample({
	credential: CREDENTIAL,
	forwardOptions: { messageInterval: 0, maxRecipientsPerMinute: 0 },
});

/** A link card whose title and URL carry `n`, so every forward can be traced to its frame. */
const numberedLink = (n) =>
	`<msg><appmsg appid="" sdkver="0"><title>burst #${n} &amp; more</title><des>d${n}</des><action>view</action><type>5</type><url>https://example.com/b?n=${n}&amp;x=1</url></appmsg><fromusername>${FRIEND}</fromusername></msg>`;

const ctx = {};

beforeAll(
	async () => {
		ctx.sim = await startGatewaySimulator({ accounts: [BOT, OTHER_ACCOUNT], authHeader: AUTH });
		Object.assign(
			ctx,
			await lib.startInstance({
				name: 'trigger-e2e',
				credentials: [
					{
						...CREDENTIAL,
						data: {
							baseUrl: ctx.sim.url,
							wxid: BOT,
							authentication: 'header',
							authHeaderName: AUTH.name,
							authHeaderSecret: AUTH.value,
							timeout: 10,
							ignoreSslIssues: false,
						},
					},
				],
				workflows: [WORKFLOW],
				activate: [WORKFLOW.id],
				owner: OWNER,
				log,
			}),
		);
		await waitFor('the trigger to open its socket', () => ctx.sim.ws.clients === 1, {
			timeoutMs: 30_000,
		});
		log(`n8n on ${ctx.server.url}, workflow active, trigger connected to ${ctx.sim.url}/ws`);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	if (ctx.stop) await ctx.stop();
	if (ctx.sim) await ctx.sim.close();
}, 120 * 1000);

/**
 * How many executions of the workflow n8n lists: finished (n8n's unfiltered count leaves out the
 * ones still new or running, so an execution of an earlier test that is finishing would be
 * counted later, not now), failed (error or crashed), and still current (new or running).
 */
async function executions() {
	const count = async (extra) => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW.id, ...extra }));
		const { data } = await rt.rest({
			port: ctx.server.port,
			cookie: ctx.cookie,
			path: `/rest/executions?filter=${filter}&limit=1`,
		});
		return data.count;
	};
	// n8n's count leaves out executions still new or running, so those are read first: once none
	// is, the count that follows is final for everything that started before
	const current = await count({ status: ['new', 'running'] });
	return {
		current,
		count: await count({}),
		failed: await count({ status: ['error', 'crashed'] }),
	};
}

/** The executions list once nothing of the workflow is new or running. */
const settledExecutions = (what, timeoutMs) =>
	waitFor(
		what,
		async () => {
			const e = await executions();
			return e.current === 0 ? e : undefined;
		},
		{ timeoutMs, intervalMs: 250 },
	);

const appmsgOf = (text) => {
	const doc = xml.parse(text);
	return (doc.msg ?? doc).appmsg;
};

describe('an active trigger → forward workflow in n8n start', () => {
	test('mini programs, files and links are forwarded to their chat intact; other kinds, own echoes and other accounts cause nothing', async () => {
		const { sim } = ctx;
		const before = sim.messages.length;
		const mini = sim.ws.inject({ account: BOT, sample: 'miniProgram' });
		const file = sim.ws.inject({ account: BOT, sample: 'file' });
		const link = sim.ws.inject({ account: BOT, sample: 'link', withExt: false });
		sim.ws.inject({ account: BOT, sample: 'text' });
		sim.ws.inject({ account: BOT, sample: 'groupText' });
		sim.ws.inject({ account: BOT, sample: 'channels' });
		sim.ws.inject({ account: OTHER_ACCOUNT, sample: 'link' });
		sim.ws.inject({
			account: BOT,
			sample: 'link',
			message: { fromUserName: BOT, toUserName: GROUP },
		});
		const sent = (await ctx.sim.settledMessages(3000)).slice(before);
		expect(sent.map((m) => [m.toUserName, m.type]).sort()).toEqual(
			[
				[FRIEND, 33],
				[GROUP, 6],
				[FRIEND, 5],
			].sort(),
		);
		const byType = Object.fromEntries(sent.map((m) => [m.type, appmsgOf(m.appMsgXml)]));
		const source = (sample) =>
			appmsgOf(
				require('../../simulator/frames')
					.samples(BOT)
					[sample].message.content.replace(/^wxid_\w+:\n/, ''),
			);
		for (const [type, sample, paths] of [
			[
				33,
				'miniProgram',
				[
					['title'],
					['weappinfo', 'appid'],
					['weappinfo', 'pagepath'],
					['appattach', 'cdnthumburl'],
				],
			],
			[
				6,
				'file',
				[['title'], ['appattach', 'attachid'], ['appattach', 'aeskey'], ['appattach', 'totallen']],
			],
			[5, 'link', [['title'], ['url'], ['des']]],
		]) {
			const expected = source(sample);
			for (const p of paths) {
				const read = (node) => p.reduce((n, k) => (n == null ? n : n[k]), node);
				expect({ type, path: p.join('.'), value: read(byType[type]) }).toEqual({
					type,
					path: p.join('.'),
					value: read(expected),
				});
			}
		}
		// each forward came back as the account's own frame, and caused nothing
		expect(sim.ws.stats().pushed).toBeGreaterThanOrEqual(8 + 3);
		log(`forwarded ${mini.newMsgId}, ${file.newMsgId}, ${link.newMsgId}; echoes ignored`);
	});

	test('the same message id again (a gateway resending after a reconnect) is not forwarded twice', async () => {
		const { sim } = ctx;
		const before = sim.messages.length;
		const first = sim.ws.inject({ account: BOT, sample: 'link' });
		await waitFor('the forward', () => sim.messages.length === before + 1);
		sim.ws.inject({ account: BOT, sample: 'link', newMsgId: first.newMsgId, withExt: false });
		const after = await ctx.sim.settledMessages(2000);
		expect(after.length).toBe(before + 1);
	});

	test('hostile frames are skipped with a log line naming no secret; n8n keeps running and the next message is forwarded', async () => {
		const { sim } = ctx;
		const before = sim.messages.length;
		const started = Date.now();
		sim.ws.hostile({ account: BOT });
		sim.ws.inject({ account: BOT, sample: 'link' });
		await waitFor('the good frame forwarded', () => sim.messages.length === before + 1, {
			timeoutMs: 20_000,
		});
		log(`hostile frames + the next good one handled in ${Date.now() - started} ms`);
		expect((await ctx.sim.settledMessages(1500)).length).toBe(before + 1);
		const logText = fs.readFileSync(ctx.server.logFile, 'utf8');
		expect(logText).toMatch(/WeChat Gateway Trigger: skipped a frame: not JSON/);
		expect(logText).toMatch(
			/WeChat Gateway Trigger: skipped a frame: \d+ characters long, above the limit/,
		);
		expect(logText).toMatch(/app message XML was refused: "Content" contains a DOCTYPE or ENTITY/);
		expect(logText).toMatch(/app message XML was refused: "Content" nests elements more than/);
		expect(logText).not.toContain(AUTH.value);
		expect(sim.ws.clients).toBe(1);
	});

	test("accountOffline: a warning in n8n's log even though the workflow does not ask for the event", async () => {
		ctx.sim.ws.inject({ account: BOT, eventName: 'ON_EVENT_ACCOUNT_OFFLINE' });
		await waitFor('the warning', () =>
			fs.readFileSync(ctx.server.logFile, 'utf8').includes(`account ${BOT} offline`),
		);
	});

	test('a dropped socket is survived: the trigger reconnects and the next message is forwarded', async () => {
		const { sim } = ctx;
		const opened = sim.ws.stats().opened;
		const before = sim.messages.length;
		const droppedAt = Date.now();
		sim.ws.drop();
		await waitFor('the reconnect', () => sim.ws.stats().opened === opened + 1, {
			timeoutMs: 20_000,
		});
		ctx.reconnectMs = Date.now() - droppedAt;
		log(`reconnected ${ctx.reconnectMs} ms after the drop`);
		expect(ctx.reconnectMs).toBeLessThan(5_000);
		sim.ws.inject({ account: BOT, sample: 'miniProgram' });
		await waitFor('the forward', () => sim.messages.length === before + 1);
		expect(sim.ws.clients).toBe(1);
	});

	test(
		`a burst of ${BURST} frames: exactly the matching executions, none lost, none twice`,
		async () => {
			const { sim } = ctx;
			const beforeSends = sim.messages.length;
			const beforeRuns = (await settledExecutions('earlier executions to finish', 30_000)).count;
			const chats = [FRIEND, 'wxid_friend43', GROUP, '1234509876@chatroom'];
			const matching = [];
			const started = Date.now();
			for (let n = 0; n < BURST; n++) {
				const chat = chats[n % chats.length];
				const isGroup = chat.endsWith('@chatroom');
				const message = {
					fromUserName: chat,
					actionUserName: isGroup ? 'wxid_member7' : '',
					msgType: n % 10 < 7 ? 49 : 1,
					content:
						n % 10 < 7 ? `${isGroup ? 'wxid_member7:\n' : ''}${numberedLink(n)}` : `text ${n}`,
				};
				if (message.msgType === 49) matching.push({ n, chat });
				sim.ws.inject({ account: BOT, message, withExt: n % 2 === 0 });
			}
			// a few of them again, as a gateway resends after a reconnect
			log(`pushed ${BURST} frames (${matching.length} matching) in ${Date.now() - started} ms`);
			let lastReport = Date.now();
			await waitFor(
				`${matching.length} forwards`,
				() => {
					const done = sim.messages.length - beforeSends;
					if (Date.now() - lastReport > 10_000) {
						lastReport = Date.now();
						log(
							`  ${done} of ${matching.length} forwarded after ${((Date.now() - started) / 1000).toFixed(0)} s`,
						);
					}
					return done >= matching.length;
				},
				{ timeoutMs: 12 * 60_000, intervalMs: 250 },
			);
			const seconds = (Date.now() - started) / 1000;
			const sent = (await ctx.sim.settledMessages(3000)).slice(beforeSends);
			const seen = new Map();
			for (const m of sent) {
				const n = Number(/burst #(\d+)/.exec(m.appMsgXml)?.[1]);
				seen.set(n, [...(seen.get(n) ?? []), m.toUserName]);
			}
			const lost = matching.filter(({ n }) => !seen.has(n)).length;
			const duplicated = [...seen.values()].filter((to) => to.length > 1).length;
			const misrouted = matching.filter(
				({ n, chat }) => seen.has(n) && seen.get(n)[0] !== chat,
			).length;
			ctx.burst = {
				frames: BURST,
				matching: matching.length,
				forwarded: sent.length,
				lost,
				duplicated,
				seconds,
			};
			log(
				`burst: ${JSON.stringify(ctx.burst)} → ${(matching.length / seconds).toFixed(0)} executions/s end to end`,
			);
			expect({ forwarded: sent.length, lost, duplicated, misrouted }).toEqual({
				forwarded: matching.length,
				lost: 0,
				duplicated: 0,
				misrouted: 0,
			});
			const runs = await waitFor(
				'n8n to list every execution',
				async () => {
					const e = await executions();
					return e.current === 0 && e.count - beforeRuns >= matching.length ? e : undefined;
				},
				{ timeoutMs: 60_000, intervalMs: 1000 },
			);
			expect(runs.count - beforeRuns).toBe(matching.length);
			expect(runs.failed).toBe(0);
			expect(fs.readFileSync(ctx.server.logFile, 'utf8')).not.toMatch(/an execution could not run/);
		},
		15 * 60 * 1000,
	);
});
