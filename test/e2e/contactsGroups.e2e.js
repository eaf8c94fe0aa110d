'use strict';
/**
 * End-to-end: contacts, groups, the account and the events around them, in one real `n8n start`
 * against the simulator modelling cgi 182, 179, 594, 849 and the account pages
 * (`modelCommands`). One import, one `n8n execute` of a workflow that runs every contact, group,
 * revoke, pat and account operation (with the gateway's refusals), and four active trigger
 * workflows: one that posts every event item it gets to a local server, and the examples
 * "account offline → request login → alert", "welcome whoever joins a group" and "answer a pat"
 * as shipped (the alert's URL pointed at that server). The simulator pushes each event's frames;
 * what n8n did is read from what the simulator and the local server received.
 *
 *   npx jest test/e2e/contactsGroups.e2e.js --selectProjects e2e     (E2E_KEEP=1 keeps n8n's folder)
 */
const http = require('node:http');

const lib = require('../../scripts/lib/instance');
const { waitFor } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { QR_PNG } = require('../../simulator/mediaBytes');

const { rt } = lib;
const BOT = 'wxid_e2e_groups_bot';
const GROUP = '6949093048@chatroom';
const OWNER = { email: 'groups-e2e@example.com', password: 'E2e-Passw0rd' };
const CREDENTIAL = { id: 'e2eGroupsCred001', name: 'e2e contacts and groups gateway' };
const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0 };
const EXAMPLES = [
	'account-offline-login-alert.json',
	'welcome-group-joiner.json',
	'answer-a-pat.json',
];

const log = lib.timedLog('contacts/groups e2e');
const ctx = {};

/** A local server standing in for a webhook: every JSON body posted to it, by path. */
function startCapture() {
	const received = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			received.push({ path: req.url, json: JSON.parse(body) });
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({
				url: `http://127.0.0.1:${server.address().port}`,
				received,
				at: (path) => received.filter((r) => r.path === path).map((r) => r.json),
				close: () => new Promise((done) => server.close(done)),
			}),
		),
	);
}

let counter = 0;
const node = (name, type, typeVersion, parameters, extra = {}) => ({
	id: `e2e-groups-${String(++counter).padStart(4, '0')}`,
	name,
	type,
	typeVersion,
	position: [counter * 220, 0],
	parameters,
	...extra,
});
const wechat = (name, parameters, extra = {}) =>
	node(
		name,
		lib.NODE_TYPE,
		1,
		{ ...parameters, options: FAST },
		{
			credentials: { weChatGatewayApi: CREDENTIAL },
			...extra,
		},
	);
const continueOnFail = { onError: 'continueRegularOutput' };

/** Nodes in chains, each chain's first node fed by `start`. */
function workflow(id, name, start, chains) {
	const connections = {
		[start.name]: { main: [chains.map((c) => ({ node: c[0].name, type: 'main', index: 0 }))] },
	};
	for (const chain of chains)
		for (let i = 0; i < chain.length - 1; i++)
			connections[chain[i].name] = {
				main: [[{ node: chain[i + 1].name, type: 'main', index: 0 }]],
			};
	return {
		id,
		name,
		nodes: [start, ...chains.flat()],
		connections,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** Every contact, group, revoke, pat and account operation, and the gateway's refusals. */
const OPERATIONS = workflow(
	'e2eGroupsOps0001',
	'e2e contacts, groups, account',
	node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
	[
		[
			wechat('Contacts', {
				resource: 'contact',
				operation: 'get',
				wxids: 'wxid_friend42, wxid_nobody_here\nwxid_lin99',
			}),
		],
		[
			wechat('Group', { resource: 'group', operation: 'get', groupId: GROUP }),
			wechat('Remove the spammer', {
				resource: 'group',
				operation: 'removeMembers',
				groupId: '={{ $json.groupId }}',
				wxids: 'wxid_spammer01',
			}),
			wechat('Members after', {
				resource: 'group',
				operation: 'getMembers',
				groupId: '={{ $json.groupId }}',
			}),
		],
		[
			wechat(
				'Unknown group',
				{ resource: 'group', operation: 'get', groupId: '11112222333@chatroom' },
				continueOnFail,
			),
		],
		[
			wechat(
				'Remove a stranger',
				{ resource: 'group', operation: 'removeMembers', groupId: GROUP, wxids: 'wxid_not_in_it' },
				continueOnFail,
			),
		],
		[wechat('Pat', { operation: 'pat', chatId: GROUP, wxid: 'wxid_lin99' })],
		[
			wechat('Revoke', {
				operation: 'revoke',
				toUserName: 'wxid_friend42',
				newMsgId: '9223372036854775807',
				msgId: '1183372601',
			}),
		],
		[wechat('Status', { resource: 'account', operation: 'getStatus' })],
		[wechat('Request login', { resource: 'account', operation: 'requestLogin' })],
		[
			wechat('QR code', {
				resource: 'account',
				operation: 'getLoginQrCode',
				binaryPropertyName: 'qr',
			}),
		],
	],
);

/** A trigger of every event but messages other than system notices, each item posted to the capture server. */
const eventsWorkflow = (captureUrl) =>
	workflow(
		'e2eGroupsEvents1',
		'e2e every event → capture',
		node(
			'Events',
			lib.TRIGGER_TYPE,
			1,
			{
				events: [
					'pat',
					'contactChange',
					'groupInvite',
					'friendRequest',
					'accountOffline',
					'newMessage',
				],
				messageKinds: ['system'],
				options: {},
			},
			{ credentials: { weChatGatewayApi: CREDENTIAL } },
		),
		[
			[
				node('Post it', 'n8n-nodes-base.httpRequest', 4.2, {
					method: 'POST',
					url: `${captureUrl}/events`,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify($json) }}',
					options: {},
				}),
			],
		],
	);

/** A shipped example on this suite's credential, its alert posted to the capture server. */
function example(file, captureUrl) {
	const { workflow: shipped } = lib.loadExampleWorkflows().find((e) => e.file.endsWith(`/${file}`));
	const nodes = shipped.nodes.map((n) => {
		if (n.credentials?.weChatGatewayApi)
			return { ...n, credentials: { weChatGatewayApi: CREDENTIAL } };
		if (n.type === 'n8n-nodes-base.httpRequest')
			return { ...n, parameters: { ...n.parameters, url: `${captureUrl}/alert` } };
		return n;
	});
	return { ...shipped, nodes };
}

beforeAll(
	async () => {
		ctx.sim = await startGatewaySimulator({ accounts: [BOT], modelCommands: true });
		ctx.capture = await startCapture();
		const triggers = [
			eventsWorkflow(ctx.capture.url),
			...EXAMPLES.map((f) => example(f, ctx.capture.url)),
		];
		Object.assign(
			ctx,
			await lib.startInstance({
				name: 'groups-e2e',
				credentials: [lib.simulatorCredential(CREDENTIAL, ctx.sim, BOT)],
				workflows: [OPERATIONS, ...triggers],
				activate: triggers.map((w) => w.id),
				owner: OWNER,
				log,
			}),
		);
		await waitFor(
			'the four triggers to open their sockets',
			() => ctx.sim.ws.clients === triggers.length,
			{ timeoutMs: 60_000 },
		);
		log(`n8n on ${ctx.server.url}; ${triggers.length} triggers connected to ${ctx.sim.url}/ws`);
	},
	25 * 60 * 1000,
);

afterAll(async () => {
	if (ctx.stop) await ctx.stop();
	if (ctx.sim) await ctx.sim.close();
	if (ctx.capture) await ctx.capture.close();
}, 120 * 1000);

/** The items the events workflow posted, of one event. */
const captured = (event) => ctx.capture.at('/events').filter((item) => item.event === event);
const waitCaptured = (event, count = 1) =>
	waitFor(
		`${count} ${event} item(s) posted`,
		() => captured(event).length >= count && captured(event),
		{ timeoutMs: 60_000 },
	);
/** The simulator's accepted commands of one cgi, each request parsed. */
const commands = (cgiCmd) =>
	ctx.sim.messages.filter((m) => m.cgiCmd === cgiCmd).map((m) => JSON.parse(m.request));

describe('every contact, group, revoke, pat and account operation through n8n execute', () => {
	beforeAll(
		async () => {
			ctx.ops = await lib.execute({ userFolder: ctx.userFolder, id: OPERATIONS.id });
			if (!lib.succeeded(ctx.ops))
				throw new Error(
					`the operations workflow failed: ${lib.tail(ctx.ops.stdout + ctx.ops.stderr, 3000)}`,
				);
		},
		5 * 60 * 1000,
	);
	const output = (name) => lib.nodeOutput(ctx.ops.run, name).map((item) => item.json);

	test('Contact → Get: one cgi 182 with the ids, one item per id in order, an unknown one found: false', () => {
		expect(commands(182)[0]).toEqual({ Wxid: ['wxid_friend42', 'wxid_nobody_here', 'wxid_lin99'] });
		expect(output('Contacts').map((c) => [c.wxid, c.found, c.NickName])).toEqual([
			['wxid_friend42', true, 'Friend'],
			['wxid_nobody_here', false, undefined],
			['wxid_lin99', true, 'Lin'],
		]);
		// the simulator writes SnsBGObjectID as a bare 64-bit number: n8n outputs its digits
		expect(output('Contacts')[0].SnsUserInfo.SnsBGObjectID).toBe('13020986498424369423');
	});

	test('Group → Get, Remove Members (cgi 179), Get Members: the spammer is gone; an unknown group and a stranger are clear errors', () => {
		const [group] = output('Group');
		expect(group).toMatchObject({ groupId: GROUP, UserName: GROUP });
		expect(group.ChatRoomMember.map((m) => m.Wxid)).toContain('wxid_spammer01');
		expect(commands(179)).toEqual([{ Wxid: ['wxid_spammer01'], ChatroomID: GROUP }]);
		expect(output('Remove the spammer')).toEqual([
			expect.objectContaining({ Ret: 0, groupId: GROUP }),
		]);
		const members = output('Members after');
		expect(members.every((m) => m.groupId === GROUP)).toBe(true);
		expect(members.map((m) => m.Wxid).sort()).toEqual([
			'wxid_friend42',
			'wxid_lin99',
			'wxid_member7',
		]);
		expect(output('Unknown group')[0].error).toMatch(
			/11112222333@chatroom is not a group this account knows/,
		);
		expect(output('Remove a stranger')[0]).toMatchObject({
			Ret: -2,
			error: expect.stringMatching(/wxid_not_in_it is not a member/),
		});
	});

	test('Pat (cgi 849) and Revoke (cgi 594, NewMsgId a bare 64-bit number with every digit)', () => {
		expect(commands(849)[0]).toEqual({
			ChatUserName: GROUP,
			PattedUsername: 'wxid_lin99',
			Scene: 0,
		});
		expect(output('Pat')).toEqual([
			expect.objectContaining({ ToUserName: GROUP, chatId: GROUP, wxid: 'wxid_lin99', Ret: 0 }),
		]);
		const revoke = ctx.sim.messages.find((m) => m.cgiCmd === 594);
		expect(revoke.request).toBe(
			'{"OpCode":0,"MsgId":1183372601,"NewMsgId":9223372036854775807,"ToUserName":"wxid_friend42"}',
		);
		expect(output('Revoke')[0]).toMatchObject({
			revokedNewMsgId: '9223372036854775807',
			revokedMsgId: 1183372601,
			Ret: 0,
		});
	});

	test('Account → Get Status, Request Login and Get Login QR Code: the pages asked for, the QR code as binary data', () => {
		expect(output('Status')).toEqual([
			{
				online: true,
				nickname: 'Simulated Bot',
				accounts: [{ Wxid: 'wxid_e2e_groups****', NickName: 'Simulated Bot' }],
			},
		]);
		expect(output('Request login')).toEqual([{ Ret: 0, ErrMsg: '', ResponseData: {} }]);
		const asked = ctx.sim.calls
			.filter((c) => c.route && c.route !== 'api')
			.map((c) => [c.route, c.query]);
		expect(asked).toEqual(
			expect.arrayContaining([
				['wechatinfo', {}],
				['login/push', { wxid: BOT }],
				['login/getqrcode', { isIPad: '2', wxid: BOT }],
			]),
		);
		const [qr] = ctx.ops.run.data.resultData.runData['QR code'][0].data.main[0];
		expect(qr.json).toEqual({
			mimeType: 'image/png',
			fileName: 'login-qr-code.png',
			fileSize: QR_PNG.length,
		});
		expect(qr.binary.qr).toMatchObject({ mimeType: 'image/png', fileName: 'login-qr-code.png' });
	});

	test('the AI Agent tool of the node offers the contact, group and account operations with what each needs', async () => {
		const types = await rt.rest({ port: ctx.port, cookie: ctx.cookie, path: '/types/nodes.json' });
		const tool = types.json.find((t) => t.name === lib.TOOL_TYPE);
		const operations = (resource) =>
			tool.properties.find(
				(p) => p.name === 'operation' && p.displayOptions.show.resource.includes(resource),
			).options;
		expect(operations('account').map((o) => o.value)).toEqual([
			'getStatus',
			'requestLogin',
			'getLoginQrCode',
		]);
		expect(operations('contact').map((o) => o.value)).toEqual(['get']);
		expect(operations('group').map((o) => o.value)).toEqual(['get', 'getMembers', 'removeMembers']);
		for (const resource of ['account', 'contact', 'group'])
			for (const option of operations(resource))
				expect(option.description.length).toBeGreaterThan(40);
		const field = (name, operation) =>
			tool.properties.find(
				(p) => p.name === name && p.displayOptions?.show?.operation?.includes(operation),
			);
		expect(field('wxids', 'removeMembers').description).toMatch(/never/);
		expect(field('groupId', 'getMembers').description).toMatch(/@chatroom, never its name/);
		expect(field('wxid', 'pat').description).toMatch(/never a nickname/);
	});
});

describe("the trigger's events, and the examples that answer them", () => {
	test('pat: its named fields; "answer a pat" pats back who patted the account, in that chat, and nobody else', async () => {
		const before = commands(849).length;
		ctx.sim.push('pat', { account: BOT, from: 'wxid_member7' });
		const [item] = await waitCaptured('ON_EVENT_PAT_MSG');
		expect(item).toMatchObject({
			accountWxid: BOT,
			chatId: GROUP,
			patterWxid: 'wxid_member7',
			pattedWxid: BOT,
			patsMe: true,
			template: '"${wxid_member7}" 拍了拍我',
		});
		await waitFor('the pat back', () => commands(849).length === before + 1, { timeoutMs: 60_000 });
		expect(commands(849).at(-1)).toEqual({
			ChatUserName: GROUP,
			PattedUsername: 'wxid_member7',
			Scene: 0,
		});
		// someone patting someone else is an item too, and is not answered
		ctx.sim.push('pat', { account: BOT, from: 'wxid_lin99', patted: 'wxid_friend42' });
		const items = await waitCaptured('ON_EVENT_PAT_MSG', 2);
		expect(items[1]).toMatchObject({
			patterWxid: 'wxid_lin99',
			pattedWxid: 'wxid_friend42',
			patsMe: false,
		});
		await ctx.sim.settledMessages(3000);
		expect(commands(849).length).toBe(before + 1);
	});

	test('contactChange: the contact as given, once however often the gateway repeats it; the next change is an item again', async () => {
		ctx.sim.push('contactChange', {
			account: BOT,
			wxid: 'wxid_friend42',
			changes: { Remark: 'Renamed once' },
			times: 3,
		});
		await waitCaptured('ON_EVENT_CONTACT_CHANGE');
		ctx.sim.push('contactChange', {
			account: BOT,
			wxid: 'wxid_friend42',
			changes: { Remark: 'Renamed twice' },
			times: 3,
		});
		const items = await waitCaptured('ON_EVENT_CONTACT_CHANGE', 2);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(
			captured('ON_EVENT_CONTACT_CHANGE').map((i) => [
				i.accountWxid,
				i.contact.UserName,
				i.contact.Remark,
			]),
		).toEqual([
			[BOT, 'wxid_friend42', 'Renamed once'],
			[BOT, 'wxid_friend42', 'Renamed twice'],
		]);
		expect(items[0].contact.SnsUserInfo.SnsBGObjectID).toBe('13020986498424369423');
	});

	test('groupInvite and friendRequest: their named fields', async () => {
		ctx.sim.push('groupInvite', { account: BOT });
		ctx.sim.push('friendRequest', {
			account: BOT,
			from: 'wxid_stranger8',
			fromName: 'Stranger',
			text: 'Hi, from the group',
		});
		const [invite] = await waitCaptured('ON_EVENT_CHATROOM_INVITE_OTHER');
		expect(invite).toMatchObject({
			groupId: GROUP,
			inviterWxid: 'wxid_member7',
			inviterName: 'Mei',
			invitedWxid: 'wxid_newbie5',
			invitedName: 'Newbie',
		});
		const [request] = await waitCaptured('ON_EVENT_FRIEND_REQ');
		expect(request).toMatchObject({
			fromWxid: 'wxid_stranger8',
			fromName: 'Stranger',
			content: 'Hi, from the group',
			scene: 14,
			ticket: expect.stringMatching(/^v2_[0-9a-f]+@stranger$/),
			requestXml: expect.stringMatching(/^<msg /),
		});
	});

	test('a member joining: a system newMessage with joined; "welcome" greets them in the group, mentioning who has a wxid', async () => {
		const texts = () => ctx.sim.messages.filter((m) => m.cgiCmd === 522 || m.content !== undefined);
		const before = texts().length;
		ctx.sim.push('groupJoin', { account: BOT, inviterName: 'Mei', joinedName: 'Lin' });
		const [plain] = await waitCaptured('ON_EVENT_MSG_NEW');
		expect(plain).toMatchObject({ kind: 'system', chatId: GROUP, joined: [{ name: 'Lin' }] });
		await waitFor('the welcome', () => texts().length === before + 1, { timeoutMs: 60_000 });
		expect(texts().at(-1)).toMatchObject({
			toUserName: GROUP,
			content: 'Welcome to the group, Lin! Say hello 👋',
			atUsers: [],
		});

		const member =
			'<member><username><![CDATA[wxid_newbie5]]></username><nickname><![CDATA[Newbie]]></nickname></member>';
		const content = `<sysmsg type="sysmsgtemplate"><sysmsgtemplate><content_template type="tmpl_type_profile"><plain><![CDATA[]]></plain><template><![CDATA["$username$"邀请"$names$"加入了群聊]]></template><link_list><link name="names" type="link_profile"><memberlist>${member}</memberlist></link></link_list></content_template></sysmsgtemplate></sysmsg>`;
		ctx.sim.ws.inject({
			account: BOT,
			message: { msgType: 10000, fromUserName: GROUP, actionUserName: '', content },
		});
		const items = await waitCaptured('ON_EVENT_MSG_NEW', 2);
		expect(items[1]).toMatchObject({
			kind: 'system',
			joined: [{ wxid: 'wxid_newbie5', name: 'Newbie' }],
		});
		await waitFor('the second welcome', () => texts().length === before + 2, { timeoutMs: 60_000 });
		expect(texts().at(-1)).toMatchObject({
			toUserName: GROUP,
			content: '@Newbie\u2005Welcome to the group! Say hello 👋',
			atUsers: ['wxid_newbie5'],
		});
	});

	test('accountOffline: an item with at; the example asks the phone to log in and posts the alert, and still alerts when the gateway refuses', async () => {
		const pushes = () => ctx.sim.account.requests.filter((r) => r.route === 'login/push');
		const before = pushes().length;
		const pushedAt = Date.now();
		ctx.sim.push('accountOffline', { account: BOT });
		const [event] = await waitCaptured('ON_EVENT_ACCOUNT_OFFLINE');
		expect(event.accountWxid).toBe(BOT);
		expect(Math.abs(Date.parse(event.at) - pushedAt)).toBeLessThan(10 * 60_000);
		const [alert] = await waitFor(
			'the alert',
			() => ctx.capture.at('/alert').length === 1 && ctx.capture.at('/alert'),
			{ timeoutMs: 60_000 },
		);
		expect(pushes().slice(before)).toEqual([expect.objectContaining({ wxid: BOT })]);
		// each trigger notes when it heard of it: the alert's workflow a moment apart from this one
		expect(Math.abs(Date.parse(alert.at) - Date.parse(event.at))).toBeLessThan(60_000);
		expect(alert).toEqual({
			text: `WeChat account ${BOT} was logged out at ${alert.at}; the phone was asked to confirm a new login`,
			account: BOT,
			at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			loginRequested: true,
		});

		ctx.sim.addFault({
			action: 'ret',
			ret: -13,
			errMsg: 'session expired',
			route: 'login/push',
			times: 1,
		});
		ctx.sim.push('accountOffline', { account: BOT });
		const alerts = await waitFor(
			'the second alert',
			() => ctx.capture.at('/alert').length === 2 && ctx.capture.at('/alert'),
			{ timeoutMs: 60_000 },
		);
		expect(alerts[1]).toMatchObject({
			account: BOT,
			loginRequested: false,
			text: expect.stringMatching(
				/asking the phone to log in again failed: .*Ret -13 \(session expired\)/,
			),
		});
	});
});
