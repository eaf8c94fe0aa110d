import { CONTACT_CHANGE_WINDOW_MS } from '../received/events';
import { RecentChanges } from '../received/recentChanges';
import { readEvent, type EventReading } from './events';
import type { TriggerFilters } from './filters';
import { readFrame, MAX_FRAME_CHARS, type GatewayFrame } from './frame';
import {
	AppMsgInputError,
	isAppMessage,
	kindOfMsgType,
	messageBasics,
	readAppMessage,
	type AppMessage,
	type MessageBasics,
} from './message';
import { readKindFields, type KindReading, type Thumbnail } from './mediaFields';
import { RecentIds } from './recentIds';

export type TriggerItem = Record<string, unknown> & { event: string; accountWxid: string };

export interface LogLine {
	level: 'warn' | 'debug';
	message: string;
}

/** What one frame comes to: an item to emit, a line to log, both, or neither. */
export interface Reception {
	item?: TriggerItem;
	log?: LogLine;
}

export interface ReceiverOptions {
	maxFrameChars?: number;
	recentIdCapacity?: number;
	/** The clock for `accountOffline`'s `at` and the contact change window. */
	now?: () => number;
}

const PREFIX = 'WeChat Gateway Trigger:';

/**
 * An image item's thumbnail rides on the item out of sight (not enumerable, so never in its
 * JSON) until activation turns it into n8n binary data.
 */
const THUMBNAIL = Symbol('thumbnail');

export function thumbnailOf(item: TriggerItem): Thumbnail | undefined {
	return (item as { [THUMBNAIL]?: Thumbnail })[THUMBNAIL];
}

/**
 * Frames in, items out, for one account and one set of filters. Holds the memory of ids already
 * emitted, so one receiver must live as long as the trigger, across reconnects.
 */
export class FrameReceiver {
	private readonly recentIds: RecentIds;
	private readonly maxFrameChars: number;
	/** Contact changes emitted lately: the gateway reports one change several times. */
	private readonly recentChanges: RecentChanges;
	private readonly now: () => number;

	constructor(
		readonly accountWxid: string,
		readonly filters: TriggerFilters,
		options: ReceiverOptions = {},
	) {
		this.recentIds = new RecentIds(options.recentIdCapacity);
		this.maxFrameChars = options.maxFrameChars ?? MAX_FRAME_CHARS;
		this.now = options.now ?? Date.now;
		this.recentChanges = new RecentChanges(CONTACT_CHANGE_WINDOW_MS, this.now);
	}

	receive(text: unknown): Reception {
		const reading = readFrame(text, this.maxFrameChars);
		if (!reading.ok) {
			return {
				log: {
					level: reading.ignorable ? 'debug' : 'warn',
					message: `${PREFIX} skipped a frame: ${reading.reason}`,
				},
			};
		}
		const { frame } = reading;
		if (!this.isForAccount(frame)) return {};

		if (frame.event === 'accountOffline') {
			const log: LogLine = {
				level: 'warn',
				message: `${PREFIX} the gateway reports account ${this.accountWxid} offline (logged out); messages stop until the phone logs in again (the gateway's /v2/login/push asks it to)`,
			};
			if (!this.filters.events.has('accountOffline')) return { log };
			return { log, item: this.withReading(this.eventItem(frame), this.eventReading(frame)) };
		}
		if (frame.event === undefined || !this.filters.events.has(frame.event)) return {};
		if (frame.newMsgId !== undefined && this.recentIds.has(frame.newMsgId)) {
			return {
				log: { level: 'debug', message: `${PREFIX} message ${frame.newMsgId} was already emitted` },
			};
		}
		if (!frame.addMsg)
			return this.completed(frame, this.eventItem(frame), this.eventReading(frame));

		const basics = messageBasics(frame.addMsg, this.accountWxid);
		if (!this.passesChatFilters(basics)) return {};
		let app: AppMessage | undefined;
		if (isAppMessage(basics)) {
			try {
				app = readAppMessage(basics.content);
			} catch (error) {
				// AppMsgInputError for refused XML; anything else is reported the same way, without the XML.
				const reason = error instanceof AppMsgInputError ? error.message : 'unreadable';
				return {
					log: {
						level: 'warn',
						message: `${PREFIX} skipped message ${frame.newMsgId ?? '(no id)'} from ${basics.chatId || '(unknown chat)'}: its app message XML was refused: ${reason}`,
					},
				};
			}
		}
		const kind = app?.kind ?? kindOfMsgType(basics.msgType);
		const kinds = this.filters.messageKinds;
		if (frame.event === 'newMessage' && kinds.size > 0 && !kinds.has(kind as never)) return {};
		const added =
			frame.event === 'newMessage'
				? readKindFields(kind, basics.content, frame.addMsg)
				: this.eventReading(frame);
		return this.completed(frame, this.messageItem(frame, basics, kind, app), added);
	}

	/**
	 * Takes back the memory of an emitted id whose item could not be run after all (dropped
	 * while n8n was behind), so the gateway's resend of it is emitted.
	 */
	forget(newMsgId: string): void {
		this.recentIds.forget(newMsgId);
	}

	/** Frames for other accounts logged in to the same gateway are never emitted. */
	private isForAccount(frame: GatewayFrame): boolean {
		if (frame.currentWxid !== undefined) return frame.currentWxid === this.accountWxid;
		// Builds without CurrentWxid: the message itself must involve the account.
		const message = frame.addMsg;
		return message?.ToUserName === this.accountWxid || message?.FromUserName === this.accountWxid;
	}

	private passesChatFilters(basics: MessageBasics): boolean {
		const { chats, groupIds, onlyWhenMentioned, ignoreOwnMessages } = this.filters;
		if (ignoreOwnMessages && basics.fromSelf) return false;
		if (chats === 'private' && basics.isGroup) return false;
		if (chats === 'groups' && !basics.isGroup) return false;
		if (basics.isGroup && groupIds.size > 0 && !groupIds.has(basics.chatId)) return false;
		if (basics.isGroup && onlyWhenMentioned && !basics.mentionedMe && !basics.mentionsAll)
			return false;
		return true;
	}

	private emitted(frame: GatewayFrame, item: TriggerItem): Reception {
		if (frame.newMsgId !== undefined) this.recentIds.add(frame.newMsgId);
		return { item };
	}

	private eventReading(frame: GatewayFrame): EventReading {
		return readEvent(frame, this.accountWxid, this.recentChanges, this.now);
	}

	/** The item with what its event or kind adds; a repeated change is not emitted. */
	private completed(
		frame: GatewayFrame,
		item: TriggerItem,
		reading: EventReading | KindReading,
	): Reception {
		if ('repeated' in reading && reading.repeated) {
			return {
				log: { level: 'debug', message: `${PREFIX} a contact change was reported again` },
			};
		}
		const reception = this.emitted(frame, this.withReading(item, reading));
		if (reading.problem) {
			const id = frame.newMsgId ?? '(no id)';
			const message = `${PREFIX} ${frame.event ?? frame.eventName} ${id} comes without some fields: ${reading.problem}`;
			reception.log = { level: 'warn', message };
		}
		return reception;
	}

	private withReading(item: TriggerItem, reading: EventReading | KindReading): TriggerItem {
		Object.assign(item, reading.fields);
		const thumbnail = 'thumbnail' in reading ? reading.thumbnail : undefined;
		if (thumbnail) Object.defineProperty(item, THUMBNAIL, { value: thumbnail, enumerable: false });
		return item;
	}

	private eventItem(frame: GatewayFrame): TriggerItem {
		const data = Object.fromEntries(
			Object.entries(frame.data).filter(([name]) => name !== 'EventName'),
		);
		const item: TriggerItem = { event: frame.eventName, accountWxid: this.accountWxid, data };
		if (this.filters.includeRaw) item.raw = frame.raw;
		return item;
	}

	private messageFields(frame: GatewayFrame, basics: MessageBasics): Record<string, unknown> {
		return {
			newMsgId: frame.newMsgId,
			msgId: basics.msgId,
			msgType: basics.msgType,
			chatId: basics.chatId,
			isGroup: basics.isGroup,
			senderWxid: basics.senderWxid,
			senderName: basics.senderName,
			fromSelf: basics.fromSelf,
			content: basics.content,
			mentionedMe: basics.mentionedMe,
			mentionsAll: basics.mentionsAll,
			mentions: basics.mentions,
			createTime: basics.createTime,
			createTimeUnix: basics.createTimeUnix,
			pushContent: basics.pushContent,
		};
	}

	private messageItem(
		frame: GatewayFrame,
		basics: MessageBasics,
		kind: string,
		app: AppMessage | undefined,
	): TriggerItem {
		const { newMsgId, msgId, msgType, ...rest } = this.messageFields(frame, basics);
		const item: TriggerItem = {
			event: frame.eventName,
			accountWxid: this.accountWxid,
			newMsgId,
			msgId,
			msgType,
			kind,
			...rest,
		};
		if (app) {
			item.messageXml = app.messageXml;
			item.appMsg = app.appMsg;
		}
		if (this.filters.includeRaw) item.raw = frame.raw;
		return dropUndefined(item);
	}
}

function dropUndefined(item: TriggerItem): TriggerItem {
	for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
	return item;
}
