'use strict';
/**
 * The workflows the end-to-end tests import into the real n8n. Every recipient is unique to one
 * branch, so each message the simulator receives can be traced to the node that sent it.
 */
const fs = require('node:fs');
const path = require('node:path');

const NODE_TYPE = 'n8n-nodes-wechat-gateway.weChatGateway';
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\s+$/, '');

const CREDENTIALS = {
	good: { id: 'e2eGatewayGood01', name: 'e2e gateway' },
	auth: { id: 'e2eGatewayAuth01', name: 'e2e gateway behind a header check' },
	wrongAccount: { id: 'e2eGatewayWxid01', name: 'e2e account not logged in' },
	refused: { id: 'e2eGatewayDown01', name: 'e2e nothing listening' },
	notGateway: { id: 'e2eNotAGateway01', name: 'e2e not a gateway (n8n itself)' },
	retry: { id: 'e2eGatewayRetry1', name: 'e2e gateway that fails once' },
};

/** No pacing: these branches test content, not timing (one branch keeps the defaults). */
const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0 };

let counter = 0;
const nodeId = () => `e2e-node-${String(++counter).padStart(4, '0')}`;

const trigger = () => ({
	id: nodeId(),
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

function code(name, items, position) {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position,
		parameters: {
			jsCode: `return ${JSON.stringify(
				items.map((json) => ({ json })),
				null,
				2,
			)};`,
		},
	};
}

function set(name, fields, position) {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position,
		parameters: {
			assignments: {
				assignments: Object.entries(fields).map(([k, v], i) => ({
					id: `${name}-${i}`,
					name: k,
					value: v,
					type: typeof v === 'number' ? 'number' : 'string',
				})),
			},
			options: {},
		},
	};
}

function wechat(name, parameters, position, { credential = CREDENTIALS.good, ...extra } = {}) {
	return {
		id: nodeId(),
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position,
		parameters,
		credentials: { weChatGatewayApi: credential },
		...extra,
	};
}

function workflow(id, name, branches) {
	const start = trigger();
	const nodes = [start];
	const connections = { [start.name]: { main: [[]] } };
	for (const chain of branches) {
		nodes.push(...chain);
		connections[start.name].main[0].push({ node: chain[0].name, type: 'main', index: 0 });
		for (let i = 0; i < chain.length - 1; i++)
			connections[chain[i].name] = {
				main: [[{ node: chain[i + 1].name, type: 'main', index: 0 }]],
			};
	}
	return {
		id,
		name,
		nodes,
		connections,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** Items of the "several items" branch: expressions read them, recipients come as text or list. */
const LINK_ITEMS = [
	{ title: 'Item 0 <a&b>', url: 'https://example.com/a?x=1&y=2', sendTo: 'wxid_e2e_a' },
	{ title: 'Item 1', url: 'https://example.com/b', sendTo: ['wxid_e2e_b', '11111111111@chatroom'] },
	{
		title: 'Item 2 "quoted"',
		url: 'https://example.com/c?q=%E4%BD%A0',
		sendTo: 'wxid_e2e_c, wxid_e2e_d\nwxid_e2e_e',
	},
];

const CONTINUE_ITEMS = [
	{ sendTo: 'wxid_e2e_ok1' },
	{ sendTo: 'wxid_e2e_reject' }, // the simulator refuses it with Ret -2
	{ sendTo: 'Alice Smith' }, // a nickname: refused before anything is sent
	{ sendTo: 'wxid_e2e_ok2' },
];

const FAIL_ITEMS = [
	{ sendTo: 'wxid_e2e_f1' },
	{ sendTo: 'wxid_e2e_reject' },
	{ sendTo: 'wxid_e2e_f2' },
];

const PACED_RECIPIENTS = ['wxid_e2e_p1', 'wxid_e2e_p2', 'wxid_e2e_p3'];

const RECEIVED = {
	file: fixture('file.received.xml'),
	miniProgram: fixture('miniprogram.received.xml'),
	channels: fixture('channels.received.xml'),
	link: fixture('link.received.xml'),
};

/** Send Text, Reply With Quote and Call Gateway Command in the main execution. */
const TALK = {
	group: '33333333333@chatroom',
	text: 'e2e: the report is ready <&> 📈',
	mentionWxid: 'wxid_e2e_alice',
	mentionName: 'Alice',
	reply: 'e2e: sent them 👍',
	/** What the WeChat Gateway Trigger outputs for a text in a group. */
	quoted: {
		newMsgId: '7400409546359626802',
		chatId: '33333333333@chatroom',
		senderWxid: 'wxid_e2e_bob',
		senderName: 'Bob <b> & co',
		msgType: 1,
		content: 'can someone send the numbers? ]]> &amp;',
	},
	commandTo: 'wxid_e2e_command',
	commandRequest: '{"ToUserName":"wxid_e2e_command","NewMsgId":7400409546359626802}',
};

/** Every operation, in branches of one execution (one `n8n execute` costs seconds). */
function mainWorkflow() {
	return workflow('e2eAllOperation1', 'e2e: every operation', [
		[
			code('Three items', LINK_ITEMS, [220, 0]),
			wechat(
				'Link per item',
				{
					operation: 'sendLink',
					toUserName: '={{ $json.sendTo }}',
					title: '={{ $json.title }}',
					url: '={{ $json.url }}',
					description:
						"={{ $('Three items').item.json.title + ' (' + $itemIndex + ' of ' + $input.all().length + ')' }}",
					thumbUrl: 'https://example.com/t.png',
					additionalFields: { sourceDisplayName: 'E2E News' },
					options: { ...FAST, includeXml: true },
				},
				[440, 0],
			),
		],
		[
			set('Channels card', { content: RECEIVED.channels }, [220, 200]),
			wechat(
				'Channels',
				{
					operation: 'forwardChannelsVideo',
					toUserName: 'wxid_e2e_channels',
					source: 'xml',
					messageXml: '={{ $json.content }}',
					overrides: { description: 'Overridden caption' },
					options: FAST,
				},
				[440, 200],
			),
		],
		[
			set('Order', { orderId: 7 }, [220, 400]),
			wechat(
				'Mini program',
				{
					operation: 'forwardMiniProgram',
					toUserName: '22222222222@chatroom',
					source: 'fields',
					title: "={{ 'Order #' + $json.orderId }}",
					appId: 'wxa1b2c3d4e5f60718',
					username: 'gh_0a1b2c3d4e5f@app',
					pagePath: "={{ 'pages/order/detail?id=' + $json.orderId }}",
					displayName: 'E2E Shop',
					iconUrl: '',
					additionalFields: {},
					options: FAST,
				},
				[440, 400],
			),
		],
		[
			set('File message', { content: RECEIVED.file }, [220, 600]),
			wechat(
				'File',
				{
					operation: 'forwardFile',
					toUserName: 'wxid_e2e_file',
					source: 'xml',
					messageXml: '={{ $json.content }}',
					overrides: {},
					options: FAST,
				},
				[440, 600],
			),
		],
		[
			set('Any XML', { xml: RECEIVED.link }, [220, 800]),
			wechat(
				'App msg',
				{
					operation: 'sendAppMsgXml',
					toUserName: 'wxid_e2e_appmsg',
					messageXml: '={{ $json.xml }}',
					options: FAST,
				},
				[440, 800],
			),
		],
		[
			code(
				'Received',
				[RECEIVED.file, RECEIVED.miniProgram, RECEIVED.channels, RECEIVED.link].map((content) => ({
					content,
				})),
				[220, 1000],
			),
			wechat(
				'Parse',
				{ operation: 'parseAppMsgXml', messageXml: '={{ $json.content }}' },
				[440, 1000],
			),
		],
		[
			code('Mixed recipients', CONTINUE_ITEMS, [220, 1200]),
			wechat(
				'Continue on fail',
				{
					operation: 'sendLink',
					toUserName: '={{ $json.sendTo }}',
					title: 'Continue',
					url: 'https://example.com/c',
					description: '',
					thumbUrl: '',
					additionalFields: {},
					options: FAST,
				},
				[440, 1200],
				{ onError: 'continueRegularOutput' },
			),
		],
		[
			set('Auth item', { n: 1 }, [220, 1400]),
			wechat(
				'Header auth',
				{
					operation: 'sendLink',
					toUserName: 'wxid_e2e_auth',
					title: 'Behind a proxy',
					url: 'https://example.com/p',
					description: '',
					thumbUrl: '',
					additionalFields: {},
					options: { ...FAST, includeXml: true },
				},
				[440, 1400],
				{ credential: CREDENTIALS.auth },
			),
		],
		[
			set(
				'Group',
				{ group: TALK.group, who: `${TALK.mentionWxid}:${TALK.mentionName}` },
				[220, 1800],
			),
			wechat(
				'Text with mention',
				{
					operation: 'sendText',
					toUserName: '={{ $json.group }}',
					text: TALK.text,
					mentions: '={{ $json.who }}',
					options: FAST,
				},
				[440, 1800],
			),
		],
		[
			code('Received message', [TALK.quoted], [220, 2000]),
			wechat(
				'Quote reply',
				{
					operation: 'replyWithQuote',
					toUserName: '={{ $json.chatId }}',
					text: TALK.reply,
					quotedNewMsgId: '={{ $json.newMsgId }}',
					quotedSenderWxid: '={{ $json.senderWxid }}',
					quotedSenderName: '={{ $json.senderName }}',
					quotedMsgType: '={{ $json.msgType }}',
					quotedContent: '={{ $json.content }}',
					options: FAST,
				},
				[440, 2000],
			),
		],
		[
			set('Command item', { n: 1 }, [220, 2200]),
			wechat(
				'Custom command',
				{
					operation: 'callGatewayCommand',
					cgiCmd: 594,
					cgiRequest: TALK.commandRequest,
					options: FAST,
				},
				[440, 2200],
			),
		],
		[
			set('Paced item', { n: 1 }, [220, 1600]),
			// default options: 1000 ms (+ up to 30% jitter) between messages, 12 chats a minute
			wechat(
				'Default pacing',
				{
					operation: 'sendLink',
					toUserName: PACED_RECIPIENTS.join(', '),
					title: 'Paced',
					url: 'https://example.com/paced',
					description: '',
					thumbUrl: '',
					additionalFields: {},
					options: {},
				},
				[440, 1600],
			),
		],
	]);
}

/** The same refusal without Continue On Fail: the execution must fail and stop there. */
function failWorkflow() {
	return workflow('e2eFailsOnRet01', 'e2e: fails without Continue On Fail', [
		[
			code('Items', FAIL_ITEMS, [220, 0]),
			wechat(
				'Stops on error',
				{
					operation: 'sendLink',
					toUserName: '={{ $json.sendTo }}',
					title: 'Stops',
					url: 'https://example.com/s',
					description: '',
					thumbUrl: '',
					additionalFields: {},
					options: FAST,
				},
				[440, 0],
			),
		],
	]);
}

/**
 * n8n's own Retry On Fail, in the real n8n: the gateway fails the third item once (Ret -1, which
 * the node itself does not retry), so n8n runs the node again with all four items. Items one and
 * two went out on the first try and must not go out again.
 */
const RETRY_RECIPIENTS = ['wxid_e2e_r1', 'wxid_e2e_r2', 'wxid_e2e_r3', 'wxid_e2e_r4'];
/** The same, but the third item's answer is lost after the gateway sent it: it must not be resent. */
const UNKNOWN_RECIPIENTS = ['wxid_e2e_u1', 'wxid_e2e_u2', 'wxid_e2e_u3'];

function retryWorkflow() {
	const retry = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
	const link = (title) => ({
		operation: 'sendLink',
		toUserName: '={{ $json.sendTo }}',
		title,
		url: 'https://example.com/r',
		options: FAST,
	});
	return workflow('e2eRetryOnFail01', 'e2e: n8n Retry On Fail never sends twice', [
		[
			code(
				'Retry items',
				RETRY_RECIPIENTS.map((sendTo) => ({ sendTo })),
				[220, 0],
			),
			wechat('Retried after a refusal', link('Retried'), [440, 0], {
				credential: CREDENTIALS.retry,
				...retry,
			}),
		],
		[
			code(
				'Unknown items',
				UNKNOWN_RECIPIENTS.map((sendTo) => ({ sendTo })),
				[220, 200],
			),
			wechat('Retried after a lost answer', link('Lost answer'), [440, 200], {
				credential: CREDENTIALS.retry,
				...retry,
			}),
		],
	]);
}

module.exports = {
	TALK,
	RETRY_RECIPIENTS,
	UNKNOWN_RECIPIENTS,
	retryWorkflow,
	NODE_TYPE,
	CREDENTIALS,
	LINK_ITEMS,
	CONTINUE_ITEMS,
	FAIL_ITEMS,
	PACED_RECIPIENTS,
	RECEIVED,
	mainWorkflow,
	failWorkflow,
};
