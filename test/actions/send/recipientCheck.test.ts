/**
 * Where Check Recipients shows in the editor: under Options of every operation that takes a To
 * (from the registry), and nowhere else; and how its default depends on the node being a tool.
 */
import type { INodeProperties } from 'n8n-workflow';

import { nodeProperties } from '../../../nodes/WeChatGateway/actions/description';
import { offeredResources } from '../../../nodes/WeChatGateway/actions/registry';
import { runsAsTool } from '../../../nodes/WeChatGateway/actions/send/recipientCheck';
import { readSendOptions } from '../../../nodes/WeChatGateway/delivery/options';

test('Check Recipients is offered for exactly the operations with a To', () => {
	for (const { value, operations } of offeredResources) {
		const addressed = operations
			.filter((operation) => operation.sends && operation.addressed !== false)
			.map((operation) => operation.option.value);
		const collection = nodeProperties.find(
			(property) =>
				property.name === 'options' && property.displayOptions?.show?.resource?.includes(value),
		);
		const option = (collection?.options as INodeProperties[] | undefined)?.find(
			(entry) => entry.name === 'checkRecipients',
		);
		if (addressed.length === 0) expect([value, option]).toEqual([value, undefined]);
		else expect(option?.displayOptions).toEqual({ show: { '/operation': addressed } });
	}
	expect(
		offeredResources.find(({ value }) => value === 'message')?.operations.length,
	).toBeGreaterThan(0);
});

test('off unless set in a workflow; on unless set as an AI tool; an explicit value always wins', () => {
	expect(readSendOptions({}).checkRecipients).toBe(false);
	expect(readSendOptions({}, { asTool: true }).checkRecipients).toBe(true);
	expect(readSendOptions({ checkRecipients: false }, { asTool: true }).checkRecipients).toBe(false);
	expect(readSendOptions({ checkRecipients: true }).checkRecipients).toBe(true);
});

test("a node is a tool when its type is a node's tool form, as n8n names it", () => {
	expect(runsAsTool({ type: 'n8n-nodes-wechat-gateway.weChatGatewayTool' })).toBe(true);
	expect(runsAsTool({ type: 'n8n-nodes-wechat-gateway.weChatGateway' })).toBe(false);
});
