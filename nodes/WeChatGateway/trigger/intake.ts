import type { SeenIdsStore } from '../coordination/store';
import type { ExecutionQueue } from './executionQueue';
import type { TriggerItem } from './receiver';

const PREFIX = 'WeChat Gateway Trigger:';

export interface IntakeOptions {
	executions: ExecutionQueue<TriggerItem>;
	/** Asked before an item with an id is queued: did another n8n process emit it already? */
	seenIds?: SeenIdsStore;
	/** The store's scope: one account, one workflow, one trigger node. */
	scope: string;
	keepMs: number;
	/** Takes back the memory of a dropped item's id, so the gateway's resend of it is emitted. */
	forget: (newMsgId: string) => void;
	log: (level: 'debug' | 'info' | 'warn', message: string) => void;
}

const short = (error: unknown) => String((error as Error)?.message ?? error).slice(0, 200);

/**
 * Items from the receiver into the execution queue, in the socket's order, never more than the
 * queue takes: items still waiting for the store's answer count against its room, so an item the
 * store has marked as emitted always finds a place, and one that is dropped was never marked.
 */
export class ItemIntake {
	private awaitingStore = 0;
	private inOrder: Promise<void> = Promise.resolve();
	private dropped = 0;
	private closed = false;

	constructor(private readonly options: IntakeOptions) {}

	accept(item: TriggerItem): void {
		if (this.closed) return;
		const { executions, seenIds } = this.options;
		if (executions.room - this.awaitingStore <= 0) return this.drop(item);
		const id = item.newMsgId;
		if (!seenIds || typeof id !== 'string') return this.enqueue(item);
		this.awaitingStore++;
		// Asked at once rather than one after another: a store that is slow to answer delays a
		// burst by one answer, not by one answer per frame.
		const asked = seenIds
			.firstSighting(this.options.scope, id, this.options.keepMs)
			.catch((error: unknown) => {
				// This process's own memory still holds; a store outage must not lose messages.
				this.options.log(
					'warn',
					`${PREFIX} the coordination store did not answer (${short(error)}); message ${id} is emitted without asking other processes`,
				);
				return true;
			});
		this.inOrder = this.inOrder.then(async () => {
			const first = await asked;
			this.awaitingStore--;
			if (this.closed) return;
			if (first) this.enqueue(item);
			else
				this.options.log(
					'debug',
					`${PREFIX} message ${id} was already emitted by another n8n process`,
				);
		});
	}

	/** Nothing is queued after this, and nothing is reported as dropped. */
	close(): void {
		this.closed = true;
	}

	/** Settles once every item accepted so far is queued, dropped or found emitted elsewhere. */
	async settled(): Promise<void> {
		await this.inOrder;
	}

	private enqueue(item: TriggerItem): void {
		const { executions } = this.options;
		if (executions.push(item)) {
			if (this.dropped > 0) {
				this.options.log(
					'info',
					`${PREFIX} executions caught up; ${this.dropped} messages were dropped while they were behind`,
				);
				this.dropped = 0;
			}
			return;
		}
		if (this.closed || executions.isClosed) return;
		this.drop(item);
	}

	private drop(item: TriggerItem): void {
		if (typeof item.newMsgId === 'string') this.options.forget(item.newMsgId);
		this.dropped++;
		if (this.dropped > 1) return;
		this.options.log(
			'warn',
			`${PREFIX} ${this.options.executions.queued} messages are waiting for executions; newer ones are dropped until n8n catches up (the gateway's resend of one is emitted)`,
		);
	}
}
