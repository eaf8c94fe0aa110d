import { GatewayError } from './errors';
import { parseJsonKeepingBigIntegers } from './exactJson';
import { findMsgId } from './messageIds';

/** The gateway's answer to a call WeChat accepted (Ret 0); 64-bit integers are exact strings. */
export interface CgiReply {
	Ret: number;
	ErrMsg: string;
	/** `{}` when the answer has none, or when it is a list (then in ResponseList). */
	ResponseData: Record<string, unknown>;
	/** The answer's ResponseData when it is a list: cgi 182 answers one contact per id asked. */
	ResponseList?: unknown[];
	/** A string ResponseData (cdnupload's `<appmsg>`), or a page that is not JSON (the QR code). */
	ResponseText?: string;
}

/** What a sent message's answer says; the fields of its output item. */
export interface SentMessage {
	NewMsgId: string;
	ClientMsgId: string;
	Ret: number;
	ErrMsg: string;
	[field: string]: unknown;
}

/** What came back from one gateway path: JSON read with exact 64-bit integers, or else text. */
export type GatewayAnswer =
	| { statusCode: number; json: Record<string, unknown>; text?: undefined }
	| { statusCode: number; json?: undefined; text: string };

/** How an answer may look and still be returned rather than be an error. */
export interface AnswerRules {
	/** An HTTP error status whose body is JSON is returned (a probe reads the refusal). */
	acceptHttpErrors?: boolean;
	/** A body that is not JSON (an HTML page) is returned as text. */
	acceptText?: boolean;
}

/** HTTP statuses by which a gateway or the proxy in front of it refuses who is asking. */
const AUTH_REFUSALS = new Set([401, 403, 407]);
const AUTH_HINT =
	'. The gateway or its proxy refused the credential: check its Authentication, Header Name and Header Value';
/** An ErrMsg or ClientMsgId is a sentence or an id; longer ones are cut to this. */
const MAX_ERRMSG_CHARS = 1000;

/** The body as the caller may use it, or the error its status and shape amount to. */
export function readAnswer(
	response: { statusCode: number; location?: string | string[]; text: string },
	redact: (s: string) => string,
	{ acceptHttpErrors = false, acceptText = false }: AnswerRules = {},
): GatewayAnswer {
	const { statusCode, location, text } = response;
	if (statusCode >= 300 && statusCode < 400) {
		// Redirects are never followed (the POST would be repeated elsewhere): the gateway did
		// not take the message, and where it pointed is what the Base URL should say.
		const target = (Array.isArray(location) ? location[0] : location)?.replace(
			/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i,
			'$1',
		);
		const where = target
			? ` pointing to ${JSON.stringify(quotable(target, redact, 200))}`
			: ' without a Location';
		throw new GatewayError(
			'http',
			`The gateway answered with a redirect (HTTP ${statusCode})${where}; redirects are not followed, so nothing was sent: set the Base URL to where the gateway really is`,
			'rejected',
			{ httpStatus: statusCode },
		);
	}
	const parsed = parseBody(text);
	// An authentication refusal is never a usable answer, whatever its body looks like.
	const refusedCredential = AUTH_REFUSALS.has(statusCode);
	if (statusCode >= 400 && (refusedCredential || !(acceptHttpErrors && parsed))) {
		// A refusal of the credential is the page most likely to echo it: it is never quoted.
		if (refusedCredential)
			throw new GatewayError(
				'http',
				`The gateway answered HTTP ${statusCode}${AUTH_HINT}`,
				'rejected',
				{ httpStatus: statusCode },
			);
		throw new GatewayError(
			'http',
			`The gateway answered HTTP ${statusCode}${describeBody(text, redact)}`,
			statusCode >= 500 ? 'unknown' : 'rejected',
			{ httpStatus: statusCode, bodyStart: bodyStart(text, redact) },
		);
	}
	if (parsed) return { statusCode, json: parsed };
	// A page is output whole, so it passes the same redaction as everything else that is output.
	if (acceptText) return { statusCode, text: redact(text) };
	throw new GatewayError(
		'notJson',
		`The gateway's answer is not JSON${describeBody(text, redact)}. Is the Base URL the WeChat gateway itself (not its web page or a proxy's login page)?`,
		'unknown',
		{ httpStatus: statusCode, bodyStart: bodyStart(text, redact) },
	);
}

function parseBody(text: string): Record<string, unknown> | undefined {
	const trimmed = text.trim();
	if (!trimmed.startsWith('{')) return undefined;
	try {
		const value = parseJsonKeepingBigIntegers(trimmed);
		return value && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/**
 * The part of a body an error may quote, redacted before it is cut (so no piece of the secret
 * survives at the cut) but not whole: a long body is never scanned end to end.
 */
function quotable(text: string, redact: (s: string) => string, chars = 4096): string {
	return redact(text.slice(0, chars * 2)).slice(0, chars);
}

function bodyStart(text: string, redact: (s: string) => string): string {
	return quotable(text, redact).slice(0, 200);
}

function describeBody(text: string, redact: (s: string) => string): string {
	const trimmed = quotable(text, redact).trim();
	if (trimmed === '') return ' with an empty body';
	const start = trimmed.slice(0, 120).replace(/\s+/g, ' ');
	return `: "${start}${trimmed.length > 120 ? '…' : ''}"`;
}

/** The `CgiBaseResponse` every MagicCgi answer carries, checked. */
export function readBaseResponse(
	answer: Record<string, unknown>,
	redact: (s: string) => string,
): { ret: number; errMsg: string } {
	const base = answer.CgiBaseResponse as Record<string, unknown> | undefined;
	if (!base || typeof base !== 'object') {
		throw new GatewayError(
			'badResponse',
			'The gateway answered JSON without "CgiBaseResponse"; is this the MagicCgi gateway? The message may or may not have been sent',
			'unknown',
		);
	}
	const ret = Number(base.Ret);
	if (base.Ret === undefined || !Number.isInteger(ret)) {
		throw new GatewayError(
			'badResponse',
			'The gateway answered without a numeric "CgiBaseResponse.Ret"; the message may or may not have been sent',
			'unknown',
		);
	}
	const errMsg = typeof base.ErrMsg === 'string' ? base.ErrMsg : String(base.ErrMsg ?? '');
	return { ret, errMsg: quotable(errMsg, redact, MAX_ERRMSG_CHARS) };
}

/** The ids of a message WeChat accepted; an answer without them may still have sent it. */
export function readSentMessage(reply: CgiReply): SentMessage {
	const data = reply.ResponseData;
	// What a later revoke needs besides NewMsgId, when the gateway answers it.
	const msgId = findMsgId(data);
	const newMsgId = data.NewMsgId;
	if (newMsgId === undefined || newMsgId === null || !/^-?\d+$/.test(String(newMsgId))) {
		throw new GatewayError(
			'badResponse',
			'The gateway said Ret 0 but its answer has no numeric "ResponseData.NewMsgId"; the message was probably sent',
			'unknown',
		);
	}
	return {
		NewMsgId: String(newMsgId),
		ClientMsgId:
			data.ClientMsgId === undefined || data.ClientMsgId === null ? '' : String(data.ClientMsgId),
		...(msgId !== undefined ? { MsgId: msgId } : {}),
		Ret: reply.Ret,
		ErrMsg: reply.ErrMsg,
	};
}

/** Every string in a JSON value passed through `redact`: the answer of a command is output whole. */
export function redactValues(value: unknown, redact: (s: string) => string): unknown {
	if (typeof value === 'string') return redact(value);
	if (Array.isArray(value)) return value.map((entry) => redactValues(entry, redact));
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value))
			out[redact(key)] = redactValues(entry, redact);
		return out;
	}
	return value;
}
