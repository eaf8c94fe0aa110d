/**
 * Send Image and Send Voice with n8n's binary data on disk (filesystem mode, the default of an
 * n8n server): the node reads the file through n8n's helpers and sends exactly its bytes. Its own
 * file, because the mode is a process-wide service of n8n-core.
 */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

import { bodies, GROUP, mediaBytes, runMedia, useMediaGateway } from './mediaRun';

const sim = useMediaGateway();
const PICTURE = mediaBytes.png(32, 24, (x, y) => [x * 8, 255 - y * 10, 60]);
const VOICE = mediaBytes.silk({ frames: 260, seed: 9 });

beforeAll(async () => {
	await Container.get(BinaryDataService).init();
});

/** The feed's item as n8n stored it: on disk, the item holding only a reference. */
function storedFile(run: Awaited<ReturnType<typeof runMedia>>['run']) {
	return run.data.resultData.runData.Feed[0].data!.main[0]![0].binary!.data;
}

test('a picture stored on disk arrives byte for byte', async () => {
	const { run, error } = await runMedia(
		sim.gateway,
		{ operation: 'sendImage', toUserName: GROUP },
		{ binaries: [{ data: { data: PICTURE, fileName: 'p.png', mimeType: 'image/png' } }] },
	);
	expect(error).toBeUndefined();
	const stored = storedFile(run);
	expect(stored.id).toMatch(/^filesystem/);
	expect(stored.data).not.toBe(PICTURE.toString('base64'));
	const [body] = bodies(sim.gateway);
	expect(Buffer.from(String(body.CgiRequest.ImageBase64), 'base64').equals(PICTURE)).toBe(true);
});

test('a voice message stored on disk arrives byte for byte, its length read from the frames', async () => {
	const { run, error } = await runMedia(
		sim.gateway,
		{ operation: 'sendVoice', toUserName: GROUP },
		{ binaries: [{ data: { data: VOICE, fileName: 'v.silk', mimeType: 'audio/silk' } }] },
	);
	expect(error).toBeUndefined();
	expect(storedFile(run).id).toMatch(/^filesystem/);
	const [body] = bodies(sim.gateway);
	expect(body.CgiRequest.VoiceTime).toBe(5);
	expect(Buffer.from(String(body.CgiRequest.VoiceBase64), 'base64').equals(VOICE)).toBe(true);
});
