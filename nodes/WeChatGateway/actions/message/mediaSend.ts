import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import { GatewayError } from '../../transport/errors';
import type { CgiReply } from '../../transport/reply';
import type { ParameterReader } from '../operation';

/**
 * What Send Image, Send Voice and Send Sticker share: where their bytes come from (an n8n binary
 * property or a URL the gateway fetches) and how their answers are read.
 */

type Show = NonNullable<INodeProperties['displayOptions']>['show'];

export function showFor(operation: string, extra: Show = {}): INodeProperties['displayOptions'] {
	return { show: { operation: [operation], ...extra } };
}

/** The binary property field of a media operation, shown when its source is `binary`. */
export function binaryPropertyField(
	operation: string,
	sourceParameter: string,
	what: string,
): INodeProperties {
	return {
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'data',
		hint: 'The name of the input binary field containing the file to be sent',
		description: `The binary property of the input item that holds ${what} (e.g. from a Code, HTTP Request or Read File node)`,
		displayOptions: showFor(operation, { [sourceParameter]: ['binary'] }),
	};
}

/** A parameter that must be text; anything else is refused rather than turned into "[object Object]". */
export function textParameter(
	parameters: ParameterReader,
	name: string,
	displayName: string,
): string {
	const value = parameters.get(name, '');
	if (value === undefined || value === null) return '';
	if (typeof value !== 'string' && typeof value !== 'number')
		throw new AppMsgInputError(
			`"${displayName}" must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`,
			displayName,
		);
	return String(value).trim();
}

/** The item's bytes from the binary property the operation names; read once. */
export async function readBinaryInput(
	parameters: ParameterReader,
): Promise<{ property: string; bytes: Buffer }> {
	const property = textParameter(parameters, 'binaryPropertyName', 'Input Binary Field');
	if (property === '')
		throw new AppMsgInputError('"Input Binary Field" is required', 'Input Binary Field');
	return { property, bytes: await parameters.binary(property) };
}

/** A URL the gateway fetches itself: http(s) only, checked before anything is sent. */
export function httpUrlParameter(
	parameters: ParameterReader,
	name: string,
	displayName: string,
): string {
	const text = textParameter(parameters, name, displayName);
	if (text === '') throw new AppMsgInputError(`"${displayName}" is required`, displayName);
	const url = URL.canParse(text) ? new URL(text) : undefined;
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
		throw new AppMsgInputError(
			`"${displayName}" must be an http:// or https:// URL the gateway can fetch, got "${text.slice(0, 80)}"`,
			displayName,
		);
	return text;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A message id as exact digits (64-bit ones arrive as strings already); 0 is no id. */
function idDigits(value: unknown): string | undefined {
	const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
	return typeof text === 'string' && /^-?\d+$/.test(text) && !/^-?0+$/.test(text)
		? text
		: undefined;
}

/**
 * The ids in the answer of a media send: flat in `ResponseData` (110, 127), or in its one
 * `EmojiItem` (175). Only ids that are there are reported; an answer without a NewMsgId says so.
 */
export function readMediaReply(reply: CgiReply): Record<string, unknown> {
	const data = reply.ResponseData;
	const items = data.EmojiItem;
	const entry = Array.isArray(items) && isObject(items[0]) ? items[0] : data;
	const entryRet = entry === data ? undefined : Number(entry.Ret ?? 0);
	if (entryRet !== undefined && entryRet !== 0)
		throw new GatewayError('ret', `WeChat refused the message: Ret ${entryRet}`, 'rejected', {
			ret: entryRet,
			errMsg: '',
		});
	const newMsgId = idDigits(entry.NewMsgId);
	const msgId = idDigits(entry.MsgId);
	if (newMsgId === undefined)
		return {
			Ret: reply.Ret,
			ErrMsg: reply.ErrMsg,
			ResponseData: reply.ResponseData,
			note: 'The gateway accepted the message (Ret 0) but its answer names no NewMsgId; ResponseData is what it answered',
		};
	return {
		NewMsgId: newMsgId,
		...(msgId === undefined ? {} : { MsgId: msgId }),
		Ret: reply.Ret,
		ErrMsg: reply.ErrMsg,
	};
}
