import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';

import { Agent, buildConnector, request } from 'undici';

import { addressRefusal } from './addresses';

/**
 * A GET for URLs that arrive in a stranger's message (a sticker's `cdnurl`). Such a URL may point
 * at the n8n host or its network, and a workflow that sends the answer back would hand it to the
 * stranger; so the address is checked where the connection is made: the host name is resolved
 * once, every address it resolves to must be public, and the socket is opened to one of exactly
 * those addresses, so a name that changes its answer between a check and a connect cannot pass.
 * Redirects are followed here, one hop at a time, each checked the same way.
 */

/** The largest file the gateway itself moves (its upload takes 30 MB at most). */
export const MAX_MEDIA_BYTES = 30 * 1024 * 1024;
export const MEDIA_FETCH_TIMEOUT_MS = 30_000;
export const MAX_MEDIA_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export type MediaFetchFailure = 'badUrl' | 'refused' | 'http' | 'tooLarge' | 'timeout' | 'network';

/** Why a media URL was not fetched; `reason` lets a caller tell a refusal from a failure. */
export class MediaFetchError extends Error {
	constructor(
		message: string,
		readonly reason: MediaFetchFailure,
	) {
		super(message);
		this.name = 'MediaFetchError';
	}
}

/** Resolves a host name to every address it has; the seam tests use instead of DNS. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/**
 * The part of n8n's egress filter (`this.helpers.getSecureEgressFilter()`, n8n 2.x) this fetch
 * applies on top of its own rules, so an instance's SSRF settings hold here too.
 */
export interface EgressFilter {
	validateUrl(url: string): Promise<{ ok: true } | { ok: false; error: Error }>;
	validateConnectionHost(host: string): { ok: true } | { ok: false; error: Error };
	createSecureLookup(): LookupFunction;
	validateRedirectSync(url: string): void;
}

export interface PublicFetchOptions {
	/** The credential's "Allow Private Media URLs": lifts the address rule (a simulator on loopback). */
	allowPrivate?: boolean;
	maxBytes?: number;
	timeoutMs?: number;
	maxRedirects?: number;
	/** What the URL is, for errors (e.g. `cdnUrl`). */
	field?: string;
	resolve?: Resolver;
	/** Why an address is refused (undefined: it may be reached); the seam that lets tests put a "public" server on loopback. */
	addressRule?: (address: string) => string | undefined;
	egressFilter?: EgressFilter;
}

export interface FetchedMedia {
	bytes: Buffer;
	contentType?: string;
	/** The URL that answered, after redirects. */
	url: string;
}

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

function resolverOf(lookup: LookupFunction): Resolver {
	return (hostname) =>
		new Promise((resolve, reject) =>
			lookup(hostname, { all: true }, (error, addresses) =>
				error ? reject(error) : resolve(addresses as LookupAddress[]),
			),
		);
}

const PRIVATE_HINT =
	'A URL from a received message may only reach public addresses; if this is your own simulator or media mirror, turn on "Allow Private Media URLs" in the credential';

function refused(field: string, host: string, address: string, why: string): MediaFetchError {
	const resolved = host === address ? '' : ` resolves to ${address}, which is`;
	return new MediaFetchError(
		`"${field}" host ${host}${resolved || ' is'} ${why}, not a public address; nothing was fetched. ${PRIVATE_HINT}`,
		'refused',
	);
}

function fromEgress(result: { ok: true } | { ok: false; error: Error }, field: string): void {
	if (!result.ok)
		throw new MediaFetchError(
			`"${field}" is not allowed by this n8n instance's SSRF protection: ${result.error.message}; nothing was fetched`,
			'refused',
		);
}

function redirectVerdict(
	filter: EgressFilter,
	url: string,
): { ok: true } | { ok: false; error: Error } {
	try {
		filter.validateRedirectSync(url);
		return { ok: true };
	} catch (error) {
		return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
	}
}

/** http(s) only, no credentials in it, and an IP-literal host checked before anything connects. */
function checkUrl(text: string, settings: Settings): URL {
	const { field } = settings;
	if (!URL.canParse(text)) throw new MediaFetchError(`"${field}" is not a valid URL`, 'badUrl');
	const url = new URL(text);
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		throw new MediaFetchError(`"${field}" must be an http(s) URL, not ${url.protocol}`, 'badUrl');
	if (url.username || url.password)
		throw new MediaFetchError(`"${field}" carries a user name or password; refused`, 'badUrl');
	checkLiteralHost(url.hostname, settings);
	return url;
}

function checkLiteralHost(hostname: string, settings: Settings): void {
	const host = hostname.replace(/^\[|\]$/g, '');
	if (!isIP(host)) return;
	const why = settings.allowPrivate ? undefined : settings.addressRule(host);
	if (why) throw refused(settings.field, host, host, why);
	if (settings.egressFilter)
		fromEgress(settings.egressFilter.validateConnectionHost(host), settings.field);
}

type Settings = Required<Omit<PublicFetchOptions, 'egressFilter'>> &
	Pick<PublicFetchOptions, 'egressFilter'>;

/** A dispatcher whose every connection goes to an address checked in the same step. */
function guardedAgent(settings: Settings): Agent {
	const lookup: LookupFunction = (hostname, options, callback) => {
		settings
			.resolve(hostname)
			.then((found) => {
				const addresses = found.filter((a) => !options.family || a.family === options.family);
				if (addresses.length === 0)
					throw new MediaFetchError(
						`"${settings.field}" host ${hostname} has no address`,
						'network',
					);
				for (const { address } of settings.allowPrivate ? [] : addresses) {
					const why = settings.addressRule(address);
					if (why) throw refused(settings.field, hostname, address, why);
				}
				if (options.all) callback(null, addresses);
				else callback(null, addresses[0].address, addresses[0].family);
			})
			.catch((error: NodeJS.ErrnoException) => callback(error, ''));
	};
	const connectChecked = buildConnector({ lookup, timeout: settings.timeoutMs });
	return new Agent({
		connect: (options, callback) => {
			try {
				checkLiteralHost(options.hostname, settings);
			} catch (error) {
				return callback(error as Error, null);
			}
			return connectChecked(options, callback);
		},
	});
}

/** Reads at most `maxBytes`, refusing early when the answer announces more. */
async function readLimited(
	body: AsyncIterable<Buffer> & { destroy(): void; on(event: 'error', listener: () => void): void },
	announced: number,
	settings: Settings,
): Promise<Buffer> {
	const tooLarge = (size: string) =>
		new MediaFetchError(
			`"${settings.field}" answered with ${size} bytes; at most ${settings.maxBytes} are read`,
			'tooLarge',
		);
	if (announced > settings.maxBytes) {
		// Destroying an unread body reports an abort of its own; the refusal below says it all.
		body.on('error', () => undefined);
		body.destroy();
		throw tooLarge(String(announced));
	}
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of body) {
		total += chunk.length;
		if (total > settings.maxBytes) {
			body.destroy();
			throw tooLarge('more than that');
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks, total);
}

/** GETs `url` under the rules above; every refusal and failure is a MediaFetchError. */
export async function fetchPublicMedia(
	url: string,
	options: PublicFetchOptions = {},
): Promise<FetchedMedia> {
	const settings: Settings = {
		allowPrivate: options.allowPrivate ?? false,
		maxBytes: options.maxBytes ?? MAX_MEDIA_BYTES,
		timeoutMs: options.timeoutMs ?? MEDIA_FETCH_TIMEOUT_MS,
		maxRedirects: options.maxRedirects ?? MAX_MEDIA_REDIRECTS,
		field: options.field ?? 'url',
		addressRule: options.addressRule ?? addressRefusal,
		egressFilter: options.egressFilter,
		resolve:
			options.resolve ??
			(options.egressFilter
				? resolverOf(options.egressFilter.createSecureLookup())
				: systemResolver),
	};
	const { field, egressFilter } = settings;
	let current = checkUrl(url, settings);
	const abort = new AbortController();
	const timer = setTimeout(() => abort.abort(), settings.timeoutMs);
	const agent = guardedAgent(settings);
	try {
		for (let hop = 0; ; hop++) {
			if (egressFilter) fromEgress(await egressFilter.validateUrl(current.href), field);
			const response = await request(current, { dispatcher: agent, signal: abort.signal });
			const location = response.headers.location;
			if (REDIRECT_STATUSES.has(response.statusCode) && typeof location === 'string') {
				await response.body.dump();
				if (hop >= settings.maxRedirects)
					throw new MediaFetchError(
						`"${field}" redirected more than ${settings.maxRedirects} times`,
						'http',
					);
				current = checkUrl(new URL(location, current).href, settings);
				if (egressFilter) fromEgress(redirectVerdict(egressFilter, current.href), field);
				continue;
			}
			if (response.statusCode < 200 || response.statusCode >= 300) {
				await response.body.dump();
				throw new MediaFetchError(
					`"${field}" answered HTTP ${response.statusCode} from ${current.host}`,
					'http',
				);
			}
			const contentType = response.headers['content-type'];
			const bytes = await readLimited(
				response.body,
				Number(response.headers['content-length'] ?? 0),
				settings,
			);
			return {
				bytes,
				contentType: typeof contentType === 'string' ? contentType : undefined,
				url: current.href,
			};
		}
	} catch (error) {
		throw asMediaFetchError(error, abort.signal.aborted, settings);
	} finally {
		clearTimeout(timer);
		await agent.destroy();
	}
}

function asMediaFetchError(error: unknown, timedOut: boolean, settings: Settings): MediaFetchError {
	if (error instanceof MediaFetchError) return error;
	const cause = (error as { cause?: unknown } | undefined)?.cause;
	if (cause instanceof MediaFetchError) return cause;
	if (timedOut)
		return new MediaFetchError(
			`"${settings.field}" did not answer within ${settings.timeoutMs} ms`,
			'timeout',
		);
	const message = error instanceof Error ? error.message : String(error);
	return new MediaFetchError(`"${settings.field}" could not be fetched: ${message}`, 'network');
}
