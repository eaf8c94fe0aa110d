import type { GatewayCall } from './client';
import { exactJsonBody, type JsonBody } from './exactJson';

/**
 * What a call posts (nothing for a page's GET), with a request's 64-bit integers (JsonInteger)
 * written as bare numbers. Made once per message, however often it is tried.
 */
export function bodyOf(call: GatewayCall): JsonBody | undefined {
	if ('method' in call) return undefined;
	if ('path' in call) return exactJsonBody({ CgiCmd: call.CgiCmd, CgiRequest: call.CgiRequest });
	return exactJsonBody(call);
}

/**
 * A body in pieces carries its `content-length`, which undici would otherwise send chunked:
 * the gateway gets one plain body either way. undici counts a string's length itself, so a
 * string body goes with the client's headers as they are.
 */
export function headersFor(
	headers: Record<string, string>,
	body: JsonBody | undefined,
): Record<string, string> {
	if (typeof body !== 'object') return headers;
	return { ...headers, 'content-length': String(body.byteLength) };
}
