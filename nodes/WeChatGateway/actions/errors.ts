import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { AppMsgInputError } from '../appmsg/model';
import { GatewayError } from '../transport/errors';
import { CredentialSettingsError } from '../transport/settings';
import { PacingAbortedError } from '../delivery/pacer';
import { RET_HINTS } from '../wechat';

export interface ErrorPlace {
	itemIndex: number;
	recipient?: string;
}

function where({ itemIndex, recipient }: ErrorPlace): string {
	return recipient ? `item ${itemIndex}, to ${recipient}` : `item ${itemIndex}`;
}

/** Every failure as an n8n error that names the item and the recipient, never a secret. */
export function toNodeError(
	node: INode,
	error: unknown,
	place: ErrorPlace,
): NodeApiError | NodeOperationError {
	const { itemIndex } = place;
	if (error instanceof GatewayError) {
		const { ret, errMsg, httpStatus } = error.details;
		const hint = ret !== undefined ? RET_HINTS[ret] : undefined;
		const response: JsonObject = { reason: error.reason, delivery: error.delivery };
		if (ret !== undefined) response.Ret = ret;
		if (errMsg !== undefined) response.ErrMsg = errMsg;
		if (place.recipient) response.ToUserName = place.recipient;
		const message = `${error.message} (${where(place)})`;
		const apiError = new NodeApiError(node, response, {
			message,
			description: [hint && `Hint: ${hint}.`, deliveryNote(error)].filter(Boolean).join(' '),
			httpCode: httpStatus ? String(httpStatus) : undefined,
			itemIndex,
		});
		return keepOwnMessage(apiError, place);
	}
	if (error instanceof AppMsgInputError || error instanceof RangeError) {
		return new NodeOperationError(node, `${error.message} (${where(place)})`, { itemIndex });
	}
	if (error instanceof CredentialSettingsError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: `Open the credential and fix "${error.field}".`,
		});
	}
	if (error instanceof PacingAbortedError) {
		return new NodeOperationError(
			node,
			`The execution was stopped before this message was sent (${where(place)})`,
			{ itemIndex },
		);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, `${message} (${where(place)})`, { itemIndex });
}

/**
 * n8n replaces an API error's message by a generic sentence when it contains a common network
 * code (ECONNRESET, ENOTFOUND, …); an ErrMsg from the gateway or a recipient's ID can contain
 * one, and the message would lose the item, the recipient and what happened. n8n keeps the
 * original in `messages`; put it back.
 */
function keepOwnMessage(apiError: NodeApiError, place: ErrorPlace): NodeApiError {
	const original = apiError.messages.at(-1);
	if (
		original !== undefined &&
		original !== apiError.message &&
		original.includes(`(item ${place.itemIndex}`)
	) {
		apiError.messages.pop();
		apiError.message = original;
	}
	return apiError;
}

function deliveryNote(error: GatewayError): string {
	if (error.delivery === 'unknown') {
		return 'The message may or may not have been delivered; it was not sent again, so that nobody gets it twice.';
	}
	return 'The message was not sent.';
}
