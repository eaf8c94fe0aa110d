/**
 * The quote reply's <appmsg> type 57, built by the node's own builder and read back with an
 * independent strict parser (sax): every field arrives exactly, whatever it holds.
 */
import fc from 'fast-check';

import { buildAppMsgXml } from '../../nodes/WeChatGateway/appmsg/build';
import { messageIdDigits, quoteReplyAppMsg } from '../../nodes/WeChatGateway/appmsg/quote';
import { hostileNonBlank, hostileText } from '../support/hostile';
import { readXmlStrict, valueAt } from '../support/xmlRead';

const ID = '7400409546359626802'; // above 2^53: a double would make it ...800

describe('quote reply (appmsg type 57)', () => {
	test('the reply in <title>, the quoted message in <refermsg>, ids exact', () => {
		const xml = buildAppMsgXml(
			quoteReplyAppMsg('Agreed!', '12345@chatroom', {
				newMsgId: ID,
				senderWxid: 'wxid_member',
				senderName: 'Nick',
				msgType: 1,
				content: 'shall we meet at 3?',
				createTime: 1757400000,
			}),
		);
		const root = readXmlStrict(xml);
		expect(root.name).toBe('appmsg');
		expect(valueAt(root, ['type'])).toBe('57');
		expect(valueAt(root, ['title'])).toBe('Agreed!');
		expect(valueAt(root, ['refermsg', 'type'])).toBe('1');
		expect(valueAt(root, ['refermsg', 'svrid'])).toBe(ID);
		expect(valueAt(root, ['refermsg', 'fromusr'])).toBe('12345@chatroom');
		expect(valueAt(root, ['refermsg', 'chatusr'])).toBe('wxid_member');
		expect(valueAt(root, ['refermsg', 'displayname'])).toBe('Nick');
		expect(valueAt(root, ['refermsg', 'content'])).toBe('shall we meet at 3?');
		expect(valueAt(root, ['refermsg', 'createtime'])).toBe('1757400000');
	});

	test("a quoted app message's XML travels as escaped text inside <content>, not as markup", () => {
		const quotedXml =
			'<msg><appmsg appid="" sdkver="0"><title>Report &amp; more</title><type>5</type><url>https://x.example/?a=1&amp;b=2</url></appmsg></msg>';
		const xml = buildAppMsgXml(
			quoteReplyAppMsg('see this', 'wxid_friend', {
				newMsgId: ID,
				senderWxid: 'wxid_friend',
				msgType: 49,
				content: quotedXml,
			}),
		);
		expect(xml).toContain('<content>&lt;msg&gt;&lt;appmsg appid="" sdkver="0"&gt;');
		const refer = readXmlStrict(xml).children.find((c) => c.name === 'refermsg');
		expect(refer?.children.find((c) => c.name === 'content')?.children).toEqual([]);
		expect(valueAt(readXmlStrict(xml), ['refermsg', 'content'])).toBe(quotedXml);
		expect(valueAt(readXmlStrict(xml), ['refermsg', 'type'])).toBe('49');
	});

	test('empty name and content are left out, never written as "undefined"', () => {
		const xml = buildAppMsgXml(
			quoteReplyAppMsg('ok', 'wxid_friend', {
				newMsgId: ID,
				senderWxid: 'wxid_friend',
				msgType: 3,
			}),
		);
		expect(xml).not.toMatch(/undefined|null|displayname|<content/);
	});

	test('property: hostile text in the reply, the name and the quoted content arrives exactly', () => {
		fc.assert(
			fc.property(hostileNonBlank, hostileText, hostileText, (text, name, content) => {
				const xml = buildAppMsgXml(
					quoteReplyAppMsg(text, '12345@chatroom', {
						newMsgId: ID,
						senderWxid: 'wxid_m',
						senderName: name,
						msgType: 1,
						content,
					}),
				);
				const root = readXmlStrict(xml);
				expect(valueAt(root, ['title'])).toBe(text);
				if (name) expect(valueAt(root, ['refermsg', 'displayname'])).toBe(name);
				if (content) expect(valueAt(root, ['refermsg', 'content'])).toBe(content);
				expect(root.children.filter((c) => c.name === 'refermsg')).toHaveLength(1);
			}),
			{ numRuns: 1000 },
		);
	});

	test('a sender that is not a wxid and a type that is not a MsgType are refused, naming the field', () => {
		const base = { newMsgId: ID, senderWxid: 'wxid_m', msgType: 1 };
		expect(() => quoteReplyAppMsg('x', 'wxid_a', { ...base, senderWxid: 'Nick <b>' })).toThrow(
			/"Quoted Sender Wxid"/,
		);
		expect(() => quoteReplyAppMsg('x', 'wxid_a', { ...base, msgType: 1.5 })).toThrow(
			/"Quoted Message Type"/,
		);
	});
});

describe('messageIdDigits', () => {
	test('digits stay exact; a rounded number or anything else is refused, naming the field', () => {
		expect(messageIdDigits(ID, 'Quoted Message ID')).toBe(ID);
		expect(messageIdDigits(' 18446744073709551615 ', 'Q')).toBe('18446744073709551615');
		expect(messageIdDigits(12345, 'Q')).toBe('12345');
		expect(() => messageIdDigits(7400409546359626802, 'Quoted Message ID')).toThrow(
			/"Quoted Message ID" is the number .* already rounded/,
		);
		expect(() => messageIdDigits('18446744073709551616', 'Q')).toThrow(/64-bit/);
		expect(() => messageIdDigits('12a', 'Q')).toThrow(/"Q" must be/);
		expect(() => messageIdDigits('0', 'Q')).toThrow(/"Q" must be/);
		expect(() => messageIdDigits('', 'Q')).toThrow(/"Q" must be/);
	});
});
