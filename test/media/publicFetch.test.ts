import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	fetchPublicMedia,
	MediaFetchError,
	type EgressFilter,
	type PublicFetchOptions,
} from '../../nodes/WeChatGateway/media/publicFetch';
import { addressRefusal } from '../../nodes/WeChatGateway/media/addresses';

/** A server on a loopback address that counts every connection made to it. */
interface CountingServer {
	server: Server;
	port: number;
	connections: number;
	url(path: string, host?: string): string;
}

const STICKER = Buffer.from('GIF89a sticker bytes, exactly these');

async function listen(host: string, redirectTo?: () => string): Promise<CountingServer> {
	const counting = { connections: 0 } as CountingServer;
	const server = createServer((req, res) => {
		if (req.url === '/sticker') {
			res.writeHead(200, { 'content-type': 'image/gif' }).end(STICKER);
		} else if (req.url === '/redirect' && redirectTo) {
			res.writeHead(302, { location: redirectTo() }).end();
		} else if (req.url === '/relative') {
			res.writeHead(301, { location: '/sticker' }).end();
		} else if (req.url === '/loop') {
			res.writeHead(307, { location: '/loop' }).end();
		} else if (req.url === '/announced-large') {
			res.writeHead(200, { 'content-length': '1000' }).end(Buffer.alloc(1000));
		} else if (req.url === '/chunked-large') {
			res.writeHead(200);
			for (let i = 0; i < 10; i++) res.write(Buffer.alloc(100));
			res.end();
		} else if (req.url === '/hang') {
			// Never answers: only the fetch's own deadline ends this request.
		} else {
			res.writeHead(404).end('not here');
		}
	});
	server.on('connection', () => counting.connections++);
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	counting.server = server;
	counting.port = (server.address() as AddressInfo).port;
	counting.url = (path, urlHost = host) => `http://${urlHost}:${counting.port}${path}`;
	return counting;
}

/** Resolves every name to one loopback address: no test ever reaches a real resolver or network. */
const resolvingTo =
	(address: string): PublicFetchOptions['resolve'] =>
	async () => [{ address, family: 4 }];

async function refusal(url: string, options: PublicFetchOptions = {}): Promise<MediaFetchError> {
	const error = await fetchPublicMedia(url, { resolve: resolvingTo('127.0.0.1'), ...options }).then(
		() => undefined,
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(MediaFetchError);
	return error as MediaFetchError;
}

let local: CountingServer;
/** Plays a trusted public server: the rule under test treats only 127.0.0.1 as public. */
let publicLookalike: CountingServer;
let privateTarget: CountingServer;
const onlyOneLoopbackIsPublic = (address: string) =>
	address === '127.0.0.1' ? undefined : addressRefusal(address);

beforeAll(async () => {
	local = await listen('127.0.0.1', () => privateTarget.url('/sticker', 'private.example'));
	privateTarget = await listen('127.0.0.2');
	publicLookalike = local;
});
afterAll(async () => {
	for (const { server } of [local, privateTarget])
		await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
	local.connections = 0;
	privateTarget.connections = 0;
});

describe('addresses on the n8n host or its networks are refused before anything connects', () => {
	it.each([
		['loopback literal', () => local.url('/sticker')],
		['decimal spelling of 127.0.0.1', () => local.url('/sticker', '2130706433')],
		['hex spelling of 127.0.0.1', () => local.url('/sticker', '0x7f.1')],
		['octal spelling of 127.0.0.1', () => local.url('/sticker', '0177.0.0.1')],
		['IPv6 loopback', () => local.url('/sticker', '[::1]')],
		['IPv4-mapped IPv6 loopback', () => local.url('/sticker', '[::ffff:127.0.0.1]')],
		['the metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
		['a private range', () => 'http://10.1.2.3/x.gif'],
	])('%s', async (_name, url) => {
		const error = await refusal(url());
		expect(error.reason).toBe('refused');
		expect(error.message).toContain('Allow Private Media URLs');
		expect(local.connections).toBe(0);
	});

	it('a name that resolves to loopback', async () => {
		const error = await refusal(local.url('/sticker', 'emoji.example'));
		expect(error.reason).toBe('refused');
		expect(error.message).toContain('emoji.example resolves to 127.0.0.1');
		expect(local.connections).toBe(0);
	});

	it('a name with one public and one private address', async () => {
		const error = await refusal(local.url('/sticker', 'mixed.example'), {
			resolve: async () => [
				{ address: '8.8.8.8', family: 4 },
				{ address: '127.0.0.1', family: 4 },
			],
		});
		expect(error.reason).toBe('refused');
		expect(local.connections).toBe(0);
	});

	it('a redirect from an allowed server to a private one: the private one is never connected to', async () => {
		const error = await refusal(publicLookalike.url('/redirect', 'cdn.example'), {
			resolve: async (host) => [
				{ address: host === 'private.example' ? '127.0.0.2' : '127.0.0.1', family: 4 },
			],
			addressRule: onlyOneLoopbackIsPublic,
		});
		expect(error.reason).toBe('refused');
		expect(error.message).toContain('private.example resolves to 127.0.0.2');
		expect(publicLookalike.connections).toBe(1);
		expect(privateTarget.connections).toBe(0);
	});
});

describe('what is fetched', () => {
	it('the bytes, exactly, with the content type, from a public server', async () => {
		const fetched = await fetchPublicMedia(local.url('/sticker', 'cdn.example'), {
			resolve: resolvingTo('127.0.0.1'),
			addressRule: onlyOneLoopbackIsPublic,
		});
		expect(fetched.bytes.equals(STICKER)).toBe(true);
		expect(fetched.contentType).toBe('image/gif');
	});

	it('Allow Private Media URLs lifts the rule, and the socket goes to the resolved address', async () => {
		const fetched = await fetchPublicMedia(privateTarget.url('/sticker', 'sim.example'), {
			resolve: resolvingTo('127.0.0.2'),
			allowPrivate: true,
		});
		expect(fetched.bytes.equals(STICKER)).toBe(true);
		expect(privateTarget.connections).toBe(1);
	});

	it('a name whose answer changes after the first lookup: the socket goes to the address checked', async () => {
		const answers = ['127.0.0.1', '127.0.0.2'];
		const lookups: string[] = [];
		const fetched = await fetchPublicMedia(local.url('/sticker', 'rebind.example'), {
			resolve: async (host) => {
				lookups.push(host);
				return [{ address: answers[Math.min(lookups.length - 1, 1)], family: 4 }];
			},
			addressRule: onlyOneLoopbackIsPublic,
		});
		expect(fetched.bytes.equals(STICKER)).toBe(true);
		expect(lookups).toEqual(['rebind.example']);
		expect(privateTarget.connections).toBe(0);
	});

	it('follows a relative redirect and reports where the bytes came from', async () => {
		const fetched = await fetchPublicMedia(local.url('/relative'), { allowPrivate: true });
		expect(fetched.bytes.equals(STICKER)).toBe(true);
		expect(fetched.url).toBe(local.url('/sticker'));
	});
});

describe('clear failures', () => {
	it.each([
		['file:///etc/passwd', 'must be an http(s) URL'],
		['ftp://example.com/a.gif', 'must be an http(s) URL'],
		['gopher://127.0.0.1:6379/_INFO', 'must be an http(s) URL'],
		['not a url', 'is not a valid URL'],
		['http://user:secret@cdn.example/a.gif', 'user name or password'],
	])('%s', async (url, message) => {
		const error = await refusal(url, { allowPrivate: true, field: 'cdnUrl' });
		expect(error.reason).toBe('badUrl');
		expect(error.message).toContain('"cdnUrl"');
		expect(error.message).toContain(message);
		expect(error.message).not.toContain('secret');
	});

	it('an HTTP error status', async () => {
		const error = await refusal(local.url('/missing'), { allowPrivate: true });
		expect(error.reason).toBe('http');
		expect(error.message).toContain('HTTP 404');
	});

	it('endless redirects stop after the limit', async () => {
		const error = await refusal(local.url('/loop'), { allowPrivate: true, maxRedirects: 3 });
		expect(error.message).toContain('redirected more than 3 times');
		expect(local.connections).toBeGreaterThan(0);
	});

	it.each(['/announced-large', '/chunked-large'])(
		'more bytes than the limit (%s)',
		async (path) => {
			const error = await refusal(local.url(path), { allowPrivate: true, maxBytes: 500 });
			expect(error.reason).toBe('tooLarge');
		},
	);

	it('a server that never answers meets the deadline', async () => {
		const error = await refusal(local.url('/hang'), { allowPrivate: true, timeoutMs: 200 });
		expect(error.reason).toBe('timeout');
	});
});

describe("n8n's own egress filter applies on top", () => {
	const filter = (verdict: { ok: true } | { ok: false; error: Error }): EgressFilter => ({
		validateUrl: async () => verdict,
		validateConnectionHost: () => verdict,
		validateRedirectSync: () => {
			if (!verdict.ok) throw verdict.error;
		},
		createSecureLookup: () => (_host, _options, callback) =>
			callback(null, [{ address: '127.0.0.1', family: 4 }]),
	});

	it('a URL the instance refuses is not fetched, even with Allow Private Media URLs', async () => {
		const error = await refusal(local.url('/sticker', 'cdn.example'), {
			allowPrivate: true,
			resolve: undefined,
			egressFilter: filter({
				ok: false,
				error: new Error('blocked by N8N_SSRF_BLOCKED_IP_RANGES'),
			}),
		});
		expect(error.reason).toBe('refused');
		expect(error.message).toContain('SSRF protection: blocked by N8N_SSRF_BLOCKED_IP_RANGES');
		expect(local.connections).toBe(0);
	});

	it("a URL it allows is resolved through the instance's secure lookup", async () => {
		const fetched = await fetchPublicMedia(local.url('/sticker', 'cdn.example'), {
			allowPrivate: true,
			egressFilter: filter({ ok: true }),
		});
		expect(fetched.bytes.equals(STICKER)).toBe(true);
	});
});
