import { APPMSG_TYPE, readText, writePath, type AppMsg } from '../../appmsg/model';
import { defineAppMsgKind } from './defineAppMsgKind';

const weapp = (...path: string[]) => ['weappinfo', ...path];
const cover = (...path: string[]) => ['appattach', ...path];

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
	types: [APPMSG_TYPE.miniProgram, APPMSG_TYPE.miniProgramPage],
	sources: ['xml', 'fields'],
	parsedAs: { key: 'miniProgram', marker: weapp('appid') },
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
	fields: [
		{
			displayName: 'Title',
			name: 'title',
			path: ['title'],
			type: 'string',
			default: '',
			required: true,
			placeholder: 'Order #1024 is ready',
		},
		{
			displayName: 'Mini Program App ID',
			name: 'appId',
			path: weapp('appid'),
			type: 'string',
			default: '',
			required: true,
			placeholder: 'wx1234567890abcdef',
		},
		{
			displayName: 'Mini Program Username',
			name: 'username',
			path: weapp('username'),
			type: 'string',
			default: '',
			required: true,
			placeholder: 'gh_0123456789ab@app',
			description: "The mini program's original ID, ending in @app",
		},
		{
			displayName: 'Page Path',
			name: 'pagePath',
			path: weapp('pagepath'),
			type: 'string',
			default: '',
			placeholder: 'pages/order/detail.html?order=1024',
			description:
				'The page to open. ".html" is added after the page name when missing, or phones open it blank.',
		},
		{
			displayName: 'Display Name',
			name: 'displayName',
			path: ['sourcedisplayname'],
			type: 'string',
			default: '',
			required: true,
			placeholder: 'Example Shop',
		},
		{
			displayName: 'Icon URL',
			name: 'iconUrl',
			path: weapp('weappiconurl'),
			type: 'string',
			default: '',
			placeholder: 'http://mmbiz.qpic.cn/mmbiz_png/…/640?wx_fmt=png',
		},
		{
			displayName: 'Version',
			name: 'version',
			path: weapp('version'),
			type: 'number',
			default: 0,
			optional: true,
			description: 'Mini program version number from a received card',
		},
		{
			displayName: 'Share ID',
			name: 'shareId',
			path: weapp('shareId'),
			type: 'string',
			default: '',
			optional: true,
		},
		{
			displayName: 'Cover CDN URL',
			name: 'cdnThumbUrl',
			path: cover('cdnthumburl'),
			type: 'string',
			default: '',
			optional: true,
			description:
				'CDN file ID of the cover image (appattach.cdnthumburl of a received card). Covers above about 50 KB make WeChat refuse the card with Ret -2.',
		},
		{
			displayName: 'Cover MD5',
			name: 'cdnThumbMd5',
			path: cover('cdnthumbmd5'),
			type: 'string',
			default: '',
			optional: true,
		},
		{
			displayName: 'Cover Size (Bytes)',
			name: 'cdnThumbLength',
			path: cover('cdnthumblength'),
			type: 'number',
			default: 0,
			optional: true,
		},
		{
			displayName: 'Cover Width',
			name: 'cdnThumbWidth',
			path: cover('cdnthumbwidth'),
			type: 'number',
			default: 0,
			optional: true,
		},
		{
			displayName: 'Cover Height',
			name: 'cdnThumbHeight',
			path: cover('cdnthumbheight'),
			type: 'number',
			default: 0,
			optional: true,
		},
		{
			displayName: 'Cover AES Key',
			name: 'cdnThumbAesKey',
			path: cover('cdnthumbaeskey'),
			type: 'string',
			default: '',
			typeOptions: { password: true },
			optional: true,
		},
		{
			displayName: 'AES Key',
			name: 'aesKey',
			path: cover('aeskey'),
			type: 'string',
			default: '',
			typeOptions: { password: true },
			optional: true,
		},
	],
	finish(appMsg: AppMsg) {
		const pagePath = readText(appMsg, weapp('pagepath'));
		if (pagePath) writePath(appMsg, weapp('pagepath'), withHtmlPage(pagePath));
		const username = readText(appMsg, weapp('username'));
		if (username && !readText(appMsg, ['sourceusername']))
			writePath(appMsg, ['sourceusername'], username);
		const appId = readText(appMsg, weapp('appid'));
		if (appId && !readText(appMsg, ['url'])) writePath(appMsg, ['url'], errorPageUrl(appId));
	},
});
