import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { CoordinationUnavailableError } from '../../coordination/store';
import type { EarlierSend } from '../../delivery/earlierSends';
import { PacingAbortedError } from '../../delivery/pacer';
import { GatewayError } from '../../transport/errors';
import type { GatewayRequest, ReplyItem } from '../operation';

/** A later part of a text whose earlier part failed: surely not sent. */
export class PartNotSentError extends Error {
	readonly delivery = 'notSent';
	constructor(part: number, parts: number, failedPart: number) {
		super(
			`Part ${part + 1} of ${parts} was not sent because part ${failedPart + 1} failed; nothing of it went out`,
		);
		this.name = 'PartNotSentError';
	}
}

/** The output of a message not sent because it had been: the earlier send's ids, or its doubt. */
function skippedOutput(earlier: EarlierSend): IDataObject {
	const json: IDataObject = {
		skippedDuplicate: true,
		duplicateOf: {
			executionId: earlier.entry.executionId,
			sentAt: new Date(earlier.entry.at).toISOString(),
			foundBy: earlier.foundBy,
		},
	};
	if (earlier.entry.state === 'uncertain') {
		json.delivery = 'unknown';
		json.note =
			'An identical message was handed to the gateway earlier and its fate is unknown (it may have been delivered); it was not sent again';
	}
	return json;
}

/** What one delivered (or skipped) message of a request was, for its output items. */
export interface Outcome {
	itemIndex: number;
	recipient: string;
	part: number;
	fields: Record<string, unknown>;
	possibleDuplicate: boolean;
	skipped?: EarlierSend;
	includeXml: boolean;
}

async function withBinary(
	helpers: IExecuteFunctions['helpers'],
	item: ReplyItem,
): Promise<IBinaryKeyData | undefined> {
	if (!item.binary) return undefined;
	const binary: IBinaryKeyData = {};
	for (const [property, file] of Object.entries(item.binary))
		binary[property] = await helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
	return binary;
}

/**
 * A message's output items, paired to its input item: `{ ToUserName, ...fields, ...output }`,
 * one per answer, or those the request makes of the answer (`toItems`).
 */
export async function successItems(
	helpers: IExecuteFunctions['helpers'],
	request: GatewayRequest,
	outcome: Outcome,
): Promise<INodeExecutionData[]> {
	const { itemIndex, recipient, part, fields, skipped } = outcome;
	const replyItems = request.toItems
		? request.toItems(fields, part)
		: [{ json: fields as IDataObject }];
	const items: INodeExecutionData[] = [];
	for (const replyItem of replyItems) {
		const json: IDataObject = recipient ? { ToUserName: recipient } : {};
		Object.assign(json, replyItem.json, request.output, request.outputFor?.(part));
		if (outcome.possibleDuplicate) json.possibleDuplicate = true;
		if (skipped) Object.assign(json, skippedOutput(skipped));
		if (outcome.includeXml) Object.assign(json, request.sentCopy);
		const binary = await withBinary(helpers, replyItem);
		items.push(
			binary
				? { json, binary, pairedItem: { item: itemIndex } }
				: { json, pairedItem: { item: itemIndex } },
		);
	}
	return items;
}

/**
 * An error item (Continue On Fail): the message, and what the original error says about the
 * message's fate, read from the error itself.
 */
export function errorItem(
	itemIndex: number,
	message: string,
	error: unknown,
	recipient?: string,
): INodeExecutionData {
	const json: IDataObject = { error: message };
	if (recipient) json.ToUserName = recipient;
	if (error instanceof GatewayError) {
		const { ret, errMsg } = error.details;
		if (ret !== undefined) json.Ret = ret;
		if (errMsg !== undefined) json.ErrMsg = errMsg;
		json.delivery = error.delivery;
	}
	// Stopped before its turn: surely not sent, and an error item says so like any other.
	else if (
		error instanceof PacingAbortedError ||
		error instanceof PartNotSentError ||
		error instanceof CoordinationUnavailableError
	)
		json.delivery = 'notSent';
	return { json, pairedItem: { item: itemIndex } };
}
