import { messageKinds } from './kinds';
import type { Operation } from './operation';
import { parseAppMsgXml } from './parseAppMsgXml.operation';

/**
 * Operation value -> operation, in the editor's order. A new message kind is its file and one
 * line in kinds.ts; any other operation is its file and one line here.
 */
export const operations: Record<string, Operation> = Object.fromEntries(
	[...messageKinds, parseAppMsgXml].map((operation) => [operation.option.value, operation]),
);

/** The operations that call the gateway: the To field and the Options show for these. */
export const sendingOperationNames = Object.values(operations)
	.filter((operation) => operation.sends)
	.map((operation) => operation.option.value);
