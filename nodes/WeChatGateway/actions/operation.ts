import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { MediaToDownload } from '../received/download';
import type { CdnCall, GatewayCall, ReadCall } from '../transport/client';
import type { CgiReply } from '../transport/reply';

/** Reads parameters for one item; an n8n-free seam so operations are plain functions. */
export interface ParameterReader {
	get(name: string, fallback?: unknown): unknown;
	itemIndex: number;
	/** The credential's wxid, where the operation's output depends on which account asks. */
	accountWxid?: string;
	/**
	 * The bytes of the item's binary property `property`, read through n8n (memory or filesystem
	 * mode alike); a property the item lacks is an error naming it. An operation reads each once.
	 */
	binary(property: string): Promise<Buffer>;
}

/**
 * The seam between an operation and the gateway. An operation is pure: it turns an item into a
 * `GatewayRequest`, and the send loop (`send/`) paces, retries and remembers each message
 * (`delivery/`) and shapes each answer into output items. What operations need of it is
 * said here, so that each of them is its own file and one registry line:
 *
 * - **Where a call goes** (`GatewayCall`, the transport's): a cgi body to `/v2/api`, a cgi
 *   body to a cdn path with the MagicCgi query (`path: '/v2/cdnupload'`), or a read (`method:
 *   'GET'` of `/v2/wechatinfo`, `/v2/login/…`). The transport adds the account's wxid and the
 *   gateway's timeout to the query; an operation names only the path and its own query.
 * - **A message in two steps** (`GatewayMessage.then`): an upload whose answer makes the send.
 *   Both are ONE message for pacing, the run's ledger and Skip Duplicates, which identify it by
 *   its first call; a failed second step is the message's failure.
 * - **Several items, or bytes, from one answer** (`GatewayRequest.toItems`): a contact list
 *   becomes one item per contact; a downloaded file becomes an item with n8n binary data.
 * - **An unpaced read** (`unpaced`): no turn is waited for, and nothing is remembered as sent
 *   to a chat (`recipients: ['']`).
 */
export type { CdnCall, GatewayCall, ReadCall };

/** One message as pacing, the run's ledger and Skip Duplicates count it. */
export interface GatewayMessage {
	call: GatewayCall;
	/**
	 * The second step, made from the first step's answer (upload, then send); may throw when that
	 * answer cannot make one (then nothing was sent).
	 */
	then?(firstReply: CgiReply): GatewayCall;
	/** What the two steps are called in an error, e.g. `['upload', 'send']`. */
	steps?: readonly [string, string];
}

/** Bytes for an output item's binary property; the send loop stores them the n8n way. */
export interface BinaryFile {
	data: Buffer;
	mimeType: string;
	fileName: string;
}

/** One output item an answer turns into (before ToUserName and the request's `output`). */
export interface ReplyItem {
	json: IDataObject;
	binary?: Record<string, BinaryFile>;
}

/**
 * What one item asks of the gateway: a message for each of its recipients. Each answer becomes
 * an output item `{ ToUserName, ...readReply(answer), ...output }`, paired to the item.
 *
 * - An app-message kind: cgi 222 with `{ ToUserName, AppMsgXml, MsgType: 49 }`.
 * - Send text: cgi 522 with `{ ToUserName, Content, MsgType: 1, AtUsers }`.
 * - A command addressed to nobody: `recipients: ['']` and the command's own call.
 */
export interface GatewayRequest {
	/**
	 * Each gets its own message and its own output item, in this order. `''` stands for a call
	 * addressed to nobody: its output item has no ToUserName.
	 */
	recipients: readonly string[];
	/** The message for one recipient (with its `ToUserName`), and which of its `parts`. */
	messageFor(recipient: string, part: number): GatewayMessage;
	/**
	 * Messages per recipient (a long text goes in parts), default 1. A recipient's parts go out in
	 * order, each paced and remembered as its own message, each its own output item.
	 */
	parts?: number;
	/** Added to the output item of one part (e.g. `part`, `parts`). */
	outputFor?(part: number): IDataObject;
	/** Sent without pacing (Call Gateway Command with "Pace This Call" off, a read). */
	unpaced?: boolean;
	/**
	 * The fields of a successful answer, as remembered in the run's ledger; may throw a
	 * GatewayError (an answer that says Ret 0 but lacks what a success carries is `unknown`).
	 */
	readReply(reply: CgiReply): Record<string, unknown>;
	/**
	 * Several output items (or bytes) from those fields, and which of its `parts` answered;
	 * without it, one item of the fields.
	 */
	toItems?(fields: Record<string, unknown>, part: number): ReplyItem[];
	/** Added to every output item of this request (e.g. the appmsg `type`). */
	output?: IDataObject;
	/** Added as well when "Include Sent XML" is on (e.g. `AppMsgXml`). */
	sentCopy?: IDataObject;
}

interface OperationBase {
	option: INodePropertyOptions & { value: string; action: string };
	/**
	 * Its editor fields; each carries `displayOptions` for this operation alone. The registry
	 * adds the resource, so an operation's file does not name it.
	 */
	properties: INodeProperties[];
}

/** An operation that calls the gateway: an item becomes one request. Pure: nothing is sent here. */
export interface SendOperation extends OperationBase {
	sends: true;
	/** False when the operation takes no To: its request names its chat itself, if any. */
	addressed?: boolean;
	/** Async only where it reads the item's binary data; nothing else happens in it. */
	toRequest(parameters: ParameterReader): GatewayRequest | Promise<GatewayRequest>;
}

/** An operation that turns an item into output without calling the gateway. */
export interface LocalOperation extends OperationBase {
	sends: false;
	run(parameters: ParameterReader): IDataObject;
}

/**
 * An operation that reads a received message's media into n8n binary data. A download is a read:
 * nothing is paced, remembered or reported as sent, and its second step (reading the file the
 * gateway wrote) is no gateway call, so it has its own small loop (`downloadItems.ts`) rather
 * than the send loop. Pure like the others: it says what to download and where the bytes go.
 */
export interface DownloadOperation extends OperationBase {
	sends: false;
	toDownload(parameters: ParameterReader): { media: MediaToDownload; binaryPropertyName: string };
}

export type Operation = SendOperation | LocalOperation | DownloadOperation;
