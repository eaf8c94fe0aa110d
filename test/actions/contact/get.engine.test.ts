/**
 * Contact → Get through n8n's engine: cgi 182 with the ids asked, batches of CONTACTS_PER_CALL,
 * one item per contact in the order asked with the gateway's own fields, 64-bit numbers exact,
 * unknown ids as found: false, bad ids refused before anything is sent.
 */
import { CONTACTS_PER_CALL } from '../../../nodes/WeChatGateway/actions/contactInfo';
import { FAST, useModelledGateway } from './modelledGateway';

const sim = useModelledGateway();

test('one call of cgi 182 with the ids; one item per contact in the order asked, fields as the gateway gives them', async () => {
	const { items, error } = await sim.run(
		'contact',
		{ operation: 'get', wxids: '={{ $json.ids }}' },
		{ items: [{ ids: 'wxid_friend42,\nwxid_nobody, wxid_lin99' }] },
	);
	expect(error).toBeUndefined();
	expect(sim.bodies()).toEqual([
		{ CgiCmd: 182, CgiRequest: { Wxid: ['wxid_friend42', 'wxid_nobody', 'wxid_lin99'] } },
	]);
	expect(items.map((item) => [item.json.wxid, item.json.found, item.json.UserName])).toEqual([
		['wxid_friend42', true, 'wxid_friend42'],
		['wxid_nobody', false, undefined],
		['wxid_lin99', true, 'wxid_lin99'],
	]);
	expect(items[1].json).toEqual({ wxid: 'wxid_nobody', found: false });
	expect(items[0].json).toMatchObject({
		NickName: 'Friend',
		Remark: 'Friend (work)',
		Alias: 'friend_42',
		Sex: 2,
		Signature: 'hello <world> & "you"',
		Province: 'Guangdong',
		City: 'Shenzhen',
	});
	expect(items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
	expect(items[0].json.ToUserName).toBeUndefined();
});

test('a 64-bit number in a contact comes out as its exact digits', async () => {
	const { items } = await sim.run('contact', { operation: 'get', wxids: 'wxid_friend42' });
	const sns = items[0].json.SnsUserInfo as Record<string, unknown>;
	// The simulator writes it as a bare JSON number; a double would have rounded it.
	expect(sim.gateway.calls).toHaveLength(1);
	expect(sns.SnsBGObjectID).toBe('13020986498424369423');
});

test(`more than ${CONTACTS_PER_CALL} ids: one call per ${CONTACTS_PER_CALL}, items still one per id in order`, async () => {
	const ids = Array.from({ length: CONTACTS_PER_CALL * 2 + 5 }, (_, i) => `wxid_c${i}`);
	sim.gateway.contacts.seed(ids.map((UserName, i) => ({ UserName, NickName: `C${i}` })));
	const { items, error } = await sim.run(
		'contact',
		{ operation: 'get', wxids: '={{ $json.ids }}' },
		{ items: [{ ids }] },
	);
	expect(error).toBeUndefined();
	expect(sim.bodies().map((body) => (body.CgiRequest.Wxid as string[]).length)).toEqual([
		CONTACTS_PER_CALL,
		CONTACTS_PER_CALL,
		5,
	]);
	expect(sim.bodies().flatMap((body) => body.CgiRequest.Wxid)).toEqual(ids);
	expect(items.map((item) => item.json.NickName)).toEqual(ids.map((_, i) => `C${i}`));
});

test('a bad id is refused naming the entry and the item, and nothing is sent', async () => {
	const { error, items } = await sim.run(
		'contact',
		{ operation: 'get', wxids: '={{ $json.ids }}' },
		{ items: [{ ids: 'wxid_friend42' }, { ids: 'wxid_lin99, Alice Smith' }] },
	);
	expect(error?.message).toMatch(/"Wxids" has "Alice Smith", which is not a WeChat ID.*\(item 1\)/);
	expect(items).toEqual([]);
	// Item 0 was read before item 1 failed; item 1 sent nothing.
	expect(sim.bodies().map((body) => body.CgiRequest.Wxid)).toEqual([['wxid_friend42']]);

	const empty = await sim.run('contact', { operation: 'get', wxids: ' , ' });
	expect(empty.error?.message).toMatch(/"Wxids" is empty.*\(item 0\)/);
});

test('a gateway refusal is the item error with its Ret; Continue On Fail keeps going', async () => {
	sim.gateway.addFault({ action: 'ret', ret: -13, nth: 1 });
	const { items, error } = await sim.run(
		'contact',
		{ operation: 'get', wxids: '={{ $json.ids }}' },
		{ items: [{ ids: 'wxid_friend42' }, { ids: 'wxid_lin99' }], continueOnFail: true },
	);
	expect(error).toBeUndefined();
	expect(items[0].json).toMatchObject({
		Ret: -13,
		error: expect.stringMatching(/cgi 182.*item 0/),
	});
	expect(items[1].json).toMatchObject({ wxid: 'wxid_lin99', found: true, NickName: 'Lin' });
});

test('Call Gateway Command with cgi 182 outputs the list of contacts the gateway answered, not an empty object', async () => {
	const { items, error } = await sim.run('message', {
		operation: 'callGatewayCommand',
		cgiCmd: 182,
		cgiRequest: '{"Wxid":["wxid_lin99"]}',
		paced: false,
	});
	expect(error).toBeUndefined();
	expect(items[0].json.ResponseData).toEqual([
		expect.objectContaining({ UserName: 'wxid_lin99', NickName: 'Lin' }),
	]);
});

test('a read skipped as a duplicate of one whose answer was lost is one item that says so', async () => {
	sim.gateway.addFault({ action: 'drop', nth: 1 });
	const parameters = {
		operation: 'get',
		wxids: 'wxid_lin99',
		options: { ...FAST, retries: 0, skipDuplicatesWithin: 5 },
	};
	const first = await sim.run('contact', parameters, { continueOnFail: true });
	expect(first.items.map((item) => item.json.delivery)).toEqual(['unknown']);
	const again = await sim.run('contact', parameters);
	expect(again.error).toBeUndefined();
	expect(again.items.map((item) => item.json)).toEqual([
		expect.objectContaining({ skippedDuplicate: true, delivery: 'unknown' }),
	]);
	// Whether the contact exists is not known: the item does not say it was not found.
	expect(again.items[0].json.found).toBeUndefined();
	expect(sim.gateway.calls).toHaveLength(1);
});
