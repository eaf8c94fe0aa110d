/**
 * Check Recipients through n8n's engine, against the simulator's model of cgi 182: before
 * anything is sent, each distinct recipient of the run is looked up once; an ID that is nobody,
 * or a group the account is not in, is the item's error and nothing goes to it. Off by default in
 * a workflow (no look-up at all), on by default when the node is an AI agent's tool.
 */
import type { INodeParameters } from 'n8n-workflow';

import { FAST, GROUP, SENDER, useModelledGateway } from '../contact/modelledGateway';

const sim = useModelledGateway();
const FRIEND = 'wxid_friend42';
const MADE_UP = 'wxid_made_up_by_a_model';
/** A group the account is in: the simulator's seeded group lists other members only. */
const TEAM = '5550001@chatroom';
const CHECK = { ...FAST, checkRecipients: true };
const sendText = (options: INodeParameters = CHECK): INodeParameters => ({
	operation: 'sendText',
	toUserName: '={{ $json.to }}',
	text: '={{ $json.text }}',
	options,
});

const cgis = () => sim.bodies().map((body) => body.CgiCmd);
const textsTo = () =>
	sim
		.bodies()
		.filter((body) => body.CgiCmd === 522)
		.map((body) => body.CgiRequest.ToUserName);

beforeEach(() => {
	sim.gateway.contacts.seed({
		UserName: TEAM,
		NickName: 'Team',
		ChatRoomMember: [
			{ Wxid: FRIEND, NickName: 'Friend', ChatroomMemberFlag: 0 },
			{ Wxid: SENDER, NickName: 'Me', ChatroomMemberFlag: 0 },
		],
	});
});

test('an ID that is nobody: the error names it and the item, says what to pass, and nothing is sent', async () => {
	const { error, items } = await sim.run('message', sendText(), {
		items: [{ to: MADE_UP, text: 'hi' }],
	});
	expect(error?.message).toBe(
		`"To" has ${MADE_UP}, which is not a contact of this account (cgi 182 knows no one by that ID): use an ID from the trigger's chatId or senderWxid, never a name or a guess (item 0, to ${MADE_UP})`,
	);
	expect(items).toEqual([]);
	expect(sim.bodies()).toEqual([{ CgiCmd: 182, CgiRequest: { Wxid: [MADE_UP] } }]);
});

test('a group the account is not in, or one the gateway does not know: the item error, nothing sent', async () => {
	const notIn = await sim.run('message', sendText(), { items: [{ to: GROUP, text: 'hi' }] });
	expect(notIn.error?.message).toMatch(
		new RegExp(
			`^"To" has ${GROUP}, but the account is not in group ${GROUP} \\(${SENDER} is not among its members\\): use the chatId of a group message the account received, never a guess \\(item 0, to ${GROUP}\\)$`,
		),
	);
	const unknown = await sim.run('message', sendText(), {
		items: [{ to: '1111@chatroom', text: 'hi' }],
	});
	expect(unknown.error?.message).toMatch(
		/the account is not in group 1111@chatroom \(cgi 182 knows no group by that ID\).*\(item 0, to 1111@chatroom\)$/,
	);
	expect(cgis()).toEqual([182, 182]);
});

test('a contact and a group the account is in are sent to; repeated recipients are looked up in one call, before the first send', async () => {
	const { error, items } = await sim.run('message', sendText(), {
		items: [
			{ to: FRIEND, text: 'one' },
			{ to: `${FRIEND}, ${TEAM}`, text: 'two' },
			{ to: TEAM, text: 'three' },
		],
	});
	expect(error).toBeUndefined();
	expect(sim.bodies()[0]).toEqual({ CgiCmd: 182, CgiRequest: { Wxid: [FRIEND, TEAM] } });
	expect(cgis()).toEqual([182, 522, 522, 522, 522]);
	expect(textsTo()).toEqual([FRIEND, FRIEND, TEAM, TEAM]);
	expect(items.map((item) => [item.json.ToUserName, item.pairedItem])).toEqual([
		[FRIEND, { item: 0 }],
		[FRIEND, { item: 1 }],
		[TEAM, { item: 1 }],
		[TEAM, { item: 2 }],
	]);
});

test('with Continue On Fail, an item with one unknown recipient is an error item and sends to none of them; the others go out', async () => {
	const { error, items } = await sim.run('message', sendText(), {
		items: [
			{ to: FRIEND, text: 'one' },
			{ to: `${FRIEND}, ${MADE_UP}`, text: 'two' },
		],
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	expect(sim.bodies()[0]).toEqual({ CgiCmd: 182, CgiRequest: { Wxid: [FRIEND, MADE_UP] } });
	expect(textsTo()).toEqual([FRIEND]);
	expect(items).toHaveLength(2);
	expect(items[0].json.ToUserName).toBe(FRIEND);
	expect(items[1].pairedItem).toEqual({ item: 1 });
	expect(String(items[1].json.error)).toContain(`"To" has ${MADE_UP}, which is not a contact`);
});

test.each([
	[
		'Ret -1',
		{ action: 'ret', ret: -1, errMsg: 'busy', cgiCmd: 182 },
		/WeChat refused cgi 182: Ret -1 \(busy\)/,
	],
	['HTTP 500', { action: 'http', status: 500, cgiCmd: 182 }, /500/],
])('a look-up that fails (%s): a clear error, nothing sent', async (_name, fault, cause) => {
	sim.gateway.addFault(fault);
	const { error } = await sim.run('message', sendText(), {
		items: [
			{ to: FRIEND, text: 'one' },
			{ to: TEAM, text: 'two' },
		],
	});
	expect(error?.message).toMatch(
		/^The recipients could not be checked \(cgi 182\), so nothing was sent: .*\(item 0, to wxid_friend42\)$/,
	);
	expect(error?.message).toMatch(cause);
	expect(cgis()).toEqual([182]);
});

test('option off (the default in a workflow): no look-up at all, the message goes out as it always did', async () => {
	for (const options of [FAST, { ...FAST, checkRecipients: false }]) {
		sim.gateway.reset();
		const { error, items } = await sim.run('message', sendText(options), {
			items: [{ to: MADE_UP, text: 'hi' }],
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(sim.gateway.calls.map((call) => call.body)).toEqual([
			JSON.stringify({
				CgiCmd: 522,
				CgiRequest: { ToUserName: MADE_UP, Content: 'hi', MsgType: 1, AtUsers: '' },
			}),
		]);
	}
});

test('as an AI agent tool the check is on unless the option says otherwise', async () => {
	const asTool = await sim.run('message', sendText(FAST), {
		items: [{ to: MADE_UP, text: 'hi' }],
		asTool: true,
	});
	expect(asTool.error?.message).toMatch(new RegExp(`"To" has ${MADE_UP}, which is not a contact`));
	expect(cgis()).toEqual([182]);

	sim.gateway.reset();
	const off = await sim.run('message', sendText({ ...FAST, checkRecipients: false }), {
		items: [{ to: MADE_UP, text: 'hi' }],
		asTool: true,
	});
	expect(off.error).toBeUndefined();
	expect(cgis()).toEqual([522]);
});

test('every operation with a To is checked (an app message here); one without (Get contact) is not', async () => {
	const link = await sim.run('message', {
		operation: 'sendLink',
		toUserName: MADE_UP,
		title: 't',
		url: 'https://example.com/',
		options: CHECK,
	});
	expect(link.error?.message).toMatch(new RegExp(`"To" has ${MADE_UP}, which is not a contact`));
	expect(cgis()).toEqual([182]);

	sim.gateway.reset();
	const get = await sim.run('contact', { operation: 'get', wxids: MADE_UP, options: CHECK });
	expect(get.error).toBeUndefined();
	expect(get.items.map((item) => item.json)).toEqual([{ wxid: MADE_UP, found: false }]);
	expect(sim.bodies()).toEqual([{ CgiCmd: 182, CgiRequest: { Wxid: [MADE_UP] } }]);
});
