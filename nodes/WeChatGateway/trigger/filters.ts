import { GATEWAY_EVENTS, type TriggerEvent } from './frame';
import { MESSAGE_KINDS, type MessageKind } from './message';

export type ChatScope = 'all' | 'private' | 'groups';

export interface TriggerFilters {
	events: ReadonlySet<TriggerEvent>;
	/** Empty: every kind. */
	messageKinds: ReadonlySet<MessageKind>;
	chats: ChatScope;
	/** Empty: every group. */
	groupIds: ReadonlySet<string>;
	onlyWhenMentioned: boolean;
	ignoreOwnMessages: boolean;
	includeRaw: boolean;
}

/** A trigger parameter that cannot work; `parameter` is its name in the node. */
export class TriggerParameterError extends Error {
	constructor(
		readonly parameter: string,
		message: string,
	) {
		super(message);
		this.name = 'TriggerParameterError';
	}
}

export interface TriggerParameters {
	events?: unknown;
	messageKinds?: unknown;
	chats?: unknown;
	options?: {
		groupIds?: unknown;
		onlyWhenMentioned?: unknown;
		ignoreOwnMessages?: unknown;
		includeRaw?: unknown;
	};
}

function listOf<T extends string>(
	value: unknown,
	allowed: readonly T[],
	parameter: string,
): Set<T> {
	const values = value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];
	for (const entry of values) {
		if (!allowed.includes(entry as T)) {
			throw new TriggerParameterError(
				parameter,
				`"${parameter}" has "${String(entry).slice(0, 60)}"; expected one of ${allowed.join(', ')}`,
			);
		}
	}
	return new Set(values as T[]);
}

/** Group ids as typed: comma, space or line separated; each must be a …@chatroom id. */
export function groupIdsFrom(value: unknown): Set<string> {
	const raw = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
	const ids = raw
		.split(/[\s,;]+/)
		.map((id) => id.trim())
		.filter(Boolean);
	for (const id of ids) {
		if (!/^[A-Za-z0-9_.-]{1,120}@chatroom$/.test(id)) {
			throw new TriggerParameterError(
				'groupIds',
				`"Group IDs" has "${id.slice(0, 60)}", which is not a group ID (expected e.g. 12345678@chatroom)`,
			);
		}
	}
	return new Set(ids);
}

export function triggerFiltersFrom(parameters: TriggerParameters): TriggerFilters {
	const events = listOf(
		parameters.events ?? ['newMessage'],
		Object.keys(GATEWAY_EVENTS) as TriggerEvent[],
		'events',
	);
	if (events.size === 0) {
		throw new TriggerParameterError('events', '"Events" is empty: choose at least one event');
	}
	const chats = parameters.chats ?? 'all';
	if (chats !== 'all' && chats !== 'private' && chats !== 'groups') {
		throw new TriggerParameterError('chats', '"Chats" must be all, private or groups');
	}
	const options = parameters.options ?? {};
	return {
		events,
		messageKinds: listOf(parameters.messageKinds, MESSAGE_KINDS, 'messageKinds'),
		chats,
		groupIds: groupIdsFrom(options.groupIds),
		onlyWhenMentioned: options.onlyWhenMentioned === true,
		ignoreOwnMessages: options.ignoreOwnMessages !== false,
		includeRaw: options.includeRaw === true,
	};
}
