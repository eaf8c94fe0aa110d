import type { WriteTrackerState } from './writeTracking';

export type GatewayFailure =
	| 'ret'
	| 'http'
	| 'notJson'
	| 'badResponse'
	| 'timeout'
	| 'refused'
	| 'dns'
	| 'dropped'
	| 'tls'
	| 'proxy'
	| 'invalid'
	| 'forgotten'
	| 'aborted'
	| 'network';

/**
 * Failures that come back the same however often the request is made: a certificate that is
 * not accepted, a request undici refuses to make. Retrying them only costs time and handshakes.
 */
const REPEATING_KINDS = new Set<GatewayFailure>(['tls', 'invalid']);
/** undici's and Node's codes for a request that is wrong in itself, not in its circumstances. */
const INVALID_REQUEST_CODES = new Set([
	'UND_ERR_INVALID_ARG',
	'UND_ERR_NOT_SUPPORTED',
	'ERR_INVALID_ARG_TYPE',
	'ERR_INVALID_ARG_VALUE',
	'ERR_INVALID_CHAR',
	'ERR_INVALID_HTTP_TOKEN',
	'ERR_INVALID_URL',
	'ERR_HTTP_INVALID_HEADER_VALUE',
]);
const DROPPED_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

/**
 * Whether the message may have reached WeChat. `notSent`: the gateway surely never got the
 * request. `rejected`: the gateway answered that it did not send. `unknown`: it may have.
 */
export type DeliveryOutcome = 'notSent' | 'rejected' | 'unknown';

export class GatewayError extends Error {
	constructor(
		readonly reason: GatewayFailure,
		message: string,
		readonly delivery: DeliveryOutcome,
		readonly details: {
			ret?: number;
			errMsg?: string;
			httpStatus?: number;
			bodyStart?: string;
			/**
			 * `lost`: the client had stopped seeing when its requests began to be written, so this
			 * failure could not be proven to be before the write and counts as `unknown`.
			 */
			writeTracking?: 'lost';
		} = {},
	) {
		super(message);
		this.name = 'GatewayError';
	}

	/** Whether trying again can only give the same failure (so it is not retried). */
	get repeats(): boolean {
		// A proxy that wants credentials asks for them again on every try.
		if (this.reason === 'proxy') return this.details.httpStatus === 407;
		return REPEATING_KINDS.has(this.reason);
	}
}

/** What the classification of a failed request needs to know about the client and the request. */
export interface FailedRequest {
	/** host[:port] of the gateway, and its host name alone. */
	host: string;
	hostname: string;
	timeoutSeconds: number;
	graceMs: number;
	allowUnauthorizedCerts: boolean;
	/** How far undici got with the request, and whether that can be trusted. */
	tracker: WriteTrackerState;
	/** Whether the client's own hard deadline ended the request. */
	pastDeadline: boolean;
	redact: (text: string) => string;
	/** The largest answer the client reads, in bytes. */
	maxResponseBytes: number;
}

const MAY_HAVE_BEEN_SENT = '; the message may or may not have been sent';

/** A failed request named by what went wrong and by whether the gateway may have it. */
export function networkError(error: unknown, request: FailedRequest): GatewayError {
	const cause = error as {
		code?: string;
		name?: string;
		message?: string;
		cause?: { code?: string };
	};
	const code = cause.code ?? cause.cause?.code ?? '';
	const where = request.host;
	const { tracker } = request;
	// Only a request that undici never began to write can be known not to have reached the gateway.
	const mayHaveArrived = tracker.connected || tracker.written || tracker.lost;
	const details = tracker.lost && !tracker.connected ? { writeTracking: 'lost' as const } : {};
	const delivery: DeliveryOutcome = mayHaveArrived ? 'unknown' : 'notSent';
	const unsure = (reason: GatewayFailure, message: string) =>
		new GatewayError(reason, message, delivery, details);
	const limits = `${request.timeoutSeconds} s (+${request.graceMs / 1000} s grace)`;
	if (request.pastDeadline) {
		return mayHaveArrived
			? unsure(
					'timeout',
					`The gateway did not finish answering within ${limits}${MAY_HAVE_BEEN_SENT}`,
				)
			: unsure('timeout', `Could not reach the gateway at ${where} in time; nothing was sent`);
	}
	if (cause.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR')
		return unsure('aborted', 'The execution was stopped before the gateway answered');
	if (code === 'ECONNREFUSED') {
		return new GatewayError(
			'refused',
			`Connection refused by ${where}: is the gateway running and the Base URL's port right?`,
			'notSent',
		);
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
		return new GatewayError(
			'dns',
			`The gateway host "${request.hostname}" could not be resolved (DNS): check the Base URL`,
			'notSent',
		);
	}
	if (code === 'UND_ERR_CONNECT_TIMEOUT') {
		return new GatewayError(
			'timeout',
			`Could not connect to ${where} in time: is the gateway reachable from n8n?`,
			'notSent',
		);
	}
	if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
		return unsure('timeout', `The gateway did not answer within ${limits}${MAY_HAVE_BEEN_SENT}`);
	if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
		const megabytes = request.maxResponseBytes / 1024 / 1024;
		return unsure(
			'badResponse',
			`The gateway's answer is larger than ${megabytes} MB, which no gateway answer is${MAY_HAVE_BEEN_SENT}`,
		);
	}
	if (INVALID_REQUEST_CODES.has(code) || cause.name === 'InvalidArgumentError') {
		const detail = request.redact(String(cause.message ?? code)).slice(0, 200);
		return new GatewayError(
			'invalid',
			`The request to the gateway could not be made (${code || cause.name}: ${detail}); nothing was sent, and trying again cannot help`,
			'notSent',
		);
	}
	if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
		const advice = request.allowUnauthorizedCerts
			? ''
			: '; turn on "Ignore SSL Issues" in the credential for a self-signed certificate';
		return unsure('tls', `The gateway's HTTPS certificate was not accepted (${code})${advice}`);
	}
	if (DROPPED_CODES.has(code)) {
		return mayHaveArrived
			? unsure(
					'dropped',
					`The gateway closed the connection after the request was sent and before answering${MAY_HAVE_BEEN_SENT}`,
				)
			: unsure(
					'dropped',
					'The connection to the gateway dropped before the request was sent; nothing was sent',
				);
	}
	const detail = request.redact(code || cause.message || 'unknown error');
	return unsure(
		'network',
		`Could not reach the gateway at ${where}: ${detail}${mayHaveArrived ? MAY_HAVE_BEEN_SENT : '; nothing was sent'}`,
	);
}
