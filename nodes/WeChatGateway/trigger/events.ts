import { AppMsgInputError } from '../appmsg/model';
import {
	accountOfflineFields,
	contactChangeFields,
	friendRequestFields,
	groupInviteFields,
	patFields,
} from '../received/events';
import type { RecentChanges } from '../received/recentChanges';
import type { GatewayFrame } from './frame';

/** What an event frame adds to its item, or that it repeats a change already emitted. */
export interface EventReading {
	fields: Record<string, unknown>;
	/** A contact change reported again within the window: not emitted. */
	repeated?: boolean;
	/** Why a field could not be read (the event still comes, without it). */
	problem?: string;
}

/** The reason an XML reader refused its input, without quoting anything a stranger wrote. */
export function refusalReason(error: unknown): string {
	return error instanceof AppMsgInputError ? error.message : 'unreadable';
}

/**
 * The named fields of the trigger's events other than new messages. `recentChanges` is the
 * activation's own memory of contact changes, so repeats of one change are emitted once.
 */
export function readEvent(
	frame: GatewayFrame,
	accountWxid: string,
	recentChanges: RecentChanges,
	now: () => number,
): EventReading {
	switch (frame.event) {
		case 'pat':
			return { fields: { ...patFields(frame.data, accountWxid) } };
		case 'contactChange': {
			const { contact, dedupeKey } = contactChangeFields(frame.data);
			return { fields: { contact }, repeated: !recentChanges.isNew(dedupeKey) };
		}
		case 'groupInvite':
			return { fields: { ...groupInviteFields(frame.data) } };
		case 'friendRequest':
			try {
				return { fields: { ...friendRequestFields(frame.data) } };
			} catch (error) {
				return { fields: {}, problem: `its request XML was refused: ${refusalReason(error)}` };
			}
		case 'accountOffline':
			return { fields: { ...accountOfflineFields(new Date(now())) } };
		default:
			return { fields: {} };
	}
}
