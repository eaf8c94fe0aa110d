import { defineAppMsgKind } from './defineAppMsgKind';

/** Any app message, given as XML: the escape hatch for kinds without their own operation. */
export const sendAppMsgXml = defineAppMsgKind({
	value: 'sendAppMsgXml',
	name: 'Send App Message XML',
	action: 'Send an app message from XML',
	description: 'Send any app message given as XML (&lt;msg&gt; or &lt;appmsg&gt;)',
	sources: ['xml'],
	skeleton: () => ({}),
});
