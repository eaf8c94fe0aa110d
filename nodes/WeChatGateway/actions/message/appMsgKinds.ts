import { forwardChannelsVideo } from './forwardChannelsVideo.operation';
import { forwardFile } from './forwardFile.operation';
import { forwardMiniProgram } from './forwardMiniProgram.operation';
import type { AppMsgKindOperation } from './defineAppMsgKind';
import { sendAppMsgXml } from './sendAppMsgXml.operation';
import { sendLink } from './sendLink.operation';

/**
 * The message kinds (cgi 222), in the editor's order: the registry offers them, and Parse App
 * Message XML reports their fields. A new kind is its own file and one line here.
 */
export const appMsgKinds: readonly AppMsgKindOperation[] = [
	sendLink,
	forwardChannelsVideo,
	forwardMiniProgram,
	forwardFile,
	sendAppMsgXml,
];
