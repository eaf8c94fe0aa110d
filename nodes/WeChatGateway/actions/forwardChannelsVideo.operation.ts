import { APPMSG_TYPE } from '../appmsg/model';
import { defineAppMsgKind } from './appMsgOperation';

const feed = (...path: string[]) => ['finderFeed', ...path];
const media = (...path: string[]) => ['finderFeed', 'mediaList', 'media', ...path];

/** What WeChat itself puts in the shell of a Channels card; clients too old to render it show this. */
const UNSUPPORTED_TITLE = '当前微信版本不支持展示该内容，请升级至最新版本。';
const UPGRADE_URL = 'https://support.weixin.qq.com/update/';

/** A Channels (视频号) video card (appmsg type 51) with its `finderFeed`. */
export const forwardChannelsVideo = defineAppMsgKind({
	value: 'forwardChannelsVideo',
	name: 'Forward Channels Video',
	action: 'Forward a Channels video',
	description: 'Forward a Channels (视频号) video card',
	types: [APPMSG_TYPE.channelsVideo],
	sources: ['xml', 'fields'],
	skeleton: () => ({
		'@_appid': '',
		'@_sdkver': '0',
		title: UNSUPPORTED_TITLE,
		des: '',
		action: '',
		type: APPMSG_TYPE.channelsVideo,
		showtype: 0,
		url: UPGRADE_URL,
		finderFeed: {
			objectId: '',
			feedType: 4,
			nickname: '',
			avatar: '',
			desc: '',
			mediaCount: 1,
			objectNonceId: '',
			liveId: 0,
			username: '',
			mediaList: { media: { mediaType: 4 } },
		},
	}),
	fields: [
		{
			name: 'objectId',
			displayName: 'Object ID',
			path: feed('objectId'),
			type: 'string',
			required: true,
			placeholder: '14297890483116038323',
			description: 'The video\'s ID in Channels (finderFeed.objectId of a received card)',
		},
		{
			name: 'objectNonceId',
			displayName: 'Object Nonce ID',
			path: feed('objectNonceId'),
			type: 'string',
			required: true,
			placeholder: '5812342379112345678_0_0_0_0_0',
			description: 'The access nonce that goes with the Object ID (finderFeed.objectNonceId)',
		},
		{
			name: 'username',
			displayName: 'Channels Account ID',
			path: feed('username'),
			type: 'string',
			required: true,
			placeholder: 'v2_060000231003b20faec8c6e…@finder',
			description: 'The Channels account that posted the video (…@finder)',
		},
		{ name: 'nickname', displayName: 'Channels Account Name', path: feed('nickname'), type: 'string', required: true, placeholder: 'Example Studio' },
		{ name: 'avatar', displayName: 'Avatar URL', path: feed('avatar'), type: 'string', placeholder: 'https://wx.qlogo.cn/finderhead/…/0' },
		{ name: 'description', displayName: 'Description', path: feed('desc'), type: 'string', placeholder: 'Behind the scenes #making', description: 'The video\'s caption' },
		{ name: 'mediaUrl', displayName: 'Media URL', path: media('url'), type: 'string', required: true, placeholder: 'https://finder.video.qq.com/251/20302/stodownload?…' },
		{ name: 'thumbUrl', displayName: 'Thumbnail URL', path: media('thumbUrl'), type: 'string', placeholder: 'https://finder.video.qq.com/251/20304/stodownload?…' },
		{ name: 'coverUrl', displayName: 'Cover URL', path: media('coverUrl'), type: 'string', optional: true },
		{ name: 'width', displayName: 'Width', path: media('width'), type: 'number', optional: true, description: 'Video width in pixels, e.g. 1080' },
		{ name: 'height', displayName: 'Height', path: media('height'), type: 'number', optional: true, description: 'Video height in pixels, e.g. 1920' },
		{ name: 'duration', displayName: 'Duration (Seconds)', path: media('videoPlayDuration'), type: 'number', optional: true },
		{ name: 'feedType', displayName: 'Feed Type', path: feed('feedType'), type: 'number', optional: true, description: '4 for a video (the default), 2 for pictures' },
		{ name: 'title', displayName: 'Card Title', path: ['title'], type: 'string', optional: true, description: 'Shown only by WeChat versions that cannot render Channels cards' },
	],
});
