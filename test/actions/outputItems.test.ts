/**
 * Output shaping: what an answer becomes (one item, several, or items with n8n binary data) and
 * what an error item says about the message's fate, read from the original error.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { PacingAbortedError } from '../../nodes/WeChatGateway/delivery/pacer';
import { GatewayError } from '../../nodes/WeChatGateway/transport/errors';
import type { GatewayRequest } from '../../nodes/WeChatGateway/actions/operation';
import {
	errorItem,
	PartNotSentError,
	successItems,
} from '../../nodes/WeChatGateway/actions/send/outputItems';

/** n8n's prepareBinaryData as far as shaping needs it: base64 of the bytes, with their names. */
const helpers = {
	prepareBinaryData: async (data: Buffer, fileName?: string, mimeType?: string) =>
		({ data: data.toString('base64'), fileName, mimeType }) as IBinaryData,
} as unknown as IExecuteFunctions['helpers'];

const request = (more: Partial<GatewayRequest> = {}): GatewayRequest => ({
	recipients: ['wxid_a'],
	messageFor: () => ({ call: { CgiCmd: 1, CgiRequest: {} } }),
	readReply: (reply) => ({ ...reply }),
	output: { type: 5 },
	...more,
});
const outcome = (fields: Record<string, unknown>) => ({
	itemIndex: 3,
	recipient: 'wxid_a',
	part: 0,
	fields,
	possibleDuplicate: false,
	includeXml: false,
});

test('an answer is one output item: To, its fields, the request output, paired to its item', async () => {
	expect(await successItems(helpers, request(), outcome({ NewMsgId: '1' }))).toEqual([
		{ json: { ToUserName: 'wxid_a', NewMsgId: '1', type: 5 }, pairedItem: { item: 3 } },
	]);
});

test('a request can make several items of one answer (one per contact), each paired to its item', async () => {
	const contacts = request({
		toItems: (fields) => (fields.list as string[]).map((wxid) => ({ json: { wxid } })),
	});
	const items = await successItems(helpers, contacts, outcome({ list: ['wxid_x', 'wxid_y'] }));
	expect(items.map((item) => [item.json.wxid, item.pairedItem])).toEqual([
		['wxid_x', { item: 3 }],
		['wxid_y', { item: 3 }],
	]);
});

test('bytes become n8n binary data under the property the request names', async () => {
	const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
	const download = request({
		toItems: () => [
			{
				json: { size: 4 },
				binary: { data: { data: bytes, mimeType: 'image/png', fileName: '1.png' } },
			},
		],
	});
	const [item] = await successItems(helpers, download, outcome({}));
	expect(item.binary).toEqual({
		data: { data: bytes.toString('base64'), fileName: '1.png', mimeType: 'image/png' },
	});
	expect(item.json).toEqual({ ToUserName: 'wxid_a', size: 4, type: 5 });
});

test("an error item carries the gateway error's Ret, ErrMsg and delivery outcome", () => {
	const error = new GatewayError('ret', 'WeChat refused the message', 'rejected', {
		ret: -2,
		errMsg: 'bad argument',
	});
	expect(errorItem(1, 'refused (item 1)', error, 'wxid_a').json).toEqual({
		error: 'refused (item 1)',
		ToUserName: 'wxid_a',
		Ret: -2,
		ErrMsg: 'bad argument',
		delivery: 'rejected',
	});
});

test('a message stopped before its turn, or a part after a failed one, is notSent', () => {
	for (const error of [new PacingAbortedError(), new PartNotSentError(1, 2, 0)])
		expect(errorItem(0, 'stopped', error).json.delivery).toBe('notSent');
	expect(errorItem(0, 'bad input', new Error('bad input')).json).toEqual({ error: 'bad input' });
});
