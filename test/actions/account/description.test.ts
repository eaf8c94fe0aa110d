/**
 * The editor and the AI Agent tool for the account: the resource shows its three operations,
 * each tells a model that it acts on the credential's own account and what (if anything) it needs.
 */
import type { INodeProperties } from 'n8n-workflow';

import { findOperation, offeredResources } from '../../../nodes/WeChatGateway/actions/registry';
import { WeChatGateway } from '../../../nodes/WeChatGateway/WeChatGateway.node';

const { description } = new WeChatGateway();

const shown = (operation: string) =>
	description.properties
		.filter((property: INodeProperties) =>
			Object.entries(property.displayOptions?.show ?? {}).every(([key, values]) =>
				(values as unknown[]).includes(key === 'resource' ? 'account' : operation),
			),
		)
		.map((property) => property.name);

test('the Account resource is offered with Get Status, Request Login and Get Login QR Code', () => {
	const account = offeredResources.find((resource) => resource.value === 'account');
	expect(account?.operations.map((operation) => operation.option.value)).toEqual([
		'getStatus',
		'requestLogin',
		'getLoginQrCode',
	]);
	expect(description.usableAsTool).toBe(true);
});

test.each([
	['getStatus', []],
	['requestLogin', []],
	['getLoginQrCode', ['binaryPropertyName']],
])('account → %s shows its fields and no To', (operation, fields) => {
	expect(shown(operation)).toEqual(['resource', 'operation', ...fields, 'options']);
});

test.each(['getStatus', 'requestLogin', 'getLoginQrCode'])(
	"account → %s tells a model it acts on the credential's account, names its gateway page, and needs no input",
	(operation) => {
		const { option, properties } = findOperation('account', operation)!;
		expect(option.description).toMatch(/credential's account/);
		expect(option.description).toMatch(/GET \/v2\/(wechatinfo|login\/\w+)/);
		expect(option.description).toMatch(/needs no input/);
		for (const field of properties) expect(String(field.description)).toMatch(/binary property/);
	},
);
