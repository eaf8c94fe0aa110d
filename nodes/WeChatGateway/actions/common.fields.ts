import type { INodeProperties } from 'n8n-workflow';

/** The XML of a received message, as forward, send-XML and parse operations take it. */
export const messageXmlField: INodeProperties = {
	displayName: 'Message XML',
	name: 'messageXml',
	type: 'string',
	typeOptions: { rows: 6 },
	default: '',
	required: true,
	placeholder: '<msg><appmsg appid="" sdkver="0">…</appmsg></msg>',
	description:
		'The XML of a received app message, as the gateway delivered it (the whole &lt;msg&gt; or the &lt;appmsg&gt; element alone)',
};

/** Shared by every sending operation; the node shows it for each of them (from the registry). */
export const toUserNameField: INodeProperties = {
	displayName: 'To',
	name: 'toUserName',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'wxid_a1b2c3d4e5f6, 12345678901@chatroom',
	description:
		"Who receives the message: a person's wxid (wxid_…) or custom WeChat ID, or a group (…@chatroom). Several recipients: separate them with commas or new lines, or map a list; each gets its own output item.",
};

/**
 * Shared by every sending operation, like the To field. Defaults are literals for n8n's lint; a
 * test holds them equal to OPTION_DEFAULTS.
 */
export const optionsCollection: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Check Recipients',
			name: 'checkRecipients',
			type: 'boolean',
			default: false,
			description:
				"Whether to look up each recipient at the gateway before anything is sent (cgi 182, once per recipient per run): an ID that is nobody's, or a group the account is not in, is the item's error and nothing is sent to it. Off unless set; on when the node is an AI agent's tool, where a model writes the recipient.",
		},
		{
			displayName: 'Concurrent Recipients',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 16 },
			default: 1,
			description:
				'How many messages may be in flight to the gateway at once. Only takes effect with Message Interval 0; keep 1 unless your gateway handles parallel sends.',
		},
		{
			displayName: 'Delivery Guarantee',
			name: 'delivery',
			type: 'options',
			default: 'atMostOnce',
			options: [
				{
					name: 'At Most Once',
					value: 'atMostOnce',
					description:
						'Never risk a duplicate: when the gateway may have sent a message but did not confirm (timeout, dropped connection), report an error instead of sending again',
				},
				{
					name: 'At Least Once',
					value: 'atLeastOnce',
					description:
						'Never risk a lost message: also retry when the outcome is unknown, which can deliver a message twice',
				},
			],
		},
		{
			displayName: 'Include Sent XML',
			name: 'includeXml',
			type: 'boolean',
			default: false,
			description: 'Whether to add the AppMsgXml that was sent to each output item',
		},
		{
			displayName: 'Max Recipients per Minute',
			name: 'maxRecipientsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 12,
			description:
				'At most this many different chats get a message from the account in any minute (WeChat limits accounts that message many people quickly). 0 turns the limit off.',
		},
		{
			displayName: 'Message Interval (Ms)',
			name: 'messageInterval',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description:
				'Milliseconds between two messages from the account, plus up to 30% random jitter, across all workflows that use it. About one message a second keeps the account safe; 0 turns pacing off.',
		},
		{
			displayName: 'Retries',
			name: 'retries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 2,
			description:
				'How often to try again when nothing was sent (the connection failed before the request went out) or WeChat said "too frequent" (Ret -34). Never retries a message that may have gone out, unless Delivery Guarantee is At Least Once.',
		},
		{
			displayName: 'Retry Delay (Ms)',
			name: 'retryDelay',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description:
				'Wait before the first retry; it doubles on each further retry, and is five times longer after "too frequent"',
		},
		{
			displayName: 'Skip Duplicates Within (Minutes)',
			name: 'skipDuplicatesWithin',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 1440 },
			default: 0,
			description:
				'Do not send a message identical to one this account sent to the same chat within this many minutes (a webhook called twice with one payload, a workflow run again); the output item says skippedDuplicate and carries the earlier NewMsgId. Identical means the same chat and the same content as WeChat would show it. 0 turns it off; a retry of a failed execution never resends what it sent, even at 0.',
		},
	],
};
