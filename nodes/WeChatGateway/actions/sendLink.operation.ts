import { APPMSG_TYPE, AppMsgInputError } from '../appmsg/model';
import { defineAppMsgKind } from './appMsgOperation';

/** A link card (appmsg type 5): title, description and thumbnail that open a URL. */
export const sendLink = defineAppMsgKind({
	value: 'sendLink',
	name: 'Send Link',
	action: 'Send a link card',
	description: 'Send a link card with a title, description and thumbnail',
	types: [APPMSG_TYPE.link],
	sources: ['fields'],
	skeleton: () => ({ '@_appid': '', '@_sdkver': '0', title: '', des: '', action: 'view', type: APPMSG_TYPE.link }),
	fields: [
		{ name: 'title', displayName: 'Title', path: ['title'], type: 'string', required: true, placeholder: 'Weekly report is out' },
		{
			name: 'url',
			displayName: 'URL',
			path: ['url'],
			type: 'string',
			required: true,
			placeholder: 'https://example.com/report?id=42&lang=en',
			description: 'The page the card opens. Characters such as & are escaped for you, so the link arrives whole.',
		},
		{ name: 'description', displayName: 'Description', path: ['des'], type: 'string', placeholder: 'Sales up 12% week on week', description: 'Text under the title' },
		{
			name: 'thumbUrl',
			displayName: 'Thumbnail URL',
			path: ['thumburl'],
			type: 'string',
			placeholder: 'https://example.com/cover.jpg',
			description: 'Image shown on the card (a public http(s) image URL)',
		},
		{
			name: 'sourceUsername',
			displayName: 'Source Account ID',
			path: ['sourceusername'],
			type: 'string',
			optional: true,
			placeholder: 'gh_0123456789ab',
			description: 'Official account (gh_…) shown as the card\'s source',
		},
		{
			name: 'sourceDisplayName',
			displayName: 'Source Account Name',
			path: ['sourcedisplayname'],
			type: 'string',
			optional: true,
			placeholder: 'Example News',
			description: 'Name shown as the card\'s source',
		},
		{
			name: 'appId',
			displayName: 'App ID',
			path: ['@_appid'],
			type: 'string',
			optional: true,
			placeholder: 'wx0123456789abcdef',
			description: 'WeChat Open Platform app the card is attributed to; leave empty for none',
		},
	],
	finish(appMsg) {
		const url = String(appMsg.url ?? '');
		if (!/^https?:\/\//i.test(url)) {
			throw new AppMsgInputError(`"URL" must start with http:// or https://, got "${url.slice(0, 80)}"`, 'URL');
		}
	},
});
