/**
 * Group → Get, Get Members and Remove Members through n8n's engine against the simulator's
 * model of cgi 182 and 179: the exact JSON at the gateway, one item per member, the gateway's
 * refusals as errors naming the item, and a removal never sent twice under Retry On Fail.
 */
import { GROUP, MEMBERS, useModelledGateway } from '../contact/modelledGateway';

const sim = useModelledGateway();

describe('Get and Get Members (cgi 182)', () => {
	test('Get: one item, the group with its members, as the gateway gives it', async () => {
		const { items, error } = await sim.run('group', { operation: 'get', groupId: GROUP });
		expect(error).toBeUndefined();
		expect(sim.bodies()).toEqual([{ CgiCmd: 182, CgiRequest: { Wxid: [GROUP] } }]);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			groupId: GROUP,
			UserName: GROUP,
			NickName: 'Simulated group',
			ChatRoomOwner: 'wxid_member7',
		});
		const members = items[0].json.ChatRoomMember as Array<{ Wxid: string }>;
		expect(members.map((member) => member.Wxid)).toEqual(MEMBERS);
	});

	test('Get Members: one item per member, groupId and the member fields, paired to the input item', async () => {
		const { items, error } = await sim.run(
			'group',
			{ operation: 'getMembers', groupId: '={{ $json.chatId }}' },
			{ items: [{ chatId: GROUP }] },
		);
		expect(error).toBeUndefined();
		expect(sim.bodies()).toEqual([{ CgiCmd: 182, CgiRequest: { Wxid: [GROUP] } }]);
		expect(items.map((item) => item.json)).toEqual([
			{ groupId: GROUP, Wxid: 'wxid_member7', NickName: 'Mei', ChatroomMemberFlag: 0 },
			{ groupId: GROUP, Wxid: 'wxid_lin99', NickName: 'Lin', ChatroomMemberFlag: 2048 },
			{ groupId: GROUP, Wxid: 'wxid_friend42', NickName: 'Friend', ChatroomMemberFlag: 0 },
			{ groupId: GROUP, Wxid: 'wxid_spammer01', NickName: '免费领取 🎁', ChatroomMemberFlag: 0 },
		]);
		expect(items.map((item) => item.pairedItem)).toEqual(MEMBERS.map(() => ({ item: 0 })));
	});

	test('a group the account does not know is the item error; an id that is not a group is refused unsent', async () => {
		const unknown = await sim.run('group', { operation: 'getMembers', groupId: '1111@chatroom' });
		expect(unknown.error?.message).toMatch(
			/"Group ID" 1111@chatroom is not a group this account knows.*\(item 0\)/,
		);
		const person = await sim.run('group', { operation: 'get', groupId: 'wxid_friend42' });
		expect(person.error?.message).toMatch(
			/"Group ID" has "wxid_friend42", which is not a group ID: it must end with @chatroom.*\(item 0\)/,
		);
		expect(sim.gateway.calls).toHaveLength(1); // the unknown group's read only
	});
});

describe('Remove Members (cgi 179)', () => {
	test('one call with the wxids and the group; one item; the member is gone from the group', async () => {
		const { items, error } = await sim.run('group', {
			operation: 'removeMembers',
			groupId: GROUP,
			wxids: 'wxid_spammer01',
		});
		expect(error).toBeUndefined();
		expect(sim.gateway.calls[0].body).toBe(
			`{"CgiCmd":179,"CgiRequest":{"Wxid":["wxid_spammer01"],"ChatroomID":"${GROUP}"}}`,
		);
		expect(items.map((item) => item.json)).toEqual([
			{
				ToUserName: GROUP,
				Ret: 0,
				ErrMsg: '',
				ResponseData: {
					MemberCount: 1,
					MemberList: [{ MemberName: { string: 'wxid_spammer01' } }],
				},
				groupId: GROUP,
				removed: ['wxid_spammer01'],
			},
		]);
		const after = await sim.run('group', { operation: 'getMembers', groupId: GROUP });
		expect(after.items.map((item) => item.json.Wxid)).toEqual(MEMBERS.slice(0, 3));
	});

	test('an unknown group (Ret -1) and a member who is not there (Ret -2) are errors naming the item', async () => {
		const { items } = await sim.run(
			'group',
			{ operation: 'removeMembers', groupId: '={{ $json.group }}', wxids: '={{ $json.who }}' },
			{
				items: [
					{ group: '1111@chatroom', who: 'wxid_lin99' },
					{ group: GROUP, who: 'wxid_nobody' },
				],
				continueOnFail: true,
			},
		);
		expect(items.map((item) => item.json)).toEqual([
			expect.objectContaining({
				Ret: -1,
				delivery: 'rejected',
				error: expect.stringMatching(/WeChat refused cgi 179: Ret -1.*item 0, to 1111@chatroom/),
			}),
			expect.objectContaining({
				Ret: -2,
				delivery: 'rejected',
				error: expect.stringMatching(/Ret -2 \(wxid_nobody is not a member.*item 1/),
			}),
		]);
	});

	test('bad wxids are refused before anything is sent', async () => {
		const { error } = await sim.run('group', {
			operation: 'removeMembers',
			groupId: GROUP,
			wxids: 'wxid_lin99\n<script>',
		});
		expect(error?.message).toMatch(/"Wxids" has "<script>", which is not a WeChat ID.*\(item 0\)/);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test('without Retry On Fail the same refusal fails the run: the node itself does not send a refused removal again', async () => {
		sim.gateway.addFault({ action: 'ret', ret: -1, nth: 2 });
		const { error } = await sim.run(
			'group',
			{ operation: 'removeMembers', groupId: GROUP, wxids: '={{ $json.who }}' },
			{ items: [{ who: 'wxid_spammer01' }, { who: 'wxid_lin99' }] },
		);
		expect(error?.message).toMatch(/Ret -1.*item 1/);
		expect(sim.gateway.calls).toHaveLength(2);
	});

	test("n8n's Retry On Fail: a removal that went through is not sent again when a later item failed", async () => {
		sim.gateway.addFault({ action: 'ret', ret: -1, nth: 2 });
		const { items, error } = await sim.run(
			'group',
			{ operation: 'removeMembers', groupId: GROUP, wxids: '={{ $json.who }}' },
			{
				items: [{ who: 'wxid_spammer01' }, { who: 'wxid_lin99' }],
				retryOnFail: { maxTries: 3, waitBetweenTries: 1 },
			},
		);
		expect(error).toBeUndefined();
		expect(sim.gateway.calls.map((call) => call.fault ?? null)).toEqual([null, 'ret', null]);
		const removals = sim.bodies().map((body) => body.CgiRequest.Wxid);
		// The spammer's removal went out once; sent again it would be refused (Ret -2).
		expect(removals).toEqual([['wxid_spammer01'], ['wxid_lin99'], ['wxid_lin99']]);
		expect(items.map((item) => [item.json.Ret, item.json.removed])).toEqual([
			[0, ['wxid_spammer01']],
			[0, ['wxid_lin99']],
		]);
	});
});
