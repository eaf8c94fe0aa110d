import type { INode } from 'n8n-workflow';

import { AppMsgInputError } from '../../inputError';
import type { GatewayClient } from '../../transport/client';
import { CGI, isGroupId } from '../../wechat';
import { toUserNameField } from '../common.fields';
import {
	CONTACTS_PER_CALL,
	contactInfoCall,
	matchContacts,
	membersOf,
	readContacts,
	type Contact,
} from '../contactInfo';
import type { ParameterReader } from '../operation';
import { parseRecipients } from '../recipients';

/**
 * Whether the node runs as an AI agent's tool. n8n makes the tool form of a node that declares
 * `usableAsTool` as its own node type, named after it with `Tool` appended.
 */
export function runsAsTool(node: Pick<INode, 'type'>): boolean {
	return node.type.endsWith('Tool');
}

/** The gateway could not say who a recipient is; nothing is sent to an unchecked recipient. */
export class RecipientCheckError extends Error {
	constructor(cause: unknown) {
		const reason = cause instanceof Error ? cause.message : String(cause);
		super(
			`The recipients could not be checked (cgi ${CGI.getContact}), so nothing was sent: ${reason}`,
		);
		this.name = 'RecipientCheckError';
	}
}

function notAContact(wxid: string): AppMsgInputError {
	return new AppMsgInputError(
		`"To" has ${wxid}, which is not a contact of this account (cgi ${CGI.getContact} knows no one by that ID): use an ID from the trigger's chatId or senderWxid, never a name or a guess`,
		'To',
	);
}

function notInGroup(groupId: string, why: string): AppMsgInputError {
	return new AppMsgInputError(
		`"To" has ${groupId}, but the account is not in group ${groupId} (${why}): use the chatId of a group message the account received, never a guess`,
		'To',
	);
}

/**
 * "Check Recipients": before a message goes out, its recipient is looked up with cgi 182, each
 * distinct recipient once per run, many to a call, unpaced (a read sends nothing to anyone). A
 * person must be a contact the gateway knows; a group must list the account among its members.
 * A look-up that fails leaves its recipients unchecked, and so not sent to.
 */
export class RecipientCheck {
	/** Each recipient looked up this run: why it may not be sent to, or undefined when it may. */
	private readonly verdicts = new Map<string, Error | undefined>();

	constructor(private readonly client: GatewayClient) {}

	/**
	 * Looks up every recipient the run's items name in To, before the first is sent. An item whose
	 * To does not read is left out: preparing it reports its error as usual.
	 */
	async lookUpRun(readerFor: (itemIndex: number) => ParameterReader, count: number) {
		const recipients = new Set<string>();
		for (let itemIndex = 0; itemIndex < count; itemIndex++) {
			try {
				for (const recipient of parseRecipients(readerFor(itemIndex).get(toUserNameField.name)))
					recipients.add(recipient);
			} catch {
				continue;
			}
		}
		await this.lookUp(recipients);
	}

	/** The first of an item's recipients that may not be sent to, and why; undefined when all may. */
	async refusal(
		recipients: readonly string[],
	): Promise<{ recipient: string; error: Error } | undefined> {
		await this.lookUp(recipients);
		for (const recipient of recipients) {
			const error = this.verdicts.get(recipient);
			if (error) return { recipient, error };
		}
		return undefined;
	}

	/** Asks the gateway about the recipients not looked up yet, CONTACTS_PER_CALL to a call. */
	private async lookUp(recipients: Iterable<string>): Promise<void> {
		const asked = [...new Set(recipients)].filter((id) => id !== '' && !this.verdicts.has(id));
		for (let start = 0; start < asked.length; start += CONTACTS_PER_CALL) {
			const batch = asked.slice(start, start + CONTACTS_PER_CALL);
			try {
				const { contacts } = readContacts(await this.client.callCgi(contactInfoCall(batch)));
				for (const { wxid, contact } of matchContacts(batch, contacts))
					this.verdicts.set(wxid, this.judge(wxid, contact));
			} catch (error) {
				const failure = new RecipientCheckError(error);
				for (const wxid of batch) this.verdicts.set(wxid, failure);
			}
		}
	}

	private judge(wxid: string, contact: Contact | undefined): Error | undefined {
		if (!isGroupId(wxid)) return contact ? undefined : notAContact(wxid);
		if (!contact) return notInGroup(wxid, `cgi ${CGI.getContact} knows no group by that ID`);
		const own = this.client.settings.wxid;
		try {
			const members = membersOf(wxid, contact);
			return members.some((member) => member.Wxid === own)
				? undefined
				: notInGroup(wxid, `${own} is not among its members`);
		} catch (error) {
			return new RecipientCheckError(error);
		}
	}
}
