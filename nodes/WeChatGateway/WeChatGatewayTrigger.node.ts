import type {
	ITriggerFunctions,
	INodeType,
	INodeTypeDescription,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { credentialTestMethods, MAIN_CONNECTION, WECHAT_ICON } from './descriptionParts';
import { startTrigger } from './trigger/activate';
import { triggerProperties } from './trigger/description';

export class WeChatGatewayTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeChat Gateway Trigger',
		name: 'weChatGatewayTrigger',
		icon: WECHAT_ICON,
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description:
			"Starts the workflow when your WeChat account receives a message, through your own WeChat HTTP gateway's WebSocket",
		defaults: { name: 'WeChat Gateway Trigger' },
		inputs: [],
		outputs: [MAIN_CONNECTION],
		// Same credential and test as the action node, so the credential can be tested from either.
		credentials: [
			{ name: 'weChatGatewayApi', required: true, testedBy: 'weChatGatewayConnectionTest' },
		],
		eventTriggerDescription: 'Waiting for a message to the WeChat account',
		activationMessage: 'Your workflow now starts on every matching WeChat message.',
		properties: triggerProperties,
	};

	methods = credentialTestMethods;

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		try {
			return await startTrigger(this);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error);
		}
	}
}
