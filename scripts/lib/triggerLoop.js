'use strict';
/**
 * The receiving side in a real n8n, for `npm run demo`: `n8n start` with the example workflow
 * "trigger → forward back" active, messages pushed through the simulator's socket, and what came
 * of each read back from the simulator (the forward it received, or nothing).
 */
const lib = require('./instance');
const { waitFor } = require('./waitFor');
const { samples } = require('../../simulator/frames');

const { rt } = lib;
const OWNER = { email: 'demo-trigger@example.com', password: 'WeChat-demo-1' };

/** The example that answers a private text by quoting it, and the appmsg type it sends. */
const QUOTE_EXAMPLE = 'wcgwTrigQuote001';
const QUOTE_TYPE = 57;

/** What the forward-back example sent: the app messages that are not quote replies. */
const forwardsOf = (simulator) =>
	simulator.messages.filter((m) => m.appMsgXml !== undefined && m.type !== QUOTE_TYPE);

/** Starts n8n on `userFolder` (already prepared with the examples) and activates the trigger examples. */
async function startWithActiveTriggers({ userFolder, simulator, log }) {
	const server = await rt.startServer({ userFolder, env: lib.childEnv() });
	log(`n8n start up in ${lib.seconds(server.ms)}`);
	const { cookie } = await rt.setupOwner({ port: server.port, ...OWNER });
	const active = [];
	for (const { workflow } of lib.loadExampleWorkflows()) {
		if (!lib.activatedByDemo(workflow)) continue;
		await rt.activateWorkflow({ port: server.port, cookie, id: workflow.id });
		active.push(workflow);
	}
	await waitFor(
		'the trigger to connect to the simulator',
		() => simulator.ws.clients >= active.length,
	);
	return { server, cookie, active };
}

/**
 * Pushes one message of each sample and waits for what the workflow makes of it. Returns rows
 * for a table and the problems found (a matching kind not forwarded once, anything else forwarded).
 */
async function runLoop({ simulator, account, expectForwarded = ['miniProgram', 'file', 'link'] }) {
	const rows = [['received (pushed on /ws)', 'from chat', 'newMsgId', '→ forwarded by n8n']];
	const problems = [];
	const pushes = ['miniProgram', 'file', 'link', 'channels', 'text', 'groupText'].map((sample) => ({
		sample,
		...simulator.ws.inject({ account, sample }),
	}));
	// one the account sent itself: what a loop would look like, if the guard were off
	const own = simulator.ws.inject({
		account,
		sample: 'link',
		message: { fromUserName: account, toUserName: 'wxid_friend42' },
	});
	pushes.push({ sample: 'link (sent by the account itself)', ...own, own: true });
	await simulator.settledMessages(3000);
	const chats = samples(account);
	for (const push of pushes) {
		const message = push.own ? undefined : chats[push.sample].message;
		const chat = push.own ? 'wxid_friend42' : (message.fromUserName ?? 'wxid_friend42');
		const title = message ? titleOf(message.content) : undefined;
		const forwards = title
			? forwardsOf(simulator).filter((m) => m.toUserName === chat && m.appMsgXml.includes(title))
			: [];
		const shouldForward = !push.own && expectForwarded.includes(push.sample);
		const described = forwards.map(
			(m) =>
				`${lib.describeAppMsg(m.appMsgXml, m.type)} to ${m.toUserName} (NewMsgId ${m.newMsgId})`,
		);
		const nothing = push.own
			? "(nothing: the account's own message; Ignore Own Messages)"
			: '(nothing: not a kind it forwards)';
		rows.push([push.sample, chat, push.newMsgId, described.join('; ') || nothing]);
		if (shouldForward && forwards.length !== 1)
			problems.push(`${push.sample} was forwarded ${forwards.length} times, expected once`);
		if (!shouldForward && !push.own && forwards.length > 0)
			problems.push(`${push.sample} was forwarded although the workflow does not forward it`);
	}
	const forwardsInTotal = forwardsOf(simulator).length;
	// The quote-reply example answers the private text, quoting it, once.
	const quoteExample = lib.loadExampleWorkflows().some((e) => e.workflow.id === QUOTE_EXAMPLE);
	const quotes = simulator.messages.filter((m) => m.type === QUOTE_TYPE);
	const textPush = pushes.find((p) => p.sample === 'text');
	if (quoteExample) {
		rows.push([
			'text (again: the quote-reply example)',
			'wxid_friend42',
			textPush.newMsgId,
			quotes.map((m) => `quote reply to ${m.toUserName} (NewMsgId ${m.newMsgId})`).join('; ') ||
				'(nothing)',
		]);
		const quoting = quotes.filter((m) =>
			m.appMsgXml.includes(`<svrid>${textPush.newMsgId}</svrid>`),
		);
		if (quotes.length !== 1 || quoting.length !== 1)
			problems.push(
				`the quote-reply example sent ${quotes.length} quote replies (${quoting.length} quoting the text), expected 1`,
			);
	}
	// every forward came back over the socket as the account's own frame
	const echoes = simulator.ws.stats().pushed - pushes.length;
	if (forwardsInTotal !== expectForwarded.length)
		problems.push(
			`the simulator received ${forwardsInTotal} forwards, expected ${expectForwarded.length} (a loop?)`,
		);
	return { rows, problems, forwards: forwardsInTotal, echoes };
}

/** The title of an app message sample, to find its forward; undefined for anything else. */
function titleOf(content) {
	const match = /<title>([^<]+)<\/title>/.exec(content ?? '');
	return match ? match[1] : undefined;
}

module.exports = { startWithActiveTriggers, runLoop };
