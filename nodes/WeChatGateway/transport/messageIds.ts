/**
 * Where a gateway build puts the ids of a message it sent. cgi 222 answers a flat
 * `ResponseData: { NewMsgId, ClientMsgId }`; cgi 522 (send text) answers that on some builds and
 * WeChat's own list of per-recipient results on others:
 * `ResponseData: { Count: 1, List: [{ Ret, ToUsetName: { string }, MsgId, ClientMsgid, NewMsgId, … }] }`.
 * Spellings vary between builds (`ClientMsgid`, `Newmsgid`, `newMsgId`), so each id is looked for
 * under every name public clients have met. Values arrive from the lossless JSON reader: 64-bit
 * ids are strings of digits already, smaller ones numbers.
 */
export interface FoundMessageIds {
	newMsgId?: string;
	/** The 32-bit id a revoke needs besides NewMsgId, when the answer has one. */
	msgId?: number;
	clientMsgId?: string;
	/** The per-recipient `Ret` of a list-shaped answer, when it has one. */
	entryRet?: number;
	/** Which shape the ids came from, for the output's honesty about what it read. */
	shape: 'flat' | 'list' | 'none';
}

const NEW_MSG_ID_NAMES = ['NewMsgId', 'Newmsgid', 'newMsgId', 'NewMsgID', 'newmsgid'];
const CLIENT_MSG_ID_NAMES = [
	'ClientMsgId',
	'ClientMsgid',
	'clientMsgId',
	'NewClientMsgid',
	'ClientMsgID',
	'clientmsgid',
];
const MSG_ID_NAMES = ['MsgId', 'Msgid', 'msgId', 'MsgID', 'msgid'];
const LIST_NAMES = ['List', 'list', 'MsgResponseList', 'msgResponseList'];

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function firstPresent(object: JsonObject, names: readonly string[]): unknown {
	for (const name of names)
		if (object[name] !== undefined && object[name] !== null) return object[name];
	return undefined;
}

/** A message id as exact digits; 0, fractions and anything not an integer are no id at all. */
function idDigits(value: unknown): string | undefined {
	if (typeof value === 'number') {
		return Number.isSafeInteger(value) && value !== 0 ? String(value) : undefined;
	}
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim()) && !/^-?0+$/.test(value.trim()))
		return value.trim();
	return undefined;
}

function clientIdText(value: unknown): string | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
	if (typeof value === 'string' && value !== '') return value;
	if (isObject(value) && typeof value.string === 'string' && value.string !== '')
		return value.string;
	return undefined;
}

/** A 32-bit MsgId as a number; anything else is no id at all. */
function msgIdOf(value: unknown): number | undefined {
	const id = typeof value === 'string' && /^\d{1,10}$/.test(value.trim()) ? Number(value) : value;
	return typeof id === 'number' && Number.isInteger(id) && id > 0 && id <= 0xffffffff
		? id
		: undefined;
}

function idsOf(entry: JsonObject): { newMsgId?: string; clientMsgId?: string; msgId?: number } {
	const msgId = msgIdOf(firstPresent(entry, MSG_ID_NAMES));
	return {
		newMsgId: idDigits(firstPresent(entry, NEW_MSG_ID_NAMES)),
		clientMsgId: clientIdText(firstPresent(entry, CLIENT_MSG_ID_NAMES)),
		...(msgId !== undefined ? { msgId } : {}),
	};
}

/** The MsgId of a sent message's answer, flat or in its list, when the gateway gave one. */
export function findMsgId(responseData: unknown): number | undefined {
	return findMessageIds(responseData).msgId;
}

function listOf(data: JsonObject): JsonObject[] | undefined {
	for (const name of LIST_NAMES) {
		const value = data[name];
		if (Array.isArray(value)) return value.filter(isObject);
	}
	// Builds that name the list differently still hold one array of per-recipient objects.
	for (const value of Object.values(data)) {
		if (Array.isArray(value) && value.some(isObject)) return value.filter(isObject);
	}
	return undefined;
}

/** The ids of the (single) message an answer's `ResponseData` reports, whichever shape it has. */
export function findMessageIds(responseData: unknown): FoundMessageIds {
	if (!isObject(responseData)) return { shape: 'none' };
	const flat = idsOf(responseData);
	if (flat.newMsgId !== undefined) return { ...flat, shape: 'flat' };
	const entries = listOf(responseData);
	const entry = entries?.[0];
	if (entry) {
		const found = idsOf(entry);
		const ret = entry.Ret ?? entry.ret;
		const entryRet =
			typeof ret === 'number' && Number.isInteger(ret)
				? ret
				: typeof ret === 'string' && /^-?\d+$/.test(ret)
					? Number(ret)
					: undefined;
		if (found.newMsgId !== undefined || entryRet !== undefined)
			return { ...found, entryRet, shape: 'list' };
	}
	return { clientMsgId: flat.clientMsgId, shape: 'none' };
}
