import { APPMSG_TYPE, AppMsgInputError } from '../../appmsg/model';
import { defineAppMsgKind } from './defineAppMsgKind';

/** A link card (appmsg type 5): title, description and thumbnail that open a URL. */
export const sendLink = defineAppMsgKind({
	value: 'sendLink',
	name: 'Send Link',
	action: 'Send a link card',
	description: 'Send a link card with a title, description and thumbnail',
	types: [APPMSG_TYPE.link],
	sources: ['fields'],
	parsedAs: 'topLevel',
	skeleton: () => ({
		'@_appid': '',
		'@_sdkver': '0',
		title: '',
		des: '',
		action: 'view',
		type: APPMSG_TYPE.link,
	}),
	fields: [
		{
			displayName: 'Title',
			name: 'title',
			path: ['title'],
			type: 'string',
			default: '',
			required: true,
			placeholder: 'Weekly report is out',
		},
		{
			displayName: 'URL',
			name: 'url',
			path: ['url'],
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://example.com/report?week=42&lang=en',
			description:
				'The page the card opens. Characters such as & are escaped for you, so the link arrives whole.',
		},
		{
			displayName: 'Description',
			name: 'description',
			path: ['des'],
			type: 'string',
			default: '',
			placeholder: 'Sales up 12% week on week',
			description: 'Text under the title',
		},
		{
			displayName: 'Thumbnail URL',
			name: 'thumbUrl',
			path: ['thumburl'],
			type: 'string',
			default: '',
			placeholder: 'https://example.com/cover.jpg',
			description: 'Image shown on the card (a public http(s) image URL)',
		},
		{
			displayName: 'Source Account ID',
			name: 'sourceUsername',
			path: ['sourceusername'],
			type: 'string',
			default: '',
			optional: true,
			placeholder: 'gh_0123456789ab',
			description: "Official account (gh_…) shown as the card's source",
		},
		{
			displayName: 'Source Account Name',
			name: 'sourceDisplayName',
			path: ['sourcedisplayname'],
			type: 'string',
			default: '',
			optional: true,
			placeholder: 'Example News',
			description: "Name shown as the card's source",
		},
		{
			displayName: 'App ID',
			name: 'appId',
			path: ['@_appid'],
			type: 'string',
			default: '',
			optional: true,
			placeholder: 'wx0123456789abcdef',
			description: 'WeChat Open Platform app the card is attributed to; leave empty for none',
		},
	],
	finish(appMsg) {
		const url = String(appMsg.url ?? '');
		if (!/^https?:\/\//i.test(url)) {
			throw new AppMsgInputError(
				`"URL" must start with http:// or https://, got "${url.slice(0, 80)}"`,
				'URL',
			);
		}
	},
});
