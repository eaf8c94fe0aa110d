import { buildAppMsgXml } from '../appmsg/build';
import { parseAppMsgXml as parse, summarizeAppMsg } from '../appmsg/parse';
import type { LocalOperation } from './appMsgOperation';

const show = { show: { operation: ['parseAppMsgXml'] } };

/** Received app message XML -> fields a workflow can route on; no gateway call. */
export const parseAppMsgXml: LocalOperation = {
	kind: 'local',
	option: {
		name: 'Parse App Message XML',
		value: 'parseAppMsgXml',
		action: 'Parse app message XML',
		description: 'Turn a received app message\'s XML into fields (type, title, file, mini program, Channels video); sends nothing',
	},
	properties: [
		{
			displayName: 'Message XML',
			name: 'messageXml',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			required: true,
			placeholder: '<msg><appmsg appid="" sdkver="0">…</appmsg></msg>',
			description: 'The XML of a received app message (the whole &lt;msg&gt; or the &lt;appmsg&gt; element alone)',
			displayOptions: show,
		},
	],
	run(parameters) {
		const parsed = parse(parameters.get('messageXml', ''), 'Message XML');
		return { ...summarizeAppMsg(parsed), appMsgXml: buildAppMsgXml(parsed.appMsg) };
	},
};
