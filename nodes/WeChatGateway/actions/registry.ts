import { getLoginQrCode } from './account/getLoginQrCode.operation';
import { getAccountStatus } from './account/getStatus.operation';
import { requestLogin } from './account/requestLogin.operation';
import { getContact } from './contact/get.operation';
import { getGroup } from './group/get.operation';
import { getGroupMembers } from './group/getMembers.operation';
import { removeGroupMembers } from './group/removeMembers.operation';
import { appMsgKinds } from './message/appMsgKinds';
import { callGatewayCommand } from './message/callGatewayCommand.operation';
import { downloadMedia } from './message/downloadMedia.operation';
import { parseAppMsgXml } from './message/parseAppMsgXml.operation';
import { pat } from './message/pat.operation';
import { replyWithQuote } from './message/replyWithQuote.operation';
import { revokeMessage } from './message/revoke.operation';
import { sendEmoji } from './message/sendEmoji.operation';
import { sendFile } from './message/sendFile.operation';
import { sendImage } from './message/sendImage.operation';
import { sendText } from './message/sendText.operation';
import { sendVoice } from './message/sendVoice.operation';
import type { Operation } from './operation';

/**
 * Resource -> its operations, in the editor's order. A new operation is its file and one line
 * here (an app-message kind: one line in message/appMsgKinds.ts). A resource without operations
 * is not offered in the editor. The first operation of a resource is its default, so `sendLink`
 * stays the default of `message` that workflows saved without an operation rely on.
 */
export const resources = {
	message: {
		name: 'Message',
		operations: [
			...appMsgKinds,
			parseAppMsgXml,
			sendText,
			replyWithQuote,
			sendImage,
			sendVoice,
			sendEmoji,
			sendFile,
			downloadMedia,
			revokeMessage,
			pat,
			callGatewayCommand,
		],
	},
	contact: { name: 'Contact', operations: [getContact] },
	group: { name: 'Group', operations: [getGroup, getGroupMembers, removeGroupMembers] },
	account: { name: 'Account', operations: [getAccountStatus, requestLogin, getLoginQrCode] },
} satisfies Record<string, { name: string; operations: readonly Operation[] }>;

export type ResourceName = keyof typeof resources;

/** What workflows saved without a `resource` parameter meant. */
export const DEFAULT_RESOURCE: ResourceName = 'message';

/** The resources the editor offers: those with at least one operation. */
export const offeredResources = (
	Object.entries(resources) as Array<
		[ResourceName, { name: string; operations: readonly Operation[] }]
	>
)
	.filter(([, resource]) => resource.operations.length > 0)
	.map(([value, resource]) => ({ value, name: resource.name, operations: resource.operations }));

/** The operation a resource and operation value name, if any. */
export function findOperation(resource: string, operation: string): Operation | undefined {
	return offeredResources
		.find((entry) => entry.value === resource)
		?.operations.find((entry) => entry.option.value === operation);
}
