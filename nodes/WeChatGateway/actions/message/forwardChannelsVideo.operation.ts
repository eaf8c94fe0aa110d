import { CHANNELS_VIDEO_FIELDS } from '../../appmsg/kindFields';
import { APPMSG_TYPE } from '../../appmsg/model';
import { defineAppMsgKind } from './defineAppMsgKind';

/** What WeChat itself puts in the shell of a Channels card; clients too old to render it show this. */
const UNSUPPORTED_TITLE = '当前微信版本不支持展示该内容，请升级至最新版本。';
const UPGRADE_URL = 'https://support.weixin.qq.com/update/';

/** A Channels (视频号) video card (appmsg type 51) with its `finderFeed`. */
export const forwardChannelsVideo = defineAppMsgKind({
	value: 'forwardChannelsVideo',
	name: 'Forward Channels Video',
	action: 'Forward a Channels video',
	description: 'Forward a Channels (视频号) video card',
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
	table: CHANNELS_VIDEO_FIELDS,
	editor: {
		objectId: {
			displayName: 'Object ID',
			required: true,
			placeholder: '14297890483116038323',
			description: "The video's ID in Channels (finderFeed.objectId of a received card)",
		},
		objectNonceId: {
			displayName: 'Object Nonce ID',
			required: true,
			placeholder: '5812342379112345678_0_0_0_0_0',
			description: 'The access nonce that goes with the Object ID (finderFeed.objectNonceId)',
		},
		username: {
			displayName: 'Channels Account ID',
			required: true,
			placeholder: 'v2_060000231003b20faec8c6e…@finder',
			description: 'The Channels account that posted the video (…@finder)',
		},
		nickname: {
			displayName: 'Channels Account Name',
			required: true,
			placeholder: 'Example Studio',
		},
		avatar: {
			displayName: 'Avatar URL',
			placeholder: 'https://wx.qlogo.cn/finderhead/…/0',
		},
		description: {
			displayName: 'Description',
			placeholder: 'Behind the scenes #making',
			description: "The video's caption",
		},
		mediaUrl: {
			displayName: 'Media URL',
			required: true,
			placeholder: 'https://finder.video.qq.com/251/20302/stodownload?…',
		},
		thumbUrl: {
			displayName: 'Thumbnail URL',
			placeholder: 'https://finder.video.qq.com/251/20304/stodownload?…',
		},
		coverUrl: {
			displayName: 'Cover URL',
			optional: true,
		},
		width: {
			displayName: 'Width',
			optional: true,
			description: 'Video width in pixels, e.g. 1080',
		},
		height: {
			displayName: 'Height',
			optional: true,
			description: 'Video height in pixels, e.g. 1920',
		},
		duration: {
			displayName: 'Duration (Seconds)',
			optional: true,
		},
		feedType: {
			displayName: 'Feed Type',
			optional: true,
			description: '4 for a video (the default), 2 for pictures',
		},
		title: {
			displayName: 'Card Title',
			optional: true,
			description: 'Shown only by WeChat versions that cannot render Channels cards',
		},
	},
});
