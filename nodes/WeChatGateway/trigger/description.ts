import type { INodeProperties } from 'n8n-workflow';

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		default: ['newMessage'],
		required: true,
		description: 'Which gateway events start the workflow',
		options: [
			{
				name: 'Account Offline',
				value: 'accountOffline',
				description:
					'The account was logged out (ON_EVENT_ACCOUNT_OFFLINE); the item has `at`. Always also logged as a warning.',
			},
			{
				name: 'Contact Change',
				value: 'contactChange',
				description:
					'A contact was added, changed or removed (ON_EVENT_CONTACT_CHANGE); the item has `contact`, one item per change however often the gateway repeats it',
			},
			{
				name: 'Friend Request',
				value: 'friendRequest',
				description:
					'Someone asked to become a contact (ON_EVENT_FRIEND_REQ); the item has `fromWxid`, `fromName`, `content`, `scene`, `ticket`, `requestXml`',
			},
			{
				name: 'Group Invite',
				value: 'groupInvite',
				description:
					'Someone invited others to a group (ON_EVENT_CHATROOM_INVITE_OTHER); the item has `groupId`, `inviterWxid`, `inviterName`, `invitedWxid`, `invitedName`',
			},
			{
				name: 'Moments',
				value: 'moments',
				description: 'A new Moments post (ON_EVENT_SNS_NEW)',
			},
			{
				name: 'New Message',
				value: 'newMessage',
				description:
					'A message in a private chat or a group (ON_EVENT_MSG_NEW); media kinds carry an object named after the kind, an image its thumbnail as binary `thumbnail`',
			},
			{
				name: 'Pat',
				value: 'pat',
				description:
					'Someone "patted" the account or someone else (ON_EVENT_PAT_MSG); the item has `chatId`, `patterWxid`, `pattedWxid`, `patsMe`, `template`',
			},
		],
	},
	{
		displayName: 'Message Kinds',
		name: 'messageKinds',
		type: 'multiOptions',
		default: [],
		displayOptions: { show: { events: ['newMessage'] } },
		description: 'Only messages of these kinds. Empty: every kind.',
		options: [
			{ name: 'Channels Video', value: 'channelsVideo' },
			{ name: 'Contact Card', value: 'contactCard' },
			{ name: 'Emoji', value: 'emoji' },
			{ name: 'File', value: 'file' },
			{ name: 'Image', value: 'image' },
			{ name: 'Link', value: 'link' },
			{ name: 'Location', value: 'location' },
			{ name: 'Mini Program', value: 'miniProgram' },
			{
				name: 'Other App Message',
				value: 'otherApp',
				description: 'Any other app message (music, chat history, transfer, red packet…)',
			},
			{ name: 'Quote Reply', value: 'quote' },
			{
				name: 'System Notice',
				value: 'system',
				description: 'Joins, renames, revoked messages (MsgType 10000 and 10002)',
			},
			{ name: 'Text', value: 'text' },
			{ name: 'Video', value: 'video' },
			{ name: 'Voice', value: 'voice' },
		],
	},
	{
		displayName: 'Chats',
		name: 'chats',
		type: 'options',
		default: 'all',
		options: [
			{ name: 'All', value: 'all', description: 'Private chats and groups' },
			{ name: 'Private', value: 'private', description: 'Only one-to-one chats' },
			{ name: 'Groups', value: 'groups', description: 'Only groups (…@chatroom)' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Download Media',
				name: 'downloadMedia',
				type: 'boolean',
				default: false,
				description:
					"Whether a voice message's or a sticker's bytes come as binary `data` (as the action node's Download Media gets them; a voice message needs the credential's Media Download Folder and URL). A failed download never loses the message: the item comes with `downloadError`. Pictures, videos and files: their download call is not publicly known.",
			},
			{
				displayName: 'Group IDs',
				name: 'groupIds',
				type: 'string',
				default: '',
				placeholder: '12345678@chatroom, 87654321@chatroom',
				description:
					'Only messages from these groups (comma-separated). Private chats are not affected; use Chats for those.',
			},
			{
				displayName: 'Ignore Own Messages',
				name: 'ignoreOwnMessages',
				type: 'boolean',
				default: true,
				description:
					'Whether to skip what the account itself sends (from the phone or by a workflow). Keep it on when the workflow answers or forwards into the same chats: otherwise it receives its own sends and loops forever.',
			},
			{
				displayName: 'Include Raw Frame',
				name: 'includeRaw',
				type: 'boolean',
				default: false,
				description:
					'Whether to add the frame as received (raw), with 64-bit numbers as exact strings',
			},
			{
				displayName: 'Only When Mentioned',
				name: 'onlyWhenMentioned',
				type: 'boolean',
				default: false,
				description:
					'Whether group messages start the workflow only when they mention the account (or @all). Private chats are not affected.',
			},
			{
				displayName: 'Voice Format',
				name: 'voiceFormat',
				type: 'options',
				options: [
					{ name: 'SILK (As Received)', value: 'silk' },
					{ name: 'WAV (For Speech-to-Text)', value: 'wav' },
				],
				default: 'silk',
				description:
					"With Download Media on, how a voice message's bytes come: WeChat's own SILK (what Send Voice takes), or 24 kHz mono WAV, which transcription services (OpenAI, Whisper servers) take",
			},
		],
	},
];
