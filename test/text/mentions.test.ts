import {
	MENTION_END,
	atUsersOf,
	parseMentions,
	withMentionTokens,
} from '../../nodes/WeChatGateway/text/mentions';

describe('parseMentions', () => {
	test('wxids separated by commas, Chinese commas, semicolons and new lines; repeats once', () => {
		const mentions = parseMentions('wxid_a, wxid_b，wxid_c\nwxid_a;wxid_d');
		expect(mentions.map((m) => m.wxid)).toEqual(['wxid_a', 'wxid_b', 'wxid_c', 'wxid_d']);
		expect(atUsersOf(mentions)).toBe('wxid_a,wxid_b,wxid_c,wxid_d');
	});

	test('a display name after a colon, in text and in a mapped list of texts or objects', () => {
		expect(parseMentions('wxid_a:Alice Smith, wxid_b')).toEqual([
			{ wxid: 'wxid_a', name: 'Alice Smith' },
			{ wxid: 'wxid_b' },
		]);
		expect(
			parseMentions([
				'wxid_a:小明',
				{ wxid: 'wxid_b', name: 'Bob' },
				{ senderWxid: 'wxid_c', senderName: 'C' },
			]),
		).toEqual([
			{ wxid: 'wxid_a', name: '小明' },
			{ wxid: 'wxid_b', name: 'Bob' },
			{ wxid: 'wxid_c', name: 'C' },
		]);
	});

	test('notify@all mentions everyone and is written as @所有人 unless named otherwise', () => {
		const mentions = parseMentions('notify@all');
		expect(mentions).toEqual([{ wxid: 'notify@all', name: '所有人' }]);
		expect(withMentionTokens('meeting at 3', mentions)).toBe(`@所有人${MENTION_END}meeting at 3`);
		expect(parseMentions('notify@all:All')).toEqual([{ wxid: 'notify@all', name: 'All' }]);
	});

	test('nicknames, groups, markup and names that would break the token are refused, naming the field', () => {
		expect(() => parseMentions('Alice Smith')).toThrow(
			/"Mentions" has "Alice Smith", which is not a WeChat ID/,
		);
		expect(() => parseMentions('123@chatroom')).toThrow(/group "123@chatroom"/);
		expect(() => parseMentions('<b>x</b>')).toThrow(/not a WeChat ID/);
		expect(() => parseMentions([{ wxid: 'wxid_a', name: 'two\nlines' }])).toThrow(
			/line break or U\+2005/,
		);
		expect(() => parseMentions([{ wxid: 'wxid_a', name: `a${MENTION_END}b` }])).toThrow(/U\+2005/);
		expect(() => parseMentions(42)).toThrow(/must be text or a list/);
	});

	test('empty means no mentions', () => {
		expect(parseMentions('')).toEqual([]);
		expect(parseMentions(undefined)).toEqual([]);
		expect(parseMentions(' , \n')).toEqual([]);
	});
});

describe('withMentionTokens', () => {
	test('each named mention becomes @Name + U+2005 in front of the text, in order', () => {
		const text = withMentionTokens('hello', parseMentions('wxid_a:Alice, wxid_b:鲍勃, wxid_c'));
		expect(text).toBe(`@Alice${MENTION_END}@鲍勃${MENTION_END}hello`);
		expect([...text].filter((c) => c === '\u2005')).toHaveLength(2);
	});

	test('a token the user already placed is not written twice', () => {
		const text = `thanks @Alice${MENTION_END}for this`;
		expect(withMentionTokens(text, parseMentions('wxid_a:Alice'))).toBe(text);
	});

	test('an @Name followed by an ordinary space is not a mention: the real token is added', () => {
		expect(withMentionTokens('@Alice hi', parseMentions('wxid_a:Alice'))).toBe(
			`@Alice${MENTION_END}@Alice hi`,
		);
	});
});

describe('display names with commas', () => {
	test('a name runs on past its commas, to the next wxid: entry or the end of the line', () => {
		expect(parseMentions('wxid_a:Smith, John')).toEqual([{ wxid: 'wxid_a', name: 'Smith, John' }]);
		expect(parseMentions('wxid_a:Smith, John, wxid_b:Doe，Jane、Jr.\nwxid_c:Lee, Ann')).toEqual([
			{ wxid: 'wxid_a', name: 'Smith, John' },
			{ wxid: 'wxid_b', name: 'Doe，Jane、Jr.' },
			{ wxid: 'wxid_c', name: 'Lee, Ann' },
		]);
	});

	test('a bare wxid_… or notify@all after a name starts a new entry', () => {
		expect(parseMentions('wxid_a:Smith, John, wxid_b, notify@all')).toEqual([
			{ wxid: 'wxid_a', name: 'Smith, John' },
			{ wxid: 'wxid_b' },
			{ wxid: 'notify@all', name: '所有人' },
		]);
	});

	test('bare wxids are still separated by commas, and a semicolon always ends a name', () => {
		expect(parseMentions('wxid_a, custom_id, wxid_b:Bo; custom_two')).toEqual([
			{ wxid: 'wxid_a' },
			{ wxid: 'custom_id' },
			{ wxid: 'wxid_b', name: 'Bo' },
			{ wxid: 'custom_two' },
		]);
	});

	test('an entry whose ID is wrong is named whole in the error', () => {
		expect(() => parseMentions('wxid_a:Ann\nwxid b:Smith, John')).toThrow(
			'"Mentions" has "wxid b" (in the entry "wxid b:Smith, John"), which is not a WeChat ID',
		);
	});
});
