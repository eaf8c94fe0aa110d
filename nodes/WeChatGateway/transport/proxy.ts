import { Agent, ProxyAgent } from 'undici';

import { GatewayError } from './errors';

/**
 * The proxy n8n's environment names for one gateway URL, chosen by the rules undici and the rest
 * of n8n use: https targets take https_proxy / HTTPS_PROXY, else the http proxy; http targets
 * take http_proxy / HTTP_PROXY; the lower-case name wins when it is set at all (even empty); a
 * host listed in NO_PROXY (exact, a subdomain of an entry, `*` for all; `host:port` narrows it to
 * one port) goes direct. The HTTP client and the socket both ask here, so they never disagree.
 */
export interface ProxyInUse {
	/** The whole proxy URL, credentials included: only for the agent, never for a message. */
	uri: string;
	/** The environment variable it came from, e.g. HTTPS_PROXY. */
	variable: string;
	/** host:port, never the user name or password. */
	host: string;
	hostname: string;
	port: number;
	password: string;
}

const DEFAULT_PORTS: Record<string, number> = {
	'http:': 80,
	'https:': 443,
	'ws:': 80,
	'wss:': 443,
};
const SECURE = new Set(['https:', 'wss:']);

/** The variable a kind of proxy is read from, as undici reads it: lower case first. */
function variableOf(lower: string, upper: string): string | undefined {
	if (process.env[lower] !== undefined) return lower;
	return process.env[upper] !== undefined ? upper : undefined;
}

/** Which variable applies to a target of this protocol, if any holds a value. */
function proxyVariable(protocol: string): string | undefined {
	const http = variableOf('http_proxy', 'HTTP_PROXY');
	const https = SECURE.has(protocol) ? variableOf('https_proxy', 'HTTPS_PROXY') : undefined;
	const chosen = https && process.env[https] ? https : http;
	return chosen && process.env[chosen] ? chosen : undefined;
}

function bypassed(target: URL): boolean {
	const value = process.env.no_proxy ?? process.env.NO_PROXY ?? '';
	if (value === '*') return true;
	// The brackets of an IPv6 host are kept, as NO_PROXY writes them.
	const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
	const port = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0;
	return value
		.split(/[,\s]/)
		.filter((entry) => entry !== '')
		.some((entry) => {
			const withPort = /^(.+):(\d+)$/.exec(entry);
			const host = (withPort ? withPort[1] : entry).replace(/^\*?\./, '').toLowerCase();
			if (withPort && Number(withPort[2]) !== port) return false;
			return hostname === host || hostname.endsWith(`.${host}`);
		});
}

/** The proxy to reach `targetUrl` (http(s) or ws(s)) through, or undefined to go direct. */
export function proxyFor(targetUrl: string): ProxyInUse | undefined {
	const target = new URL(targetUrl);
	const variable = proxyVariable(target.protocol);
	const value = variable ? process.env[variable] : undefined;
	if (!variable || !value || !URL.canParse(value) || bypassed(target)) return undefined;
	const url = new URL(value);
	const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
	let password = url.password;
	try {
		password = decodeURIComponent(password);
	} catch {
		// kept as written
	}
	const host = `${url.hostname}:${port}`;
	return { uri: value, variable, host, hostname: url.hostname, port, password };
}

/**
 * The error every call gets when a proxy variable that applies holds something that is not a
 * URL. undici's own error quotes the value, password included, so it is never passed on.
 */
export function malformedProxyError(): GatewayError | undefined {
	const applying = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'].filter((name) => {
		const value = process.env[name];
		return value !== undefined && value !== '' && !URL.canParse(value);
	});
	const effective = [
		variableOf('http_proxy', 'HTTP_PROXY'),
		variableOf('https_proxy', 'HTTPS_PROXY'),
	];
	const broken = effective.some((name) => name && applying.includes(name));
	if (!broken) return undefined;
	return new GatewayError(
		'invalid',
		`The proxy set in n8n's environment (${applying.join(', ')}) is not a valid URL, so the gateway cannot be reached through it; fix it (e.g. http://user:password@proxy.example:3128) or remove it. Nothing was sent`,
		'notSent',
	);
}

/** What only a pool behind a proxy takes: TLS to the gateway and to the proxy, its proxy client. */
export type ThroughProxy = Pick<ProxyAgent.Options, 'requestTls' | 'proxyTls' | 'clientFactory'>;

/** A connection pool to the target, through `proxy` when there is one. */
export function dispatcherFor(
	proxy: ProxyInUse | undefined,
	options: Agent.Options,
	throughProxy: ThroughProxy = {},
): Agent | ProxyAgent {
	return proxy
		? new ProxyAgent({ ...options, ...throughProxy, uri: proxy.uri })
		: new Agent(options);
}

/**
 * Failures of the proxy itself, named as such: its refusal of the tunnel (407 and the like),
 * and a proxy that is down or unknown, which would otherwise be blamed on the gateway. The
 * gateway was not reached in any of them.
 */
export function proxyError(
	error: unknown,
	proxy: ProxyInUse | undefined,
	gatewayUrl: string,
): GatewayError | undefined {
	if (!proxy) return undefined;
	const failure = error as {
		code?: string;
		message?: string;
		address?: string;
		port?: number;
		hostname?: string;
	};
	const named = `the proxy ${proxy.host} (from ${proxy.variable})`;
	const gateway = new URL(gatewayUrl);
	const tunnel = /Proxy response \((\d{3})\)/.exec(failure.message ?? '');
	if (tunnel) {
		const status = Number(tunnel[1]);
		const detail =
			status === 407
				? `asks for credentials (HTTP 407 Proxy Authentication Required): put its user name and password in ${proxy.variable}, as http://user:password@${proxy.host}`
				: `would not connect to the gateway at ${gateway.host} (HTTP ${status})`;
		return new GatewayError(
			'proxy',
			`The proxy ${proxy.host} (from ${proxy.variable}) ${detail}; nothing was sent`,
			'notSent',
			{
				httpStatus: status,
			},
		);
	}
	const gatewayPort = Number(gateway.port) || DEFAULT_PORTS[gateway.protocol];
	const hostIsProxy =
		failure.hostname !== undefined &&
		failure.hostname === proxy.hostname &&
		failure.hostname !== gateway.hostname;
	const portIsProxy =
		failure.port === proxy.port &&
		(failure.port !== gatewayPort || failure.address === proxy.hostname);
	if (failure.code === 'ECONNREFUSED' && portIsProxy)
		return new GatewayError(
			'refused',
			`Connection refused by ${named}: is the proxy running? The gateway at ${gateway.host} was not reached; nothing was sent`,
			'notSent',
		);
	if ((failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN') && hostIsProxy)
		return new GatewayError(
			'dns',
			`The proxy host "${proxy.hostname}" (from ${proxy.variable}) could not be resolved (DNS): check n8n's proxy settings; nothing was sent`,
			'notSent',
		);
	return undefined;
}
