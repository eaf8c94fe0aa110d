import { parseJsonKeepingBigIntegers } from '../transport/exactJson';

/**
 * A real frame is a few kilobytes (an app message's XML included). Anything larger is skipped
 * before it is parsed, so a hostile sender cannot make n8n parse megabytes of JSON per message.
 */
export const MAX_FRAME_CHARS = 1024 * 1024;

/** The gateway's event names, as the trigger's `events` parameter offers them. */
export const GATEWAY_EVENTS = {
	newMessage: 'ON_EVENT_MSG_NEW',
	pat: 'ON_EVENT_PAT_MSG',
	friendRequest: 'ON_EVENT_FRIEND_REQ',
	contactChange: 'ON_EVENT_CONTACT_CHANGE',
	groupInvite: 'ON_EVENT_CHATROOM_INVITE_OTHER',
	moments: 'ON_EVENT_SNS_NEW',
	accountOffline: 'ON_EVENT_ACCOUNT_OFFLINE',
} as const;

export type TriggerEvent = keyof typeof GATEWAY_EVENTS;

const EVENT_BY_GATEWAY_NAME = new Map<string, TriggerEvent>(
	Object.entries(GATEWAY_EVENTS).map(([event, name]) => [name, event as TriggerEvent]),
);

/** The message inside a frame, as the gateway sends it (every field may be missing). */
export interface AddMsg {
	MsgId?: unknown;
	NewMsgId?: unknown;
	NewMsgIdExt?: unknown;
	FromUserName?: unknown;
	ToUserName?: unknown;
	MsgType?: unknown;
	Content?: unknown;
	MsgSource?: unknown;
	PushContent?: unknown;
	CreateTime?: unknown;
	ActionUserName?: unknown;
	ActionNickName?: unknown;
	[key: string]: unknown;
}

export interface GatewayFrame {
	/** The gateway's own event name, e.g. ON_EVENT_MSG_NEW. */
	eventName: string;
	/** The trigger's name for it, when it is one the trigger knows. */
	event?: TriggerEvent;
	/** The account the frame is for: CurrentWxid, or the message's own account when a build omits it. */
	currentWxid?: string;
	data: Record<string, unknown>;
	addMsg?: AddMsg;
	/** The exact decimal id: NewMsgIdExt when it is one, else NewMsgId read losslessly. */
	newMsgId?: string;
	/** The frame as received, parsed with 64-bit numbers kept exact. */
	raw: Record<string, unknown>;
}

export type FrameReading =
	| { ok: true; frame: GatewayFrame }
	| { ok: false; reason: string; ignorable?: boolean };

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DECIMAL_ID = /^\d{1,20}$/;

/** Ids come as numbers, strings, or (above 2^53) exact digits that exactJson kept as a string. */
export function exactId(value: unknown): string | undefined {
	if (typeof value === 'string' && DECIMAL_ID.test(value.trim())) return value.trim();
	if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
	return undefined;
}

/**
 * One WebSocket text message to a frame, or the reason it is not one. The reason never quotes
 * the frame: it may carry anything a stranger sent to the account.
 */
export function readFrame(text: unknown, maxChars = MAX_FRAME_CHARS): FrameReading {
	if (typeof text !== 'string') return { ok: false, reason: 'a binary frame, not JSON text' };
	if (text.length > maxChars) {
		return {
			ok: false,
			reason: `${text.length} characters long, above the limit of ${maxChars}`,
		};
	}
	let parsed: unknown;
	try {
		parsed = parseJsonKeepingBigIntegers(text);
	} catch {
		return { ok: false, reason: `not JSON (${text.length} characters)` };
	}
	if (!isRecord(parsed)) return { ok: false, reason: 'JSON but not an object' };
	const packet = parsed.CurrentPacket;
	if (packet === undefined) {
		// Answers to commands sent over the same socket ({CgiBaseResponse, ReqId, …}) come this way.
		return {
			ok: false,
			reason: 'no CurrentPacket (a command answer or a keep-alive)',
			ignorable: true,
		};
	}
	if (!isRecord(packet) || !isRecord(packet.Data)) {
		return { ok: false, reason: 'CurrentPacket has no Data object' };
	}
	const data = packet.Data;
	const eventName = typeof data.EventName === 'string' ? data.EventName : '';
	if (eventName === '') return { ok: false, reason: 'CurrentPacket.Data has no EventName' };
	const addMsg = isRecord(data.AddMsg) ? (data.AddMsg as AddMsg) : undefined;
	const newMsgId = addMsg ? (exactId(addMsg.NewMsgIdExt) ?? exactId(addMsg.NewMsgId)) : undefined;
	const currentWxid =
		typeof parsed.CurrentWxid === 'string' && parsed.CurrentWxid !== ''
			? parsed.CurrentWxid
			: undefined;
	return {
		ok: true,
		frame: {
			eventName,
			event: EVENT_BY_GATEWAY_NAME.get(eventName),
			currentWxid,
			data,
			addMsg,
			newMsgId,
			raw: parsed,
		},
	};
}
