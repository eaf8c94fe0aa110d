import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { CgiCall } from '../transport/client';
import type { CgiReply } from '../transport/reply';

/** Reads parameters for one item; an n8n-free seam so operations are plain functions. */
export interface ParameterReader {
	get(name: string, fallback?: unknown): unknown;
	itemIndex: number;
}

/**
 * What one item asks of the gateway: a cgi call for each of its recipients. The send loop
 * (sendItems.ts) paces, retries and remembers each call (delivery/deliver.ts) and makes each
 * answer an output item `{ ToUserName, ...readReply(answer), ...output }`, paired to the item.
 *
 * - A message kind: `appMsgCall(recipient, xml)`, cgi 222 with `{ ToUserName, AppMsgXml, MsgType: 49 }`.
 * - Send text: cgi 522 with `{ ToUserName, Content, MsgType: 1, AtUsers }`.
 * - A command addressed to nobody: `recipients: ['']` and the command's own call.
 */
export interface GatewayRequest {
	/**
	 * Each gets its own call and its own output item, in this order. `''` stands for a call
	 * addressed to nobody: its output item has no ToUserName.
	 */
	recipients: readonly string[];
	/** The call for one recipient (with its `ToUserName`), and which of its `parts`. */
	callFor(recipient: string, part: number): CgiCall;
	/**
	 * Calls per recipient (a long text goes in parts), default 1. A recipient's parts go out in
	 * order, each paced and remembered as its own message, each its own output item.
	 */
	parts?: number;
	/** Added to the output item of one part (e.g. `part`, `parts`). */
	outputFor?(part: number): IDataObject;
	/** Sent without pacing (Call Gateway Command with "Pace This Call" off). */
	unpaced?: boolean;
	/**
	 * The fields of a successful answer for the output item; may throw a GatewayError (an
	 * answer that says Ret 0 but lacks what a success carries is `unknown`).
	 */
	readReply(reply: CgiReply): Record<string, unknown>;
	/** Added to every output item of this request (e.g. the appmsg `type`). */
	output?: IDataObject;
	/** Added as well when "Include Sent XML" is on (e.g. `AppMsgXml`). */
	sentCopy?: IDataObject;
}

interface OperationBase {
	option: INodePropertyOptions & { value: string; action: string };
	/** Its editor fields; each carries `displayOptions` for this operation alone. */
	properties: INodeProperties[];
}

/** An operation that calls the gateway: an item becomes one request. Pure: nothing is sent here. */
export interface SendOperation extends OperationBase {
	sends: true;
	/** False when the operation takes no To: its request names its chat itself, if any. */
	addressed?: boolean;
	toRequest(parameters: ParameterReader): GatewayRequest;
}

/** An operation that turns an item into output without calling the gateway. */
export interface LocalOperation extends OperationBase {
	sends: false;
	run(parameters: ParameterReader): IDataObject;
}

export type Operation = SendOperation | LocalOperation;
