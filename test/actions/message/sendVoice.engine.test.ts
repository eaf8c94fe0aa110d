/**
 * Send Voice (cgi 127) through n8n's real engine against the simulator: SILK v3 from n8n binary
 * data arrives as base64 of exactly its bytes with VoiceTime read from its 20 ms frames; a URL
 * needs the length given; other audio and lengths WeChat refuses are clear errors, nothing sent.
 */
import { accepted, bodies, mediaBytes, runMedia, useFileServer, useMediaGateway } from './mediaRun';

const FRIEND = 'wxid_friend42';
const sim = useMediaGateway();
/** 2.7 s of SILK as Tencent writes it (with the 0x02 first byte). */
const VOICE = mediaBytes.silk({ frames: 135, seed: 4 });
const served = useFileServer({ '/reply.silk': VOICE });
const fromBinary = { operation: 'sendVoice', toUserName: FRIEND };
const silkFile = (data: Buffer) => ({ data, fileName: 'reply.silk', mimeType: 'audio/silk' });

describe('from binary data', () => {
	test.each([
		['Tencent SILK (0x02 first): 135 frames are 2.7 s, sent as 3', VOICE, 3],
		[
			'plain SILK v3: 20 frames are 0.4 s, sent as at least 1',
			mediaBytes.silk({ frames: 20, tencent: false }),
			1,
		],
		['60 s exactly', mediaBytes.silk({ frames: 3000 }), 60],
	])('%s', async (_name, audio, seconds) => {
		const { items, error } = await runMedia(sim.gateway, fromBinary, {
			binaries: [{ data: silkFile(audio) }],
		});
		expect(error).toBeUndefined();
		const [body] = bodies(sim.gateway);
		expect(body).toEqual({
			CgiCmd: 127,
			CgiRequest: { ToUserName: FRIEND, VoiceBase64: expect.any(String), VoiceTime: seconds },
		});
		expect(Buffer.from(String(body.CgiRequest.VoiceBase64), 'base64').equals(audio)).toBe(true);
		const [message] = accepted(sim.gateway);
		expect(message).toMatchObject({ voiceSource: 'base64', voiceTime: seconds });
		expect(items.map((item) => item.json)).toEqual([
			{
				ToUserName: FRIEND,
				NewMsgId: message.newMsgId,
				MsgId: String(1_000_000 + Number(message.callNumber)),
				Ret: 0,
				ErrMsg: '',
				MsgType: 34,
				VoiceTime: seconds,
			},
		]);
	});

	test('a given duration wins over the frames', async () => {
		const { error } = await runMedia(
			sim.gateway,
			{ ...fromBinary, voiceDuration: 5 },
			{ binaries: [{ data: silkFile(VOICE) }] },
		);
		expect(error).toBeUndefined();
		expect(bodies(sim.gateway)[0].CgiRequest.VoiceTime).toBe(5);
	});
});

describe('refused, naming the item; nothing is sent', () => {
	const ID3 = Buffer.concat([
		Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'),
		Buffer.alloc(64, 0x55),
	]);
	const WAV = Buffer.concat([
		Buffer.from('RIFF', 'latin1'),
		Buffer.from([0x24, 0, 0, 0]),
		Buffer.from('WAVEfmt ', 'latin1'),
		Buffer.alloc(64),
	]);
	test.each([
		[
			'MP3 bytes',
			ID3,
			/Binary property "data" is MP3 audio\. WeChat voice messages must be SILK v3/,
		],
		[
			'WAV bytes',
			WAV,
			/Binary property "data" is WAV audio\. WeChat voice messages must be SILK v3/,
		],
		[
			'a SILK header without frames',
			Buffer.from('\x02#!SILK_V3', 'latin1'),
			/without any audio frames/,
		],
		[
			'61 s of SILK',
			mediaBytes.silk({ frames: 3050 }),
			/is 61\.0 s long; WeChat accepts at most 60 s/,
		],
	])('%s', async (_name, audio, message) => {
		const { error } = await runMedia(sim.gateway, fromBinary, {
			binaries: [{ data: silkFile(audio) }],
		});
		expect(error?.message).toMatch(message);
		expect(error?.message).toMatch(/\(item 0\)$/);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test.each([
		[61, /"Voice Duration \(Seconds\)" is 61; it must be a whole number of seconds from 1 to 60/],
		[2.5, /"Voice Duration \(Seconds\)" is 2\.5; it must be a whole number/],
		[-3, /"Voice Duration \(Seconds\)" is -3/],
	])('a duration of %s', async (voiceDuration, message) => {
		const { error } = await runMedia(
			sim.gateway,
			{ ...fromBinary, voiceDuration },
			{ binaries: [{ data: silkFile(VOICE) }] },
		);
		expect(error?.message).toMatch(message);
		expect(sim.gateway.calls).toHaveLength(0);
	});
});

describe('from a URL', () => {
	test('VoiceUrl and the given VoiceTime; the gateway fetches the file', async () => {
		const voiceUrl = `${served.url}/reply.silk`;
		const { items, error } = await runMedia(sim.gateway, {
			...fromBinary,
			voiceSource: 'url',
			voiceUrl,
			voiceDuration: 3,
		});
		expect(error).toBeUndefined();
		expect(bodies(sim.gateway)).toEqual([
			{ CgiCmd: 127, CgiRequest: { ToUserName: FRIEND, VoiceUrl: voiceUrl, VoiceTime: 3 } },
		]);
		expect(accepted(sim.gateway)[0]).toMatchObject({
			voiceSource: 'url',
			voiceMd5: mediaBytes.md5(VOICE),
		});
		expect(items[0].json).toMatchObject({ MsgType: 34, VoiceTime: 3 });
	});

	test('without a duration: a clear error asking for it, nothing sent', async () => {
		const { error } = await runMedia(sim.gateway, {
			...fromBinary,
			voiceSource: 'url',
			voiceUrl: `${served.url}/reply.silk`,
		});
		expect(error?.message).toMatch(
			/^"Voice Duration \(Seconds\)" is needed with a Voice URL: the node does not fetch the file/,
		);
		expect(sim.gateway.calls).toHaveLength(0);
	});

	test('an ftp:// URL is refused', async () => {
		const { error } = await runMedia(sim.gateway, {
			...fromBinary,
			voiceSource: 'url',
			voiceUrl: 'ftp://files.example.com/reply.silk',
			voiceDuration: 3,
		});
		expect(error?.message).toMatch(/^"Voice URL" must be an http:\/\/ or https:\/\/ URL/);
		expect(sim.gateway.calls).toHaveLength(0);
	});
});
