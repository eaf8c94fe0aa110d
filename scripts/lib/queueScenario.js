'use strict';
/**
 * What the queue-mode suite and the bench build and measure: webhook-triggered workflows that
 * send through this node, and the pace the simulator saw per account.
 */
const NODE_TYPE = 'n8n-nodes-wechat-gateway.weChatGateway';
/** As test/reliability/pacing.engine.test.ts: a loaded machine may note one arrival late. */
const TRANSIT_SLACK = 0.25;
/**
 * The same for the minute-long recipients window, in ms: the first send of an execution opens
 * its connection after its turn, and on a loaded 2-core machine its arrival was noted up to
 * 160 ms late (the turns themselves are exact: test/coordination/redisStore.test.ts).
 */
const WINDOW_SLACK_MS = 250;
const MINUTE = 60_000;

let nodeCounter = 0;
const uuid = () => {
	nodeCounter++;
	return `7a6b5c4d-0000-4000-8000-${String(nodeCounter).padStart(12, '0')}`;
};

/**
 * Webhook (answers at once, so the execution goes to the queue) → WeChat Gateway "Send Link" to
 * the recipients in the body's `to` (comma-separated), one item.
 */
function sendingWorkflow({ name, path, credential, options, continueOnFail = false }) {
	return {
		name,
		settings: { executionOrder: 'v1' },
		connections: { Hook: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: uuid(),
				name: 'Hook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: uuid(),
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
			{
				id: uuid(),
				name: 'Send',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				credentials: { weChatGatewayApi: { id: credential.id, name: credential.name } },
				...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
				parameters: {
					operation: 'sendLink',
					toUserName: '={{ $json.body.to }}',
					title: '={{ $json.body.title }}',
					url: 'https://example.com/queue',
					options,
				},
			},
		],
	};
}

/** Arrivals at the simulator of one account, in order (ms, the simulator's clock). */
function arrivals(sim, wxid) {
	return sim.messages
		.filter((message) => message.wxid === wxid)
		.map((message) => ({
			at: message.receivedAt,
			to: message.toUserName,
			newMsgId: message.newMsgId,
		}))
		.sort((a, b) => a.at - b.at);
}

/**
 * Pace violations of one account: two arrivals closer than the interval (less the transit
 * slack), or more distinct recipients in a minute than allowed.
 */
function paceViolations(list, { intervalMs, maxRecipientsPerMinute }) {
	const problems = [];
	for (let index = 1; index < list.length; index++) {
		const gap = list[index].at - list[index - 1].at;
		if (gap < intervalMs * (1 - TRANSIT_SLACK))
			problems.push(`${list[index - 1].to} → ${list[index].to} only ${gap.toFixed(0)} ms apart`);
	}
	if (maxRecipientsPerMinute > 0) {
		for (const arrival of list) {
			const windowStart = arrival.at - (MINUTE - WINDOW_SLACK_MS);
			const inWindow = new Set(
				list
					.filter((other) => other.at > windowStart && other.at <= arrival.at)
					.map((other) => other.to),
			);
			if (inWindow.size > maxRecipientsPerMinute)
				problems.push(`${inWindow.size} recipients in the minute before ${arrival.to}`);
		}
	}
	return problems;
}

function gapsOf(list) {
	return list.slice(1).map((arrival, index) => arrival.at - list[index].at);
}

module.exports = {
	sendingWorkflow,
	arrivals,
	paceViolations,
	gapsOf,
	TRANSIT_SLACK,
	WINDOW_SLACK_MS,
};
