import { MINI_PROGRAM_FIELDS } from '../../appmsg/kindFields';
import { APPMSG_TYPE, readText, writePath, type AppMsg } from '../../appmsg/model';
import { defineAppMsgKind } from './defineAppMsgKind';

const { appId, pagePath, username } = MINI_PROGRAM_FIELDS.fields;

/**
 * Phones open a mini program page blank unless its path names the `.html` page, so
 * `pages/index/index?id=1` is sent as `pages/index/index.html?id=1`.
 */
export function withHtmlPage(pagePath: string): string {
	const [path, ...query] = pagePath.split('?');
	if (path === '' || path.endsWith('.html')) return pagePath;
	return [`${path}.html`, ...query].join('?');
}

function errorPageUrl(appId: string): string {
	return `https://mp.weixin.qq.com/mp/waerrpage?appid=${encodeURIComponent(appId)}&type=upgrade&upgradetype=3#wechat_redirect`;
}

/** A mini program card (appmsg type 33, or 36 when the received one was 36). */
export const forwardMiniProgram = defineAppMsgKind({
	value: 'forwardMiniProgram',
	name: 'Forward Mini Program',
	action: 'Forward a mini program',
	description: 'Forward a mini program card',
	sources: ['xml', 'fields'],
	skeleton: () => ({
		'@_appid': '',
		'@_sdkver': '0',
		title: '',
		des: '',
		action: 'view',
		type: APPMSG_TYPE.miniProgram,
		url: '',
		sourceusername: '',
		sourcedisplayname: '',
		appattach: {
			cdnthumburl: '',
			cdnthumbmd5: '',
			cdnthumblength: 0,
			cdnthumbwidth: 0,
			cdnthumbheight: 0,
			cdnthumbaeskey: '',
			aeskey: '',
			encryver: 0,
		},
		weappinfo: {
			pagepath: '',
			username: '',
			appid: '',
			version: 0,
			type: 2,
			weappiconurl: '',
			appservicetype: 0,
		},
	}),
	table: MINI_PROGRAM_FIELDS,
	editor: {
		title: {
			displayName: 'Title',
			required: true,
			placeholder: 'Order #1024 is ready',
		},
		appId: {
			displayName: 'Mini Program App ID',
			required: true,
			placeholder: 'wx1234567890abcdef',
		},
		username: {
			displayName: 'Mini Program Username',
			required: true,
			placeholder: 'gh_0123456789ab@app',
			description: "The mini program's original ID, ending in @app",
		},
		pagePath: {
			displayName: 'Page Path',
			placeholder: 'pages/order/detail.html?order=1024',
			description:
				'The page to open. ".html" is added after the page name when missing, or phones open it blank.',
		},
		displayName: {
			displayName: 'Display Name',
			required: true,
			placeholder: 'Example Shop',
		},
		iconUrl: {
			displayName: 'Icon URL',
			placeholder: 'http://mmbiz.qpic.cn/mmbiz_png/…/640?wx_fmt=png',
		},
		version: {
			displayName: 'Version',
			optional: true,
			description: 'Mini program version number from a received card',
		},
		shareId: {
			displayName: 'Share ID',
			optional: true,
		},
		cdnThumbUrl: {
			displayName: 'Cover CDN URL',
			optional: true,
			description:
				'CDN file ID of the cover image (appattach.cdnthumburl of a received card). Covers above about 50 KB make WeChat refuse the card with Ret -2.',
		},
		cdnThumbMd5: {
			displayName: 'Cover MD5',
			optional: true,
		},
		cdnThumbLength: {
			displayName: 'Cover Size (Bytes)',
			optional: true,
		},
		cdnThumbWidth: {
			displayName: 'Cover Width',
			optional: true,
		},
		cdnThumbHeight: {
			displayName: 'Cover Height',
			optional: true,
		},
		cdnThumbAesKey: {
			displayName: 'Cover AES Key',
			typeOptions: { password: true },
			optional: true,
		},
		aesKey: {
			displayName: 'AES Key',
			typeOptions: { password: true },
			optional: true,
		},
	},
	finish(appMsg: AppMsg) {
		const page = readText(appMsg, pagePath.path);
		if (page) writePath(appMsg, pagePath.path, withHtmlPage(page));
		const name = readText(appMsg, username.path);
		if (name && !readText(appMsg, ['sourceusername'])) writePath(appMsg, ['sourceusername'], name);
		const id = readText(appMsg, appId.path);
		if (id && !readText(appMsg, ['url'])) writePath(appMsg, ['url'], errorPageUrl(id));
	},
});
