/**
 * Message → Pat through n8n's engine against the simulator's model of cgi 849: the exact JSON
 * at the gateway (PattedUsername with a lower-case n, Scene 0), and its refusals.
 */
import { GROUP, useModelledGateway } from '../contact/modelledGateway';

const sim = useModelledGateway();

test('one call with ChatUserName, PattedUsername and Scene 0; one item naming the chat and who was patted', async () => {
	const { items, error } = await sim.run(
		'message',
		{ operation: 'pat', chatId: '={{ $json.chatId }}', wxid: '={{ $json.senderWxid }}' },
		{ items: [{ chatId: GROUP, senderWxid: 'wxid_lin99' }] },
	);
	expect(error).toBeUndefined();
	expect(sim.gateway.calls.map((call) => call.body)).toEqual([
		`{"CgiCmd":849,"CgiRequest":{"ChatUserName":"${GROUP}","PattedUsername":"wxid_lin99","Scene":0}}`,
	]);
	expect(sim.gateway.messages[0]).toMatchObject({ chatId: GROUP, pattedWxid: 'wxid_lin99' });
	expect(items.map((item) => item.json)).toEqual([
		{
			ToUserName: GROUP,
			Ret: 0,
			ErrMsg: '',
			ResponseData: {},
			chatId: GROUP,
			wxid: 'wxid_lin99',
		},
	]);
});

test('someone who is not in the group is the Ret -2 error naming the item; a name instead of a wxid is refused unsent', async () => {
	const { items } = await sim.run(
		'message',
		{ operation: 'pat', chatId: GROUP, wxid: '={{ $json.who }}' },
		{ items: [{ who: 'wxid_nobody' }, { who: 'Lin Wei' }], continueOnFail: true },
	);
	expect(items.map((item) => item.json)).toEqual([
		expect.objectContaining({
			Ret: -2,
			error: expect.stringMatching(/cgi 849: Ret -2 \(wxid_nobody is not a member.*item 0/),
		}),
		{ error: expect.stringMatching(/"Wxid" has "Lin Wei", which is not a WeChat ID.*item 1/) },
	]);
	expect(sim.gateway.calls).toHaveLength(1);
	const several = await sim.run('message', {
		operation: 'pat',
		chatId: `${GROUP}, wxid_lin99`,
		wxid: 'wxid_lin99',
	});
	expect(several.error?.message).toMatch(/"Chat ID" has 2 chats; a pat goes to one.*item 0/);
});
