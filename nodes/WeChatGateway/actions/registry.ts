import type { Operation } from './appMsgOperation';
import { forwardChannelsVideo } from './forwardChannelsVideo.operation';
import { forwardFile } from './forwardFile.operation';
import { forwardMiniProgram } from './forwardMiniProgram.operation';
import { parseAppMsgXml } from './parseAppMsgXml.operation';
import { sendAppMsgXml } from './sendAppMsgXml.operation';
import { sendLink } from './sendLink.operation';

/** Operation value -> operation. A new message kind is one file and one line here. */
export const operations: Record<string, Operation> = {
	sendLink,
	forwardChannelsVideo,
	forwardMiniProgram,
	forwardFile,
	sendAppMsgXml,
	parseAppMsgXml,
};
