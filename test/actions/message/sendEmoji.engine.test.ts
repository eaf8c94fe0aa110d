/**
 * Send Sticker (cgi 175) through n8n's real engine against the simulator: a sticker received on
 * the socket is sent back by its XML or by its MD5 and size, as EmojiMd5 and EmojiLen; hostile
 * or foreign XML and malformed fields are clear errors, nothing sent.
 */
import { accepted, bodies, GROUP, mediaBytes, runMedia, useMediaGateway } from './mediaRun';

const sim = useMediaGateway();
const HASH = mediaBytes.md5(mediaBytes.STICKER_GIF);

/** A sticker as the trigger hands it on: the frame's XML, its md5 and size. */
function receivedSticker() {
	const pushed = sim.gateway.push('emoji', { chat: GROUP });
	return { content: String(pushed.content), md5: String(pushed.md5) };
}

describe('a received sticker sent back', () => {
	test("from its XML (the default source): the sticker's md5 and len as EmojiMd5 and EmojiLen", async () => {
		const sticker = receivedSticker();
		expect(sticker.md5).toBe(HASH);
		const { items, error } = await runMedia(
			sim.gateway,
			{ operation: 'sendEmoji', toUserName: GROUP, messageXml: '={{ $json.messageXml }}' },
			{ items: [{ messageXml: sticker.content }] },
		);
		expect(error).toBeUndefined();
		expect(bodies(sim.gateway)).toEqual([
			{
				CgiCmd: 175,
				CgiRequest: {
					ToUserName: GROUP,
					EmojiMd5: HASH,
					EmojiLen: mediaBytes.STICKER_GIF.length,
				},
			},
		]);
		const [message] = accepted(sim.gateway);
		expect(items.map((item) => item.json)).toEqual([
			{
				ToUserName: GROUP,
				NewMsgId: message.newMsgId,
				MsgId: String(1_000_000 + Number(message.callNumber)),
				Ret: 0,
				ErrMsg: '',
				MsgType: 47,
			},
		]);
	});

	test('from its MD5 and size (upper-case hex is sent as WeChat writes it, lower-case)', async () => {
		receivedSticker();
		const { error } = await runMedia(sim.gateway, {
			operation: 'sendEmoji',
			toUserName: GROUP,
			emojiSource: 'fields',
			emojiMd5: HASH.toUpperCase(),
			emojiSize: mediaBytes.STICKER_GIF.length,
		});
		expect(error).toBeUndefined();
		expect(bodies(sim.gateway)[0].CgiRequest).toEqual({
			ToUserName: GROUP,
			EmojiMd5: HASH,
			EmojiLen: mediaBytes.STICKER_GIF.length,
		});
	});

	test('a size WeChat does not know for that sticker: its refusal, naming the item', async () => {
		receivedSticker();
		const { error } = await runMedia(sim.gateway, {
			operation: 'sendEmoji',
			toUserName: GROUP,
			emojiSource: 'fields',
			emojiMd5: HASH,
			emojiSize: 7,
		});
		expect(error?.message).toMatch(/^WeChat refused cgi 175: Ret -2 .*\(item 0, to /);
	});
});

describe('refused before sending, naming the item', () => {
	test.each([
		[
			'a sticker XML with a 1 MB attribute',
			{
				messageXml: `<msg><emoji md5="${HASH}" len="10" cdnurl="${'x'.repeat(1024 * 1024)}"></emoji></msg>`,
			},
			/"Message XML" is \d+ characters long/,
		],
		[
			'a DOCTYPE',
			{ messageXml: `<!DOCTYPE msg><msg><emoji md5="${HASH}" len="10"></emoji></msg>` },
			/"Message XML".*DOCTYPE/i,
		],
		[
			'a picture instead of a sticker',
			{ messageXml: '<msg><img aeskey="k" cdnmidimgurl="u"/></msg>' },
			/"Message XML" is not the XML of a received emoji message/,
		],
		[
			'a sticker without its size',
			{ messageXml: `<msg><emoji md5="${HASH}"></emoji></msg>` },
			/"Message XML" is a sticker without its size in bytes/,
		],
		[
			'an MD5 that is not 32 hex digits',
			{ emojiSource: 'fields', emojiMd5: 'abc', emojiSize: 10 },
			/"Sticker MD5" must be 32 hex digits, got "abc"/,
		],
		[
			'a size of 0',
			{ emojiSource: 'fields', emojiMd5: HASH, emojiSize: 0 },
			/"Sticker Size" must be the sticker's size in bytes/,
		],
	])('%s', async (_name, parameters, message) => {
		const { error } = await runMedia(sim.gateway, {
			operation: 'sendEmoji',
			toUserName: GROUP,
			...parameters,
		});
		expect(error?.message).toMatch(message);
		expect(error?.message).toMatch(/\(item 0\)$/);
		expect(sim.gateway.calls).toHaveLength(0);
	});
});
