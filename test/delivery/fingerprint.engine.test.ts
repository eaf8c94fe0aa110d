/**
 * A message's fingerprint (what Skip Duplicates Within and n8n's Retry compare) is the SHA-256
 * of the exact JSON the gateway receives, fed a slice at a time: for a call without a 64-bit
 * integer that is JSON.stringify's text, as it always was, for a picture of megabytes as for a
 * text; a 64-bit integer counts as its bare digits, the same in every process. Identical calls
 * match and calls that differ anywhere, deep in a picture included, do not; through the engine,
 * the same picture sent twice is sent once.
 */
import { createHash } from 'node:crypto';

import { fingerprintOf } from '../../nodes/WeChatGateway/delivery/earlierSends';
import type { GatewayCall } from '../../nodes/WeChatGateway/transport/client';
import { bodyOf } from '../../nodes/WeChatGateway/transport/requestBody';
import { JSON_SLICE_CHARS, JsonInteger } from '../../nodes/WeChatGateway/transport/exactJson';
import { accepted, runMedia, useMediaGateway } from '../actions/message/mediaRun';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { noisePng } = require('../../scripts/bench/media') as { noisePng(mb: number): Buffer };

const FRIEND = 'wxid_friend42';
const PICTURE = noisePng(3);
/** The same picture but for one byte in its last slice of base64. */
const ALTERED = Buffer.from(PICTURE);
ALTERED[ALTERED.length - 100] ^= 1;

const imageCall = (picture: Buffer, to = FRIEND): GatewayCall => ({
	CgiCmd: 110,
	CgiRequest: { ToUserName: to, ImageBase64: picture.toString('base64') },
});
const sha256OfStringify = (call: GatewayCall) =>
	createHash('sha256').update(JSON.stringify(call)).digest('hex');

describe('fingerprintOf', () => {
	const calls: Array<[string, GatewayCall]> = [
		['a text', { CgiCmd: 522, CgiRequest: { ToUserName: FRIEND, Content: 'hi', MsgType: 1 } }],
		['a 3 MB picture', imageCall(PICTURE)],
		[
			'a long text with an emoji across a slice edge',
			{
				CgiCmd: 9001,
				CgiRequest: { Text: `${'a'.repeat(JSON_SLICE_CHARS - 1)}\u{1F600}中文"\n`.repeat(3) },
			},
		],
		['an upload', { path: '/v2/cdnupload', CgiCmd: 0, CgiRequest: { FileUrl: 'u'.repeat(1e5) } }],
		['a read', { method: 'GET', path: '/v2/wechatinfo' }],
	];

	test.each(calls)(
		'%s: the SHA-256 of its JSON.stringify text, as it always was',
		(_name, call) => {
			expect(fingerprintOf(call)).toBe(sha256OfStringify(call));
		},
	);

	test.each(calls)('%s: made from the body the client posts, the same fingerprint', (_n, call) => {
		expect(fingerprintOf(call, bodyOf(call))).toBe(sha256OfStringify(call));
	});

	test('a 64-bit integer counts as its bare digits, from the body as from the call', () => {
		const call: GatewayCall = {
			CgiCmd: 594,
			CgiRequest: { NewMsgId: new JsonInteger('7400409546359626802'), ToUserName: FRIEND },
		};
		const bare = `{"CgiCmd":594,"CgiRequest":{"NewMsgId":7400409546359626802,"ToUserName":"${FRIEND}"}}`;
		const expected = createHash('sha256').update(bare).digest('hex');
		expect(fingerprintOf(call)).toBe(expected);
		expect(fingerprintOf(call, bodyOf(call))).toBe(expected);
	});

	test('hashing a picture never makes its JSON text whole', () => {
		const call = imageCall(PICTURE);
		const stringify = jest.spyOn(JSON, 'stringify');
		try {
			fingerprintOf(call);
			const lengths = stringify.mock.results.map((r) => (r.value as string).length);
			expect(Math.max(...lengths)).toBeLessThanOrEqual(JSON_SLICE_CHARS + 2);
		} finally {
			stringify.mockRestore();
		}
	});

	test('two identical pictures match; one byte, or the recipient, apart they do not', () => {
		const once = fingerprintOf(imageCall(PICTURE));
		expect(fingerprintOf(imageCall(Buffer.from(PICTURE)))).toBe(once);
		expect(fingerprintOf(imageCall(ALTERED))).not.toBe(once);
		expect(fingerprintOf(imageCall(PICTURE, 'wxid_other01'))).not.toBe(once);
	});
});

describe('a call with a 64-bit integer (a revoke, a custom command)', () => {
	type Modules = {
		fingerprintOf: typeof fingerprintOf;
		JsonInteger: typeof import('../../nodes/WeChatGateway/transport/exactJson').JsonInteger;
	};
	/** The modules as another process (a queue-mode worker, n8n after a restart) loads them. */
	function anotherProcess(): Modules {
		let loaded: Modules | undefined;
		jest.isolateModules(() => {
			loaded = {
				...(jest.requireActual('../../nodes/WeChatGateway/delivery/earlierSends') as Modules),
				...(jest.requireActual('../../nodes/WeChatGateway/transport/exactJson') as Modules),
			};
		});
		return loaded!;
	}
	const revoke = ({ JsonInteger }: Modules, newMsgId: string | number, to = FRIEND) => ({
		CgiCmd: 594,
		CgiRequest: {
			OpCode: 0,
			MsgId: 0,
			NewMsgId: typeof newMsgId === 'string' ? new JsonInteger(newMsgId) : newMsgId,
			ToUserName: to,
		},
	});

	test('has the same fingerprint in every process: the SHA-256 of the JSON the gateway gets', () => {
		const [one, two] = [anotherProcess(), anotherProcess()];
		const here = one.fingerprintOf(revoke(one, '7400409546359626802'));
		expect(two.fingerprintOf(revoke(two, '7400409546359626802'))).toBe(here);
		expect(here).toBe(
			createHash('sha256')
				.update(
					'{"CgiCmd":594,"CgiRequest":{"OpCode":0,"MsgId":0,"NewMsgId":7400409546359626802,"ToUserName":"wxid_friend42"}}',
				)
				.digest('hex'),
		);
	});

	test('another id, another chat, or the id as a string or a rounded number: another fingerprint', () => {
		const modules = anotherProcess();
		const here = modules.fingerprintOf(revoke(modules, '7400409546359626802'));
		const others = [
			revoke(modules, '7400409546359626803'),
			revoke(modules, '7400409546359626802', 'wxid_other01'),
			{
				...revoke(modules, 0),
				CgiRequest: { ...revoke(modules, 0).CgiRequest, NewMsgId: '7400409546359626802' },
			},
			revoke(modules, Number('7400409546359626802')),
		].map((call) => modules.fingerprintOf(call));
		expect(new Set([here, ...others]).size).toBe(5);
	});
});

describe('through the engine, Skip Duplicates Within 10 min', () => {
	const sim = useMediaGateway();
	const sendPicture = (picture: Buffer) =>
		runMedia(
			sim.gateway,
			{ operation: 'sendImage', toUserName: FRIEND, options: { skipDuplicatesWithin: 10 } },
			{ items: [{}], binaries: [{ data: { data: picture, mimeType: 'image/png' } }] },
		);

	test('the same 3 MB picture twice is sent once; one byte apart, it is sent', async () => {
		const first = await sendPicture(PICTURE);
		const again = await sendPicture(PICTURE);
		const altered = await sendPicture(ALTERED);
		expect([first.error, again.error, altered.error]).toEqual([undefined, undefined, undefined]);
		expect(again.items[0].json).toMatchObject({
			skippedDuplicate: true,
			NewMsgId: first.items[0].json.NewMsgId,
		});
		expect(altered.items[0].json.skippedDuplicate).toBeUndefined();
		expect(accepted(sim.gateway).map((m) => m.imageBytes)).toEqual([
			PICTURE.length,
			ALTERED.length,
		]);
	});
});
