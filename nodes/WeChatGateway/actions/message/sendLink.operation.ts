import { LINK_FIELDS } from '../../appmsg/kindFields';
import { APPMSG_TYPE, AppMsgInputError } from '../../appmsg/model';
import { defineAppMsgKind } from './defineAppMsgKind';

/** A link card (appmsg type 5): title, description and thumbnail that open a URL. */
export const sendLink = defineAppMsgKind({
	value: 'sendLink',
	name: 'Send Link',
	action: 'Send a link card',
	description: 'Send a link card with a title, description and thumbnail',
	sources: ['fields'],
	skeleton: () => ({
		'@_appid': '',
		'@_sdkver': '0',
		title: '',
		des: '',
		action: 'view',
		type: APPMSG_TYPE.link,
	}),
	table: LINK_FIELDS,
	editor: {
		title: {
			displayName: 'Title',
			required: true,
			placeholder: 'Weekly report is out',
		},
		url: {
			displayName: 'URL',
			required: true,
			placeholder: 'https://example.com/report?week=42&lang=en',
			description:
				'The page the card opens. Characters such as & are escaped for you, so the link arrives whole.',
		},
		description: {
			displayName: 'Description',
			placeholder: 'Sales up 12% week on week',
			description: 'Text under the title',
		},
		thumbUrl: {
			displayName: 'Thumbnail URL',
			placeholder: 'https://example.com/cover.jpg',
			description: 'Image shown on the card (a public http(s) image URL)',
		},
		sourceUsername: {
			displayName: 'Source Account ID',
			optional: true,
			placeholder: 'gh_0123456789ab',
			description: "Official account (gh_…) shown as the card's source",
		},
		sourceDisplayName: {
			displayName: 'Source Account Name',
			optional: true,
			placeholder: 'Example News',
			description: "Name shown as the card's source",
		},
		appId: {
			displayName: 'App ID',
			optional: true,
			placeholder: 'wx0123456789abcdef',
			description: 'WeChat Open Platform app the card is attributed to; leave empty for none',
		},
	},
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
