/**
 * Each message kind, from editor fields to the XML the gateway receives: every field is parsed
 * back out of the XML independently and must be exactly what was entered.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { buildAppMsgXml } from '../../nodes/WeChatGateway/appmsg/build';
import { forwardChannelsVideo } from '../../nodes/WeChatGateway/actions/message/forwardChannelsVideo.operation';
import { forwardFile } from '../../nodes/WeChatGateway/actions/message/forwardFile.operation';
import {
	forwardMiniProgram,
	withHtmlPage,
} from '../../nodes/WeChatGateway/actions/message/forwardMiniProgram.operation';
import { sendAppMsgXml } from '../../nodes/WeChatGateway/actions/message/sendAppMsgXml.operation';
import { sendLink } from '../../nodes/WeChatGateway/actions/message/sendLink.operation';
import type { AppMsgKindOperation } from '../../nodes/WeChatGateway/actions/message/defineAppMsgKind';
import { parameters } from '../support/parameters';
import { at, readAppMsg, type Tree } from '../support/xml';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');

function send(
	operation: AppMsgKindOperation,
	values: Record<string, unknown>,
): { xml: string; appMsg: Tree } {
	const xml = buildAppMsgXml(operation.toAppMsg(parameters(values)));
	return { xml, appMsg: readAppMsg(xml) };
}

const HOSTILE = [
	'Tom & Jerry <script>alert("x")</script>',
	"it's ]]> the end ]]]]><![CDATA[ again",
	'emoji 😀👍🏽👨‍👩‍👧 and 𠜎 (surrogate pairs)',
	'中文标题：测试，“引号”',
	'مرحبا بالعالم (right-to-left) ‏עברית‎',
	'line one\r\nline two\rline three\n\ttabbed',
	'  leading and trailing spaces  ',
	'&amp; &lt; already-escaped looking text &#13;',
	'x'.repeat(20_000),
];

describe('sendLink (type 5)', () => {
	test('every field lands in the XML exactly', () => {
		const { xml, appMsg } = send(sendLink, {
			title: 'Weekly report',
			url: 'https://example.com/report?id=42&lang=en',
			description: 'Sales up 12%',
			thumbUrl: 'https://example.com/cover.jpg',
			additionalFields: {
				sourceUsername: 'gh_0123456789ab',
				sourceDisplayName: 'Example News',
				appId: 'wx0123456789abcdef',
			},
		});
		expect(xml.startsWith('<appmsg appid="wx0123456789abcdef" sdkver="0">')).toBe(true);
		expect(xml).toContain('<url>https://example.com/report?id=42&amp;lang=en</url>');
		expect(at(appMsg, 'type')).toBe('5');
		expect(at(appMsg, 'title')).toBe('Weekly report');
		expect(at(appMsg, 'url')).toBe('https://example.com/report?id=42&lang=en');
		expect(at(appMsg, 'des')).toBe('Sales up 12%');
		expect(at(appMsg, 'thumburl')).toBe('https://example.com/cover.jpg');
		expect(at(appMsg, 'sourceusername')).toBe('gh_0123456789ab');
		expect(at(appMsg, 'sourcedisplayname')).toBe('Example News');
		expect(at(appMsg, 'action')).toBe('view');
	});

	test('a text field an expression fills with the number 0 carries "0", not nothing', () => {
		const { appMsg } = send(sendLink, { title: 0, url: 'https://e.com', description: 0 });
		expect(at(appMsg, 'title')).toBe('0');
		expect(at(appMsg, 'des')).toBe('0');
	});

	test('absent optional fields are left out, never written as undefined or null', () => {
		const { xml, appMsg } = send(sendLink, { title: 'T', url: 'https://e.com' });
		expect(xml).not.toMatch(/undefined|null/);
		expect(at(appMsg, 'thumburl')).toBeUndefined();
		expect(at(appMsg, 'sourceusername')).toBeUndefined();
	});

	test.each(HOSTILE.map((text) => [text.slice(0, 40), text]))(
		'hostile text arrives unchanged: %s',
		(_label, text) => {
			const { appMsg } = send(sendLink, {
				title: text,
				url: `https://e.com/?q=${encodeURIComponent(text.slice(0, 50))}&x=1`,
				description: text,
				thumbUrl: '',
			});
			expect(at(appMsg, 'title')).toBe(text);
			expect(at(appMsg, 'des')).toBe(text);
		},
	);

	test('a missing title or a URL that is not http(s) is an error naming the field', () => {
		expect(() => send(sendLink, { title: '', url: 'https://e.com' })).toThrow(
			/"Title" is required/,
		);
		expect(() => send(sendLink, { title: 'T', url: 'javascript:alert(1)' })).toThrow(
			/"URL" must start with http/,
		);
	});

	test('a character XML cannot carry is an error naming the field, not a silent change', () => {
		expect(() => send(sendLink, { title: 'bell \u0007', url: 'https://e.com' })).toThrow(
			/"Title" contains the character U\+0007 at position 6/,
		);
		expect(() =>
			send(sendLink, { title: 'T', url: 'https://e.com', description: 'lone \uD800 surrogate' }),
		).toThrow(/"Description" contains the character U\+D800/);
	});
});

describe('forwardChannelsVideo (type 51)', () => {
	const fields = {
		source: 'fields',
		objectId: '14297890483116038323',
		objectNonceId: '5812342379112345678_0_0_0_0_0',
		username: 'v2_0600abc@finder',
		nickname: '示例工作室',
		avatar: 'https://wx.qlogo.cn/finderhead/x/0',
		description: 'Behind the scenes <#making> & more',
		mediaUrl: 'https://finder.video.qq.com/251/20302/stodownload?encfilekey=xyz&token=uvw',
		thumbUrl: 'https://finder.video.qq.com/251/20304/stodownload?encfilekey=abc&token=def',
		additionalFields: {
			coverUrl: 'https://c.example/c.jpg',
			width: 1080,
			height: 1920,
			duration: 37,
			title: 'Custom title',
		},
	};

	test('from fields: every finderFeed field lands in the XML exactly', () => {
		const { appMsg } = send(forwardChannelsVideo, fields);
		expect(at(appMsg, 'type')).toBe('51');
		expect(at(appMsg, 'title')).toBe('Custom title');
		const feed = (...p: string[]) => at(appMsg, 'finderFeed', ...p);
		expect(feed('objectId')).toBe(fields.objectId);
		expect(feed('objectNonceId')).toBe(fields.objectNonceId);
		expect(feed('username')).toBe(fields.username);
		expect(feed('nickname')).toBe(fields.nickname);
		expect(feed('avatar')).toBe(fields.avatar);
		expect(feed('desc')).toBe(fields.description);
		expect(feed('feedType')).toBe('4');
		expect(feed('mediaCount')).toBe('1');
		const media = (name: string) => feed('mediaList', 'media', name);
		expect(media('url')).toBe(fields.mediaUrl);
		expect(media('thumbUrl')).toBe(fields.thumbUrl);
		expect(media('coverUrl')).toBe('https://c.example/c.jpg');
		expect(media('width')).toBe('1080');
		expect(media('height')).toBe('1920');
		expect(media('videoPlayDuration')).toBe('37');
		expect(media('mediaType')).toBe('4');
	});

	test('from a received message: the whole finderFeed is forwarded, an override replaces its field', () => {
		const { appMsg } = send(forwardChannelsVideo, {
			source: 'xml',
			messageXml: fixture('channels.received.xml'),
			overrides: { description: 'New caption & more' },
		});
		expect(at(appMsg, 'finderFeed', 'objectId')).toBe('14297890483116038323');
		expect(at(appMsg, 'finderFeed', 'desc')).toBe('New caption & more');
		expect(at(appMsg, 'finderFeed', 'avatar')).toBe('https://wx.qlogo.cn/finderhead/ver_1/abc/0');
		expect(at(appMsg, 'finderFeed', 'mediaList', 'media', 'url')).toBe(
			'https://finder.video.qq.com/251/20302/stodownload?encfilekey=xyz&token=uvw&idx=1',
		);
		expect(at(appMsg, 'finderFeed', 'authIconType')).toBe('0');
	});

	test('required fields are enforced when building from fields', () => {
		expect(() => send(forwardChannelsVideo, { ...fields, objectNonceId: '' })).toThrow(
			/"Object Nonce ID" is required/,
		);
	});

	test('XML of another kind is refused with the types named', () => {
		expect(() =>
			send(forwardChannelsVideo, { source: 'xml', messageXml: fixture('file.received.xml') }),
		).toThrow(/type 6, but "Forward Channels Video" sends type 51/);
	});
});

describe('forwardMiniProgram (type 33 / 36)', () => {
	const fields = {
		source: 'fields',
		title: '限时优惠 & 新品',
		appId: 'wxa1b2c3d4e5f60718',
		username: 'gh_0a1b2c3d4e5f@app',
		pagePath: 'pages/goods/detail?id=10086&from=share',
		displayName: '示例商城',
		iconUrl: 'http://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png',
		additionalFields: {
			version: 128,
			shareId: 'share-1',
			cdnThumbUrl: '3057020100044b3049',
			cdnThumbMd5: '9e3c5a0a2f4b6d8e1a2b3c4d5e6f7a8b',
			cdnThumbLength: 43210,
			cdnThumbWidth: 720,
			cdnThumbHeight: 576,
			cdnThumbAesKey: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
			aesKey: '00112233445566778899aabbccddeeff',
		},
	};

	test('from fields: weappinfo and cover fields land exactly; the page gets its .html', () => {
		const { appMsg } = send(forwardMiniProgram, fields);
		expect(at(appMsg, 'type')).toBe('33');
		expect(at(appMsg, 'title')).toBe(fields.title);
		expect(at(appMsg, 'sourceusername')).toBe(fields.username);
		expect(at(appMsg, 'sourcedisplayname')).toBe(fields.displayName);
		expect(at(appMsg, 'url')).toBe(
			'https://mp.weixin.qq.com/mp/waerrpage?appid=wxa1b2c3d4e5f60718&type=upgrade&upgradetype=3#wechat_redirect',
		);
		const weapp = (name: string) => at(appMsg, 'weappinfo', name);
		expect(weapp('appid')).toBe(fields.appId);
		expect(weapp('username')).toBe(fields.username);
		expect(weapp('pagepath')).toBe('pages/goods/detail.html?id=10086&from=share');
		expect(weapp('weappiconurl')).toBe(fields.iconUrl);
		expect(weapp('version')).toBe('128');
		expect(weapp('shareId')).toBe('share-1');
		const cover = (name: string) => at(appMsg, 'appattach', name);
		expect(cover('cdnthumburl')).toBe('3057020100044b3049');
		expect(cover('cdnthumbmd5')).toBe(fields.additionalFields.cdnThumbMd5);
		expect(cover('cdnthumblength')).toBe('43210');
		expect(cover('cdnthumbwidth')).toBe('720');
		expect(cover('cdnthumbheight')).toBe('576');
		expect(cover('cdnthumbaeskey')).toBe(fields.additionalFields.cdnThumbAesKey);
		expect(cover('aeskey')).toBe(fields.additionalFields.aesKey);
	});

	test('page paths: .html is added once, before the query', () => {
		expect(withHtmlPage('pages/index/index')).toBe('pages/index/index.html');
		expect(withHtmlPage('pages/index/index?x=1?y')).toBe('pages/index/index.html?x=1?y');
		expect(withHtmlPage('pages/index/index.html?x=1')).toBe('pages/index/index.html?x=1');
		expect(withHtmlPage('')).toBe('');
	});

	test('from a received message: type 33 stays 33, CDATA values arrive as text, title can be overridden', () => {
		const { appMsg } = send(forwardMiniProgram, {
			source: 'xml',
			messageXml: fixture('miniprogram.received.xml'),
			overrides: { title: 'Forwarded: 限时优惠' },
		});
		expect(at(appMsg, 'type')).toBe('33');
		expect(at(appMsg, 'title')).toBe('Forwarded: 限时优惠');
		expect(at(appMsg, 'weappinfo', 'pagepath')).toBe('pages/goods/detail.html?id=10086&from=share');
		expect(at(appMsg, 'weappinfo', 'weappiconurl')).toBe(
			'http://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png&wxfrom=200',
		);
		expect(at(appMsg, 'appattach', 'cdnthumblength')).toBe('43210');
	});

	test('a received type 36 is forwarded as 36', () => {
		const xml36 = fixture('miniprogram.received.xml').replace('<type>33</type>', '<type>36</type>');
		const { appMsg } = send(forwardMiniProgram, { source: 'xml', messageXml: xml36 });
		expect(at(appMsg, 'type')).toBe('36');
	});
});

describe('forwardFile (type 6)', () => {
	test('from fields: appattach fields land exactly; the extension comes from the name', () => {
		const values = {
			source: 'fields',
			fileName: 'Q3 report <final> & approved.pdf',
			fileSize: 1714122,
			attachId: '@cdn_3057020100044b_6dfb7e6c_1',
			cdnAttachUrl: '3057020100044b30490201000204d26d70fe',
			aesKey: '6dfb7e6c7f6a1dfb985634e2446be1ea',
			md5: 'b1a08644e75e2eba3ce6ed5ff358c876',
			additionalFields: {
				overwriteNewMsgId: '6186776090082344827',
				fileKey: 'k',
				fileUploadToken: 'v1_abc+/=',
			},
		};
		const { appMsg } = send(forwardFile, values);
		expect(at(appMsg, 'type')).toBe('6');
		expect(at(appMsg, 'title')).toBe(values.fileName);
		expect(at(appMsg, 'md5')).toBe(values.md5);
		const attach = (name: string) => at(appMsg, 'appattach', name);
		expect(attach('totallen')).toBe('1714122');
		expect(attach('fileext')).toBe('pdf');
		expect(attach('attachid')).toBe(values.attachId);
		expect(attach('cdnattachurl')).toBe(values.cdnAttachUrl);
		expect(attach('aeskey')).toBe(values.aesKey);
		expect(attach('encryver')).toBe('0');
		expect(attach('overwrite_newmsgid')).toBe('6186776090082344827');
		expect(attach('filekey')).toBe('k');
		expect(attach('fileuploadtoken')).toBe('v1_abc+/=');
	});

	test("from the gateway's own example: every appattach field survives, the 64-bit id exactly", () => {
		const { appMsg, xml } = send(forwardFile, {
			source: 'xml',
			messageXml: fixture('file.received.xml'),
		});
		expect(xml.startsWith('<appmsg appid="wx6618f1cfc6c132f8" sdkver="0">')).toBe(true);
		expect(at(appMsg, 'title')).toBe('Gemini.pdf');
		expect(at(appMsg, 'appattach', 'totallen')).toBe('1714122');
		expect(at(appMsg, 'appattach', 'overwrite_newmsgid')).toBe('6186776090082344827');
		expect(at(appMsg, 'appattach', 'fileuploadtoken')).toMatch(
			/^v1_86yFZJW34nwSI4\+TGjP4CDUr.*Xfg==$/,
		);
		expect(at(appMsg, 'md5')).toBe('b1a08644e75e2eba3ce6ed5ff358c876');
		expect(at(appMsg, 'webviewshared', 'publisherReqId')).toBe('0');
	});

	test('a file still uploading (type 74) is refused with the reason', () => {
		const uploading = fixture('file.received.xml').replace('<type>6</type>', '<type>74</type>');
		expect(() => send(forwardFile, { source: 'xml', messageXml: uploading })).toThrow(
			/type 74 only announces a file that is still uploading/,
		);
	});

	test('a file size left at 0 is missing, not a 0-byte file', () => {
		expect(() =>
			send(forwardFile, {
				source: 'fields',
				fileName: 'a.pdf',
				fileSize: 0,
				attachId: 'a',
				cdnAttachUrl: 'c',
				aesKey: 'k',
			}),
		).toThrow(/"File Size \(Bytes\)" is required/);
	});

	test('a file size that is not a whole number is an error naming the field', () => {
		expect(() =>
			send(forwardFile, {
				source: 'fields',
				fileName: 'a.pdf',
				fileSize: 'big',
				attachId: 'a',
				cdnAttachUrl: 'c',
				aesKey: 'k',
			}),
		).toThrow(/"File Size \(Bytes\)" must be a whole number/);
	});
});

describe('sendAppMsgXml (any type)', () => {
	test('sends the <appmsg> of a received <msg>, whatever its type, with nothing lost', () => {
		const { appMsg } = send(sendAppMsgXml, { messageXml: fixture('link.received.xml') });
		expect(at(appMsg, 'type')).toBe('5');
		expect(at(appMsg, 'title')).toBe('Weekly report <Q3>');
		expect(at(appMsg, 'des')).toBe('Sales up 12% & costs down');
		expect(at(appMsg, 'url')).toBe('https://example.com/report?id=42&lang=en');
		expect(at(appMsg, 'fromusername')).toBeUndefined();
	});

	test('XML without an <appmsg> is refused', () => {
		expect(() => send(sendAppMsgXml, { messageXml: '<msg><img/></msg>' })).toThrow(
			/has no <appmsg> element/,
		);
	});
});
