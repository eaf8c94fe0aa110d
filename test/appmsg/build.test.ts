import { buildAppMsgXml, findNonXmlChar } from '../../nodes/WeChatGateway/appmsg/build';
import { at, readAppMsg } from '../support/xml';

describe('buildAppMsgXml', () => {
	test('the shell is <appmsg appid="…" sdkver="0"> with the attributes first, whatever the key order', () => {
		const xml = buildAppMsgXml({ title: 't', type: 5, '@_sdkver': '0', '@_appid': 'wx1' });
		expect(xml).toBe('<appmsg appid="wx1" sdkver="0"><title>t</title><type>5</type></appmsg>');
	});

	test('numbers are written as numbers, empty values as empty elements, undefined left out', () => {
		const xml = buildAppMsgXml({
			type: 6,
			des: '',
			appattach: { totallen: 1714122, fileext: undefined },
		});
		expect(xml).toBe(
			'<appmsg appid="" sdkver="0"><type>6</type><des/><appattach><totallen>1714122</totallen></appattach></appmsg>',
		);
	});

	test('attribute values keep quotes, tabs and newlines', () => {
		const appid = 'a"b\tc\nd&<>';
		expect(at(readAppMsg(buildAppMsgXml({ '@_appid': appid, type: 5 })), '@_appid')).toBe(appid);
	});

	test('repeated elements keep their order', () => {
		const xml = buildAppMsgXml({ type: 51, mediaList: { media: [{ url: 'a' }, { url: 'b' }] } });
		expect(xml).toContain(
			'<mediaList><media><url>a</url></media><media><url>b</url></media></mediaList>',
		);
	});

	test('what XML 1.0 cannot hold is found, with its position', () => {
		expect(findNonXmlChar('ok\t\n\r 😀 中')).toBeUndefined();
		expect(findNonXmlChar('ab\u0000')).toEqual({ index: 2, codePoint: 0 });
		expect(findNonXmlChar('\uFFFE')).toEqual({ index: 0, codePoint: 0xfffe });
		expect(findNonXmlChar('x\uDC00')).toEqual({ index: 1, codePoint: 0xdc00 });
		expect(() => buildAppMsgXml({ type: 5, title: 'a\u001Fb' })).toThrow(
			/"appmsg.title" contains the character U\+001F at position 2/,
		);
	});
});
