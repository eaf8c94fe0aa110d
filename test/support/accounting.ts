/**
 * Counts, for one run, what the gateway actually recorded against what the node reported, so
 * "lost" and "duplicated" are measured, never assumed.
 *
 * Every expected message is a slot: one input item to one recipient. A slot is accounted for when
 * - the node output a result with a NewMsgId, and the gateway recorded exactly one message for
 *   the slot, with that NewMsgId; or
 * - the node output an error item (or failed naming this item and recipient) that says the
 *   message was not sent (`notSent`, `rejected`, or an input error before any call), and the
 *   gateway recorded no message for the slot; or
 * - the node said the outcome is unknown, and the gateway recorded at most one message; or
 * - the node failed on an earlier slot (without Continue On Fail n8n stops the node there), and
 *   the gateway recorded no message for this one; or
 * - the node failed on a later slot, the gateway recorded this one once, and the failure says how
 *   many messages went out before it (n8n shows no output of a failed node), matching the gateway.
 * Anything else is a violation:
 * - lost: reported sent but the gateway has no such message; or no report at all and no message;
 * - duplicated: the gateway recorded the slot more than once (beyond what at-least-once allows);
 * - misreported: sent, but reported as not sent, or not reported at all (a retry would double it).
 */
import { appendFileSync } from 'node:fs';

import type { INodeExecutionData } from 'n8n-workflow';

import type { NodeRun } from './engine';
import type { SimMessage } from './simulators';

export interface Slot {
	itemIndex: number;
	recipient: string;
	/** The message title that marks this slot's message at the gateway. */
	title: string;
}

export type Verdict = 'ok' | 'lost' | 'duplicated' | 'misreported';

export interface SlotOutcome {
	slot: Slot;
	/** What happened, in a few words: `sent`, `replayed`, `error:rejected`, `not attempted`, … */
	outcome: string;
	verdict: Verdict;
	messagesAtGateway: number;
	detail?: string;
}

export interface Accounting {
	slots: SlotOutcome[];
	outcomes: Record<string, number>;
	lost: number;
	duplicated: number;
	misreported: number;
	/** Messages at the gateway that belong to no slot. */
	strays: number;
}

export interface AccountOptions {
	/** At-least-once may deliver a slot twice when an answer was lost; then that is not a violation. */
	allowDuplicates?: boolean;
	/** Which gateway messages belong to a slot; by default its recipient and its title. */
	belongs?: (slot: Slot, message: SimMessage) => boolean;
}

const byRecipientAndTitle = (slot: Slot, m: SimMessage) =>
	m.toUserName === slot.recipient && titleOf(m.appMsgXml) === slot.title;
/** For items whose titles are arbitrary text: every item has its own recipient. */
export const byRecipient = (slot: Slot, m: SimMessage) => m.toUserName === slot.recipient;

function titleOf(xml: string): string | undefined {
	return /<title>([^<]*)<\/title>/.exec(xml)?.[1];
}

interface NodeFailure {
	itemIndex?: number;
	recipient?: string;
	delivery?: string;
	message: string;
	/** "Sent before this error in this run: N messages", when the error says so. */
	sentBefore: number;
}

function failureOf(run: NodeRun): NodeFailure | undefined {
	const error = run.error as
		| (NodeRun['error'] & {
				context?: { itemIndex?: number };
				errorResponse?: Record<string, unknown>;
		  })
		| undefined;
	if (!error) return undefined;
	const response = error.errorResponse ?? {};
	const place = /\(item (\d+)(?:, to ([^)]+))?\)/.exec(error.message);
	return {
		itemIndex: error.context?.itemIndex ?? (place ? Number(place[1]) : undefined),
		recipient: (response.ToUserName as string | undefined) ?? place?.[2],
		delivery: response.delivery as string | undefined,
		message: error.message,
		sentBefore: Number(
			/Sent before this error in this run: (\d+) message/.exec(
				String(error.description ?? ''),
			)?.[1] ?? 0,
		),
	};
}

export function account(
	slots: Slot[],
	run: NodeRun,
	messages: SimMessage[],
	options: AccountOptions = {},
): Accounting {
	const belongs = options.belongs ?? byRecipientAndTitle;
	const failure = failureOf(run);
	const failedAt = failure
		? slots.findIndex(
				(s) =>
					s.itemIndex === failure.itemIndex &&
					(!failure.recipient || s.recipient === failure.recipient),
			)
		: -1;
	const used = new Set<SimMessage>();
	const sentBeforeFailure =
		failedAt < 0
			? 0
			: slots.slice(0, failedAt).filter((s) => messages.some((m) => belongs(s, m))).length;
	const result: SlotOutcome[] = slots.map((slot, position) => {
		const atGateway = messages.filter((m) => belongs(slot, m));
		for (const m of atGateway) used.add(m);
		const n = atGateway.length;
		const reports = run.items.filter((item: INodeExecutionData) => {
			const paired = item.pairedItem as { item: number } | undefined;
			const to = item.json.ToUserName;
			return paired?.item === slot.itemIndex && (to === undefined || to === slot.recipient);
		});
		const out = (outcome: string, verdict: Verdict, detail?: string): SlotOutcome => ({
			slot,
			outcome,
			verdict,
			messagesAtGateway: n,
			detail,
		});
		const tooMany = (outcome: string) => out(outcome, 'duplicated', `${n} messages at the gateway`);

		if (reports.length > 1)
			return out('several results', 'duplicated', `${reports.length} output items for one message`);
		if (n > 1 && !options.allowDuplicates) return tooMany('sent more than once');
		const report = reports[0]?.json;
		// A message skipped as sent by an earlier execution whose fate was unknown says
		// `delivery: unknown` without being an error: it is judged as an unknown outcome.
		if (report && report.error === undefined && report.delivery !== 'unknown') {
			if (n === 0)
				return out(
					'reported sent',
					'lost',
					'the node reported it sent, the gateway has no such message',
				);
			if (n > 1)
				return options.allowDuplicates ? out('sent (duplicate allowed)', 'ok') : tooMany('sent');
			if (atGateway[0].newMsgId !== report.NewMsgId)
				return out(
					'sent',
					'misreported',
					`NewMsgId ${String(report.NewMsgId)} ≠ ${atGateway[0].newMsgId}`,
				);
			return out('sent', 'ok');
		}
		// An error, as an output item or as the node's failure naming this slot.
		const asError =
			report ??
			(position === failedAt && failure
				? { error: failure.message, delivery: failure.delivery }
				: undefined);
		if (asError) {
			const delivery = (asError.delivery as string | undefined) ?? 'before any call';
			const outcome = `error:${delivery}`;
			if (delivery === 'unknown') {
				if (n > 1)
					return options.allowDuplicates
						? out(`${outcome} (duplicate allowed)`, 'ok')
						: tooMany(outcome);
				return out(`${outcome}, ${n ? 'was sent' : 'was not sent'}`, 'ok');
			}
			if (n > 0) return out(outcome, 'misreported', 'reported not sent, but the gateway has it');
			return out(outcome, 'ok');
		}
		if (failure && failedAt >= 0 && position < failedAt && n === 1) {
			if (failure.sentBefore !== sentBeforeFailure) {
				return out(
					'sent before the failure',
					'misreported',
					`the error says ${failure.sentBefore} sent before it, the gateway has ${sentBeforeFailure}`,
				);
			}
			return out('sent (counted in the error)', 'ok');
		}
		if (failure && failedAt >= 0 && position > failedAt) {
			if (n > 0)
				return out(
					'not attempted',
					'misreported',
					'sent after the node failed, and never reported',
				);
			return out('not attempted (node failed earlier)', 'ok');
		}
		if (n > 0)
			return out('unreported', 'misreported', 'the gateway has it, the node never reported it');
		return out('missing', 'lost', 'neither sent nor reported');
	});
	const outcomes: Record<string, number> = {};
	for (const r of result) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
	const count = (v: Verdict) => result.filter((r) => r.verdict === v).length;
	return {
		slots: result,
		outcomes,
		lost: count('lost'),
		duplicated: count('duplicated'),
		misreported: count('misreported'),
		strays: messages.filter((m) => !used.has(m)).length,
	};
}

export interface CaseRecord {
	/** The fault or input class, as the table shows it. */
	name: string;
	group: string;
	cases: number;
	outcomes: Record<string, number>;
	lost: number;
	duplicated: number;
	misreported: number;
	/** Duplicates the user opted in to (at-least-once); shown, not counted as violations. */
	allowedDuplicates?: number;
	/** Lines printed under the row, e.g. the time each hostile document took. */
	notes?: string[];
}

/** Adds a row to the fault table when `npm run test:faults` collects one (FAULTS_REPORT). */
export function recordCase(record: CaseRecord): void {
	const file = process.env.FAULTS_REPORT;
	if (file) appendFileSync(file, `${JSON.stringify(record)}\n`);
}

/** Records an accounting under `name` and returns it, for the test's own assertions. */
export function recordAccounting(
	group: string,
	name: string,
	accounting: Accounting,
	extra: Partial<CaseRecord> = {},
): Accounting {
	recordCase({
		group,
		name,
		cases: accounting.slots.length,
		outcomes: accounting.outcomes,
		lost: accounting.lost,
		duplicated: accounting.duplicated + accounting.strays,
		misreported: accounting.misreported,
		...extra,
	});
	return accounting;
}

/** Jest-friendly: the violations, listed, so a failure says which slot and why. */
export function violations(accounting: Accounting): string[] {
	const list = accounting.slots
		.filter((s) => s.verdict !== 'ok')
		.map(
			(s) =>
				`item ${s.slot.itemIndex} → ${s.slot.recipient}: ${s.verdict} (${s.outcome}${s.detail ? `; ${s.detail}` : ''})`,
		);
	if (accounting.strays)
		list.push(`${accounting.strays} message(s) at the gateway belong to no input item`);
	return list;
}
