/**
 * The credential's media fields: optional (a credential without them still works for everything
 * but voice downloads), checked when given, and normalised the way the download joins them.
 */
import {
	CredentialSettingsError,
	gatewaySettingsFrom,
} from '../../nodes/WeChatGateway/transport/settings';

const BASE = { baseUrl: 'http://127.0.0.1:8080', wxid: 'wxid_sender01' };
const media = (fields: Record<string, unknown>) =>
	gatewaySettingsFrom({ ...BASE, ...fields }).media;

test('absent or empty: nothing set, private media URLs refused', () => {
	expect(media({})).toEqual({ folder: undefined, url: undefined, allowPrivate: false });
	expect(media({ mediaDownloadFolder: ' ', mediaDownloadUrl: '' })).toEqual({
		folder: undefined,
		url: undefined,
		allowPrivate: false,
	});
});

test.each([
	['/srv/wechat-media/', '/srv/wechat-media'],
	['D:\\wechat\\media\\', 'D:\\wechat\\media'],
	['C:/media', 'C:/media'],
	['/', '/'],
])('folder %j on the gateway host is kept as %j', (given, kept) => {
	expect(media({ mediaDownloadFolder: given })?.folder).toBe(kept);
});

test('the URL loses its trailing slash; Allow Private Media URLs only when switched on', () => {
	expect(
		media({ mediaDownloadUrl: 'http://gateway:8081/media/', allowPrivateMediaUrls: true }),
	).toEqual({ folder: undefined, url: 'http://gateway:8081/media', allowPrivate: true });
	expect(media({ allowPrivateMediaUrls: 'true' })?.allowPrivate).toBe(false);
});

test.each([
	[{ mediaDownloadFolder: 'media' }, 'Media Download Folder', /must be an absolute folder/],
	[{ mediaDownloadUrl: 'ftp://gateway/media' }, 'Media Download URL', /must be an http\(s\) URL/],
	[{ mediaDownloadUrl: 'not a url' }, 'Media Download URL', /must be an http\(s\) URL/],
	[
		{ mediaDownloadUrl: 'http://user:secret@gateway/media' },
		'Media Download URL',
		/must not contain a user name, password/,
	],
])('%j is refused naming %s', (fields, field, message) => {
	let caught: unknown;
	try {
		media(fields);
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(CredentialSettingsError);
	expect((caught as CredentialSettingsError).field).toBe(field);
	expect((caught as Error).message).toMatch(message);
	expect((caught as Error).message).not.toContain('secret');
});
