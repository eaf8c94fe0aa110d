import type { Operation } from './operation';
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

/** The operations that call the gateway: the To field and the Options show for these. */
export const sendingOperationNames = Object.values(operations)
	.filter((operation) => operation.sends)
	.map((operation) => operation.option.value);
