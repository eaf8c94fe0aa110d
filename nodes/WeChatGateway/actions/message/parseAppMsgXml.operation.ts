import { buildAppMsgXml } from '../../appmsg/build';
import { parseAppMsgXml as parse } from '../../appmsg/parse';
import { summarizeAppMsg } from '../../appmsg/summary';
import type { LocalOperation } from '../operation';
import { messageXmlField } from '../common.fields';

/** Received app message XML -> fields a workflow can route on; no gateway call. */
export const parseAppMsgXml: LocalOperation = {
	sends: false,
	option: {
		name: 'Parse App Message XML',
		value: 'parseAppMsgXml',
		action: 'Parse app message XML',
		description:
			"Turn a received app message's XML into fields (type, title, file, mini program, Channels video); sends nothing",
	},
	properties: [{ ...messageXmlField, displayOptions: { show: { operation: ['parseAppMsgXml'] } } }],
	run(parameters) {
		const parsed = parse(parameters.get('messageXml', ''), 'Message XML');
		return { ...summarizeAppMsg(parsed), appMsgXml: buildAppMsgXml(parsed.appMsg) };
	},
};
