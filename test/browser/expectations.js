// @ts-check
'use strict';
/**
 * What the node panel must show for each operation: the top-level parameters by name (the
 * saved-workflow contract), in any order. A collection has no input of its own, so it is
 * known by its label (COLLECTION_LABELS). `hidden` lists parameters that other operations show
 * and that must not appear here (already implied by `shown` being exact; spelled out because
 * these are the ones that would leak).
 */

/** Label of a parameter without an input of its own -> its name. */
const COLLECTION_LABELS = {
	'Additional Fields': 'additionalFields',
	'Override Fields': 'overrides',
	Options: 'options',
};

const XML_SOURCE = 'Received Message XML';
const FIELDS_SOURCE = 'Fields';

/** The forward operations' state with Source = Received Message XML. */
const fromXml = (value, fieldNames) => ({
	source: XML_SOURCE,
	screenshot: value,
	shown: ['operation', 'toUserName', 'source', 'messageXml', 'overrides', 'options'],
	hidden: [...fieldNames, 'additionalFields'],
});

const fromFields = (value, fieldNames) => ({
	source: FIELDS_SOURCE,
	screenshot: `${value}-fields`,
	shown: ['operation', 'toUserName', 'source', ...fieldNames, 'additionalFields', 'options'],
	hidden: ['messageXml', 'overrides'],
});

const channelsFields = [
	'objectId',
	'objectNonceId',
	'username',
	'nickname',
	'avatar',
	'description',
	'mediaUrl',
	'thumbUrl',
];
const miniProgramFields = ['title', 'appId', 'username', 'pagePath', 'displayName', 'iconUrl'];
const fileFields = ['fileName', 'fileSize', 'attachId', 'cdnAttachUrl', 'aesKey', 'md5'];

/**
 * @type {Array<{ value: string, name: string, states: Array<{ source?: string, screenshot: string, shown: string[], hidden: string[] }> }>}
 */
const OPERATIONS = [
	{
		value: 'sendLink',
		name: 'Send Link',
		states: [
			{
				screenshot: 'sendLink',
				shown: [
					'operation',
					'toUserName',
					'title',
					'url',
					'description',
					'thumbUrl',
					'additionalFields',
					'options',
				],
				hidden: ['source', 'messageXml', 'overrides', 'fileName', 'objectId'],
			},
		],
	},
	{
		value: 'forwardChannelsVideo',
		name: 'Forward Channels Video',
		states: [
			fromXml('forwardChannelsVideo', channelsFields),
			fromFields('forwardChannelsVideo', channelsFields),
		],
	},
	{
		value: 'forwardMiniProgram',
		name: 'Forward Mini Program',
		states: [
			fromXml('forwardMiniProgram', miniProgramFields),
			fromFields('forwardMiniProgram', miniProgramFields),
		],
	},
	{
		value: 'forwardFile',
		name: 'Forward File',
		states: [fromXml('forwardFile', fileFields), fromFields('forwardFile', fileFields)],
	},
	{
		value: 'sendAppMsgXml',
		name: 'Send App Message XML',
		states: [
			{
				screenshot: 'sendAppMsgXml',
				shown: ['operation', 'toUserName', 'messageXml', 'options'],
				hidden: ['source', 'overrides', 'additionalFields', 'title', 'url'],
			},
		],
	},
	{
		value: 'parseAppMsgXml',
		name: 'Parse App Message XML',
		states: [
			{
				screenshot: 'parseAppMsgXml',
				shown: ['operation', 'messageXml'],
				hidden: ['toUserName', 'source', 'options', 'overrides', 'title'],
			},
		],
	},
];

module.exports = { OPERATIONS, COLLECTION_LABELS, XML_SOURCE, FIELDS_SOURCE };
