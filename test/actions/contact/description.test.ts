/**
 * The editor and the AI Agent tool: each new operation shows its own fields under its resource,
 * and its descriptions tell a model to pass ids (never names) and where to take them from.
 */
import type { INodeProperties } from 'n8n-workflow';

import { findOperation } from '../../../nodes/WeChatGateway/actions/registry';
import { WeChatGateway } from '../../../nodes/WeChatGateway/WeChatGateway.node';

const { properties } = new WeChatGateway().description;

const shown = (resource: string, operation: string) =>
	properties
		.filter((property: INodeProperties) =>
			Object.entries(property.displayOptions?.show ?? {}).every(([key, values]) =>
				(values as unknown[]).includes(key === 'resource' ? resource : operation),
			),
		)
		.map((property) => property.name);

const NEW_OPERATIONS: Array<[string, string, string[]]> = [
	['contact', 'get', ['wxids']],
	['group', 'get', ['groupId']],
	['group', 'getMembers', ['groupId']],
	['group', 'removeMembers', ['groupId', 'wxids']],
	['message', 'revoke', ['toUserName', 'newMsgId', 'msgId']],
	['message', 'pat', ['chatId', 'wxid']],
];

test.each(NEW_OPERATIONS)(
	'%s → %s shows its fields, To only where it names a chat',
	(resource, operation, fields) => {
		expect(shown(resource, operation)).toEqual(['resource', 'operation', ...fields, 'options']);
	},
);

test.each(NEW_OPERATIONS)(
	'%s → %s tells a model what to pass: ids, never names, and where they come from',
	(resource, operation) => {
		const found = findOperation(resource, operation)!;
		expect(found.option.description).toMatch(/cgi \d+/);
		for (const field of found.properties) {
			const description = String(field.description);
			expect([field.name, description]).toEqual([
				field.name,
				expect.stringMatching(/never|NewMsgId|MsgId/),
			]);
			expect([field.name, description]).toEqual([
				field.name,
				expect.stringMatching(/trigger's|output of the node|sending node/),
			]);
		}
	},
);
