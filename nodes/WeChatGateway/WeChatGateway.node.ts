import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { nodeProperties } from './actions/description';
import { route } from './actions/router';
import type { ClientTuning } from './actions/send/sendItems';
import { credentialTestMethods, MAIN_CONNECTION, WECHAT_ICON } from './descriptionParts';

export class WeChatGateway implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeChat Gateway',
		name: 'weChatGateway',
		icon: WECHAT_ICON,
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Send WeChat texts with mentions, quote replies, link cards, Channels videos, mini programs and files through your own WeChat HTTP gateway',
		defaults: { name: 'WeChat Gateway' },
		usableAsTool: true,
		inputs: [MAIN_CONNECTION],
		outputs: [MAIN_CONNECTION],
		// The credential's name is spelled out: n8n's lint pairs it with its test by the literal.
		credentials: [
			{ name: 'weChatGatewayApi', required: true, testedBy: 'weChatGatewayConnectionTest' },
		],
		properties: nodeProperties,
	};

	methods = credentialTestMethods;

	/** n8n calls it with the execution's context as `this`. */
	execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

	/** n8n makes the node without arguments; tests may shorten the client's waits. */
	constructor(tuning: ClientTuning = {}) {
		this.execute = async function (this: IExecuteFunctions) {
			return await route.call(this, tuning);
		};
	}
}
