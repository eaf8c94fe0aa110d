import { readFileSync } from 'node:fs';
import path from 'node:path';

import { buildAppMsgXml } from '../../nodes/WeChatGateway/appmsg/build';
import { parseAppMsgXml } from '../../nodes/WeChatGateway/appmsg/parse';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');

describe('reading received app messages', () => {
	test('a whole <msg>, an <appmsg> alone and a group message with its "sender:" prefix all work', () => {
		const whole = parseAppMsgXml(fixture('link.received.xml'));
		const alone = parseAppMsgXml(buildAppMsgXml(whole.appMsg));
		expect(alone.appMsg).toEqual(whole.appMsg);
		expect(whole.envelope.fromUsername).toBe('wxid_news');
		const group = parseAppMsgXml(fixture('channels.received.xml'));
		expect(group.envelope.fromUsername).toBe('wxid_member77');
	});

	test('entities and character references are decoded once, CDATA is taken as text', () => {
		const { appMsg } = parseAppMsgXml(
			'<appmsg appid="a&amp;b" sdkver="0"><type>5</type><title>&amp;lt; &#13;&#x1F600;&quot;</title><url><![CDATA[https://e.com/?a=1&b=<2>]]></url></appmsg>',
		);
		expect(appMsg['@_appid']).toBe('a&b');
		expect(appMsg.title).toBe('&lt; \r😀"');
		expect(appMsg.url).toBe('https://e.com/?a=1&b=<2>');
	});

	test('ids stay exact strings, never numbers', () => {
		const { appMsg } = parseAppMsgXml(fixture('file.received.xml'));
		expect((appMsg.appattach as Record<string, unknown>).overwrite_newmsgid).toBe(
			'6186776090082344827',
		);
	});
});

describe('what is refused, with the reason', () => {
	test.each([
		['empty', '', /is empty/],
		['not XML', 'hello', /has no <appmsg> element|not well-formed/],
		['broken XML', '<msg><appmsg><type>5</type></msg>', /not well-formed XML \(line 1/],
		[
			'a DOCTYPE',
			'<!DOCTYPE msg [<!ENTITY x "y">]><msg><appmsg><type>5</type><title>&x;</title></appmsg></msg>',
			/DOCTYPE or ENTITY/,
		],
		['no type', '<appmsg><title>t</title></appmsg>', /has no numeric <type>/],
		['no appmsg', '<msg><img length="1"/></msg>', /has no <appmsg> element/],
		['a control character', '<appmsg><type>5</type><title>a\u0001</title></appmsg>', /U\+0001/],
		[
			'deep nesting',
			`<appmsg><type>5</type>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</appmsg>`,
			/nests elements more than 64 deep/,
		],
		[
			'__proto__ element names',
			'<appmsg><type>5</type><__proto__><polluted>1</polluted></__proto__></appmsg>',
			/could not be read as XML|reserved/,
		],
	])('%s', (_label, xml, message) => {
		expect(() => parseAppMsgXml(xml, 'Message XML')).toThrow(message);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	test('several megabytes are refused before parsing', () => {
		const huge = `<appmsg><type>5</type><title>${'x'.repeat(3 * 1024 * 1024)}</title></appmsg>`;
		const started = process.hrtime.bigint();
		expect(() => parseAppMsgXml(huge, 'Message XML')).toThrow(
			/characters long; an app message is at most/,
		);
		expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
	});
});
