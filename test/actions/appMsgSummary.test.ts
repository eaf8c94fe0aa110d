/** Parse App Message XML's output: each kind's fields under the names of its operation's fields. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { forwardChannelsVideo } from '../../nodes/WeChatGateway/actions/message/forwardChannelsVideo.operation';
import { forwardFile } from '../../nodes/WeChatGateway/actions/message/forwardFile.operation';
import { forwardMiniProgram } from '../../nodes/WeChatGateway/actions/message/forwardMiniProgram.operation';
import type { AppMsgKindOperation } from '../../nodes/WeChatGateway/actions/message/defineAppMsgKind';
import { buildAppMsgXml } from '../../nodes/WeChatGateway/appmsg/build';
import { parseAppMsgXml } from '../../nodes/WeChatGateway/appmsg/parse';
import { summarizeAppMsg } from '../../nodes/WeChatGateway/appmsg/summary';
import { parameters } from '../support/parameters';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');
const summary = (xml: string) => summarizeAppMsg(parseAppMsgXml(xml));

describe('parseAppMsgXml summaries, for routing', () => {
	test('a file', () => {
		expect(summary(fixture('file.received.xml'))).toMatchObject({
			type: 6,
			typeName: 'file',
			title: 'Gemini.pdf',
			appId: 'wx6618f1cfc6c132f8',
			fromUsername: 'wxid_sender123',
			file: {
				fileName: 'Gemini.pdf',
				fileSize: 1714122,
				fileExt: 'pdf',
				aesKey: '6dfb7e6c7f6a1dfb985634e2446be1ea',
				md5: 'b1a08644e75e2eba3ce6ed5ff358c876',
			},
		});
	});

	test('a mini program', () => {
		expect(summary(fixture('miniprogram.received.xml'))).toMatchObject({
			type: 33,
			typeName: 'miniProgram',
			title: '限时优惠 & 新品上架',
			sourceDisplayName: '示例商城',
			miniProgram: {
				appId: 'wxa1b2c3d4e5f60718',
				username: 'gh_0a1b2c3d4e5f@app',
				pagePath: 'pages/goods/detail.html?id=10086&from=share',
				version: 128,
				cdnThumbLength: 43210,
			},
		});
	});

	test('a Channels video', () => {
		expect(summary(fixture('channels.received.xml'))).toMatchObject({
			type: 51,
			typeName: 'channelsVideo',
			channelsVideo: {
				objectId: '14297890483116038323',
				objectNonceId: '5812342379112345678_0_0_0_0_0',
				nickname: '示例工作室 Studio',
				description: '幕后花絮 #making "quotes" <tags>',
				width: 1080,
				height: 1920,
				duration: 37,
			},
		});
	});

	test('a link', () => {
		expect(summary(fixture('link.received.xml'))).toMatchObject({
			type: 5,
			typeName: 'link',
			title: 'Weekly report <Q3>',
			url: 'https://example.com/report?id=42&lang=en',
			thumbUrl: 'https://example.com/cover.jpg',
			sourceUsername: 'gh_0123456789ab',
		});
	});
});

describe('what parse outputs maps 1:1 onto the forward fields', () => {
	test.each([
		[forwardFile, 'file.received.xml', 'file'],
		[forwardMiniProgram, 'miniprogram.received.xml', 'miniProgram'],
		[forwardChannelsVideo, 'channels.received.xml', 'channelsVideo'],
	] as Array<[AppMsgKindOperation, string, string]>)(
		'%#: a forward from the parsed fields sends what a forward of the XML sends',
		(operation, file, key) => {
			const received = fixture(file);
			const parsed = summary(received)[key] as Record<string, unknown>;
			// Every name parse gives is a field of the operation.
			const fieldNames = operation.kind.fields.map((field) => field.name);
			expect(Object.keys(parsed).filter((name) => !fieldNames.includes(name))).toEqual([]);
			// Fed back as fields (top-level or Additional Fields, as the kind declares them), they
			// rebuild the message's every field.
			const values: Record<string, unknown> = { source: 'fields', additionalFields: {} };
			for (const field of operation.kind.fields) {
				if (parsed[field.name] === undefined) continue;
				if (field.optional)
					(values.additionalFields as Record<string, unknown>)[field.name] = parsed[field.name];
				else values[field.name] = parsed[field.name];
			}
			const fromFields = parseAppMsgXml(buildAppMsgXml(operation.toAppMsg(parameters(values))));
			const fromXml = parseAppMsgXml(
				buildAppMsgXml(operation.toAppMsg(parameters({ source: 'xml', messageXml: received }))),
			);
			expect(summarizeAppMsg(fromFields)[key]).toEqual(summarizeAppMsg(fromXml)[key]);
		},
	);

	test('a mini program cover: cdnThumbUrl and cdnThumbLength, the Cover CDN URL and Cover Size fields', () => {
		const parsed = summary(fixture('miniprogram.received.xml')).miniProgram as Record<
			string,
			unknown
		>;
		expect(parsed).toMatchObject({ cdnThumbLength: 43210 });
		expect(typeof parsed.cdnThumbUrl).toBe('string');
		expect(parsed).not.toHaveProperty('coverCdnUrl');
		expect(parsed).not.toHaveProperty('coverSize');
	});
});
