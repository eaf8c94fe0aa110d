'use strict';
/**
 * A worker that dies while a message waits for its turn: delivers one message through the Redis
 * store with Skip Duplicates Within on, prints `waiting` once its turn is reserved, and is killed
 * by the parent then. Its gateway would answer, but it never gets that far.
 * argv: redisUrl executionId
 */
require('../support/tsRegister');
const { RedisStore } = require('../../nodes/WeChatGateway/coordination/redisStore.ts');
const { deliver } = require('../../nodes/WeChatGateway/delivery/deliver.ts');
const { DEFAULT_SEND_OPTIONS } = require('../../nodes/WeChatGateway/delivery/options.ts');
const { appMsgCall } = require('../../nodes/WeChatGateway/transport/client.ts');
const { readSentMessage } = require('../../nodes/WeChatGateway/transport/reply.ts');

class AnnouncingStore extends RedisStore {
	async reserveTurn(...args) {
		const turn = await super.reserveTurn(...args);
		process.stdout.write(`waiting ${turn.waitMs}\n`);
		return turn;
	}
}

const [url, executionId] = process.argv.slice(2);
const store = new AnnouncingStore(url);
const client = {
	settings: { baseUrl: 'http://gw', wxid: 'wxid_s' },
	call: async () => ({
		Ret: 0,
		ErrMsg: '',
		ResponseData: { NewMsgId: '1', ClientMsgId: 'dead-worker' },
	}),
};
deliver(
	{
		client,
		store,
		options: { ...DEFAULT_SEND_OPTIONS, skipDuplicatesWithin: 10 },
		executions: {
			windowMs: 10 * 60_000,
			executionId,
			workflowId: 'wf-dies',
			nodeName: 'WeChat',
			retry: false,
			retryOfReachable: true,
		},
	},
	0,
	'wxid_a',
	{
		call: appMsgCall('wxid_a', '<appmsg><title>waits</title></appmsg>'),
		readReply: readSentMessage,
	},
).then(
	() => process.stdout.write('sent\n'),
	(error) => process.stderr.write(String(error && error.stack)),
);
