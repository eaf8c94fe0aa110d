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
			displayName: 'Object ID',
			name: 'objectId',
			path: feed('objectId'),
			type: 'string', default: '',
			required: true,
			placeholder: '14297890483116038323',
			description: 'The video\'s ID in Channels (finderFeed.objectId of a received card)',
		},
		{
			displayName: 'Object Nonce ID',
			name: 'objectNonceId',
			path: feed('objectNonceId'),
			type: 'string', default: '',
			required: true,
			placeholder: '5812342379112345678_0_0_0_0_0',
			description: 'The access nonce that goes with the Object ID (finderFeed.objectNonceId)',
		},
		{
			displayName: 'Channels Account ID',
			name: 'username',
			path: feed('username'),
			type: 'string', default: '',
			required: true,
			placeholder: 'v2_060000231003b20faec8c6e…@finder',
			description: 'The Channels account that posted the video (…@finder)',
		},
		{ displayName: 'Channels Account Name', name: 'nickname', path: feed('nickname'), type: 'string', default: '', required: true, placeholder: 'Example Studio' },
		{ displayName: 'Avatar URL', name: 'avatar', path: feed('avatar'), type: 'string', default: '', placeholder: 'https://wx.qlogo.cn/finderhead/…/0' },
		{ displayName: 'Description', name: 'description', path: feed('desc'), type: 'string', default: '', placeholder: 'Behind the scenes #making', description: 'The video\'s caption' },
		{ displayName: 'Media URL', name: 'mediaUrl', path: media('url'), type: 'string', default: '', required: true, placeholder: 'https://finder.video.qq.com/251/20302/stodownload?…' },
		{ displayName: 'Thumbnail URL', name: 'thumbUrl', path: media('thumbUrl'), type: 'string', default: '', placeholder: 'https://finder.video.qq.com/251/20304/stodownload?…' },
		{ displayName: 'Cover URL', name: 'coverUrl', path: media('coverUrl'), type: 'string', default: '', optional: true },
		{ displayName: 'Width', name: 'width', path: media('width'), type: 'number', default: 0, optional: true, description: 'Video width in pixels, e.g. 1080' },
		{ displayName: 'Height', name: 'height', path: media('height'), type: 'number', default: 0, optional: true, description: 'Video height in pixels, e.g. 1920' },
		{ displayName: 'Duration (Seconds)', name: 'duration', path: media('videoPlayDuration'), type: 'number', default: 0, optional: true },
		{ displayName: 'Feed Type', name: 'feedType', path: feed('feedType'), type: 'number', default: 0, optional: true, description: '4 for a video (the default), 2 for pictures' },
		{ displayName: 'Card Title', name: 'title', path: ['title'], type: 'string', default: '', optional: true, description: 'Shown only by WeChat versions that cannot render Channels cards' },
	],
});
