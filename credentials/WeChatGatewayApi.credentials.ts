import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import type { CREDENTIAL_NAME } from '../nodes/WeChatGateway/credentialName';

/**
 * The gateway a WeChat account is logged in to, and which account sends. The credential test
 * lives on the node (`methods.credentialTest.weChatGatewayConnectionTest`) because proving that
 * a server is the gateway, without sending anything, takes more than one declarative request.
 */
export class WeChatGatewayApi implements ICredentialType {
	// Spelled out for n8n's lint, which reads the literal; the type ties it to the one home.
	name: typeof CREDENTIAL_NAME = 'weChatGatewayApi';

	displayName = 'WeChat Gateway API';

	icon: Icon = {
		light: 'file:../nodes/WeChatGateway/wechat.svg',
		dark: 'file:../nodes/WeChatGateway/wechat.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-wechat-gateway/n8n-nodes-wechat-gateway#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Gateway Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'http://127.0.0.1:8080',
			description:
				'Where your WeChat HTTP gateway listens (http or https). A path prefix such as https://proxy.example.com/wechat works; the node appends /v2/api.',
		},
		{
			displayName: 'Sending Account wxid',
			name: 'wxid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'wxid_a1b2c3d4e5f6',
			description:
				'The WeChat ID (wxid) of the account logged in to the gateway that sends the messages. Sent as the wxid query parameter of every call.',
		},
		{
			displayName: 'WebSocket URL',
			name: 'webSocketUrl',
			type: 'string',
			default: '',
			placeholder: 'ws://127.0.0.1:8080/ws',
			description:
				'Where the WeChat Gateway Trigger receives messages (ws or wss). Leave empty to use the Gateway Base URL with ws:// or wss:// and /ws. Give it outright when the gateway serves its socket on a port of its own. The header authentication and the SSL setting below apply to it too. The credential test opens this socket and closes it again, sending nothing.',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			default: 'none',
			options: [
				{
					name: 'None',
					value: 'none',
					description:
						'The gateway is reachable only by n8n (e.g. on localhost or a private network)',
				},
				{
					name: 'Header',
					value: 'header',
					description: 'A reverse proxy in front of the gateway checks a header',
				},
			],
		},
		{
			displayName: 'Header Name',
			name: 'authHeaderName',
			type: 'string',
			default: 'Authorization',
			required: true,
			displayOptions: { show: { authentication: ['header'] } },
			description: 'Name of the header your reverse proxy checks, e.g. Authorization or X-API-Key',
		},
		{
			displayName: 'Header Value',
			name: 'authHeaderSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['header'] } },
			description:
				'The secret the proxy expects, e.g. "Bearer abc123". Never shown in errors or outputs.',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 300 },
			default: 10,
			description:
				'How long the gateway waits for WeChat (sent as the timeout query parameter). n8n waits a few seconds longer for the gateway to answer.',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description:
				"Whether to connect even if the gateway's HTTPS certificate cannot be verified (self-signed)",
		},
		// A Redis URL carries the Redis password (redis://:password@host:6379/0).
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Coordination Redis URL',
			name: 'coordinationRedisUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'redis://127.0.0.1:6379/0',
			description:
				"Only for n8n in queue mode (several workers): the Redis where all workers share this account's pace and what each node run already sent, usually the Redis of the queue. Leave empty for a single n8n process. When it is set and Redis does not answer within 5 seconds, messages fail without being sent.",
		},
		{
			displayName: 'Media Download Folder',
			name: 'mediaDownloadFolder',
			type: 'string',
			default: '',
			placeholder: '/srv/wechat-media',
			description:
				'Only for downloading voice messages (Download Media): a folder on the gateway host where the gateway writes each file it downloads; the node picks the file names. Serve this folder over HTTP and give its address in Media Download URL.',
		},
		{
			displayName: 'Media Download URL',
			name: 'mediaDownloadUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8081/media',
			description:
				'Only for downloading voice messages: where the Media Download Folder is served over HTTP, so that n8n can read the file the gateway wrote. You set this server up, so it may be on your own network.',
		},
		{
			displayName: 'Allow Private Media URLs',
			name: 'allowPrivateMediaUrls',
			type: 'boolean',
			default: false,
			description:
				"Whether Download Media may fetch a URL taken from a received message (a sticker's cdnurl) that points at loopback, a private network or a cloud metadata address. Off, such a URL is refused: a stranger's message could otherwise make n8n read from your own network. Turn it on only for a gateway simulator or a media mirror on your network.",
		},
	];
}
