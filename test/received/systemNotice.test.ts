import { joinedMembers } from '../../nodes/WeChatGateway/received/systemNotice';

/** The `<sysmsg>` form of a join notice: a template with `$name$` links to member lists. */
function sysmsg(
	template: string,
	links: Record<string, Array<[wxid: string, name: string]>>,
): string {
	const linkXml = Object.entries(links)
		.map(
			([name, members]) =>
				`<link name="${name}" type="link_profile"><memberlist>${members
					.map(
						([wxid, nickname]) =>
							`<member><username><![CDATA[${wxid}]]></username><nickname><![CDATA[${nickname}]]></nickname></member>`,
					)
					.join('')}</memberlist><separator><![CDATA[、]]></separator></link>`,
		)
		.join('');
	return `<sysmsg type="sysmsgtemplate"><sysmsgtemplate><content_template type="tmpl_type_profile"><plain><![CDATA[]]></plain><template><![CDATA[${template}]]></template><link_list>${linkXml}</link_list></content_template></sysmsgtemplate></sysmsg>`;
}

describe('who joined a group, from a system notice', () => {
	it.each([
		['"张三"邀请"李四"加入了群聊', ['李四']],
		['"张三"邀请"李四、王五、赵六"加入了群聊', ['李四', '王五', '赵六']],
		['"张三"邀请"李四"、"王五"加入了群聊', ['李四', '王五']],
		['你邀请"李四"加入了群聊', ['李四']],
		['"李四"通过扫描"张三"分享的二维码加入群聊', ['李四']],
		['“李四”通过扫描“张三”分享的二维码加入群聊', ['李四']],
		['"Alice" invited "Bob" to the group chat', ['Bob']],
		['"Alice" invited "Bob、Carol" to the group chat.', ['Bob', 'Carol']],
		['"Alice" invited "Bob", "Carol" to the group chat', ['Bob', 'Carol']],
		['You invited "Bob" to the group chat', ['Bob']],
		['"Bob" joined the group chat via the QR code shared by "Alice"', ['Bob']],
		['"Bob" joined the group chat via the QR code shared by "Alice".', ['Bob']],
		['12345678@chatroom:\n"张三"邀请"李四"加入了群聊', ['李四']],
		['"张三"邀请"😀 Ann 微信"加入了群聊', ['😀 Ann 微信']],
	])('%s', (notice, names) => {
		expect(joinedMembers(notice)).toEqual(names.map((name) => ({ name })));
	});

	it.each([
		'"张三"修改群名为"周末爬山"',
		'"张三"撤回了一条消息',
		'You recalled a message',
		'你已添加了张三，现在可以开始聊天了。',
		'',
		'邀请',
		'通过扫描"张三"分享的二维码加入群聊',
	])('says nothing of %p', (notice) => {
		expect(joinedMembers(notice)).toBeUndefined();
	});

	it('is undefined for what is no text', () => {
		expect(joinedMembers(undefined)).toBeUndefined();
		expect(joinedMembers({ Content: 'x' })).toBeUndefined();
	});
});

describe('the <sysmsg> form names the members by wxid too', () => {
	it('an invitation of several people', () => {
		const xml = sysmsg('"$username$"邀请"$names$"加入了群聊', {
			username: [['wxid_inviter1', '张三']],
			names: [
				['wxid_joined01', '李四'],
				['wxid_joined02', '王五'],
			],
		});
		expect(joinedMembers(xml)).toEqual([
			{ wxid: 'wxid_joined01', name: '李四' },
			{ wxid: 'wxid_joined02', name: '王五' },
		]);
	});

	it('a QR-code join, in English, after the chat prefix', () => {
		const xml = sysmsg('"$adder$" joined the group chat via the QR code shared by "$from$"', {
			adder: [['wxid_joined01', 'Bob']],
			from: [['wxid_sharer1', 'Alice']],
		});
		expect(joinedMembers(`12345678@chatroom:\n${xml}`)).toEqual([
			{ wxid: 'wxid_joined01', name: 'Bob' },
		]);
	});

	it('a member whose username is no wxid keeps only the name', () => {
		const xml = sysmsg('"$username$"邀请"$names$"加入了群聊', {
			username: [['wxid_inviter1', '张三']],
			names: [['not a wxid <b>', '李四']],
		});
		expect(joinedMembers(xml)).toEqual([{ name: '李四' }]);
	});

	it('a template with names written out', () => {
		const xml = sysmsg('"张三"邀请"李四、王五"加入了群聊', {});
		expect(joinedMembers(xml)).toEqual([{ name: '李四' }, { name: '王五' }]);
	});

	it('a notice of another kind', () => {
		const xml = sysmsg('"$username$"修改群名为"$name$"', { username: [['wxid_a', '张三']] });
		expect(joinedMembers(xml)).toBeUndefined();
		expect(
			joinedMembers(
				'<sysmsg type="revokemsg"><revokemsg><content>x</content></revokemsg></sysmsg>',
			),
		).toBeUndefined();
	});
});

describe('hostile notices', () => {
	it('a DOCTYPE in the XML form is a clear error', () => {
		expect(() =>
			joinedMembers('<!DOCTYPE sysmsg [<!ENTITY a "aaaa">]><sysmsg>&a;</sysmsg>'),
		).toThrow('"Content" contains a DOCTYPE or ENTITY declaration');
	});

	it('unclosed XML is a clear error', () => {
		expect(() => joinedMembers('<sysmsg><sysmsgtemplate>')).toThrow(
			'"Content" is not well-formed XML',
		);
	});

	it('a notice longer than any real one is not read', () => {
		expect(joinedMembers(`"张三"邀请"${'李四、'.repeat(30_000)}"加入了群聊`)).toBeUndefined();
	});

	it('markers repeated over the whole allowed length are read in one pass', () => {
		const notice = `${'邀请'.repeat(30_000)}`;
		expect(joinedMembers(notice)).toBeUndefined();
		const names = joinedMembers(`"a"邀请"${'、'.repeat(30_000)}b"加入了群聊`);
		expect(names).toEqual([{ name: 'b' }]);
	});
});
