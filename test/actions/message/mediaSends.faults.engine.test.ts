/**
 * The media sends' rows of the fault table: a picture, a voice message and a sticker to a person
 * and a group, with the gateway refusing or losing the group's answer, counted from what the
 * gateway recorded against what the node reported. A message of bytes is one message like any
 * other: no fault loses it, sends it twice, or reports it wrongly.
 */
import type { IDataObject } from 'n8n-workflow';

import { account, recordAccounting, violations, type Slot } from '../../support/accounting';
import type { RunOptions } from '../../support/engine';
import type { SimMessage } from '../../support/simulators';
import { FAST, GROUP, mediaBytes, runMedia, useMediaGateway } from './mediaRun';

const SUITE = 'Media sends (engine; picture, voice, sticker)';
const FRIEND = 'wxid_friend42';
const sim = useMediaGateway();

interface Kind {
	name: string;
	cgi: number;
	/** The node's parameters and the run's input, made fresh for each case. */
	run(): { parameters: IDataObject; more: Partial<RunOptions> };
}

const kinds: Kind[] = [
	{
		name: 'picture',
		cgi: 110,
		run: () => ({
			parameters: { operation: 'sendImage', toUserName: `${FRIEND}, ${GROUP}` },
			more: {
				binaries: [
					{
						data: {
							data: mediaBytes.png(8, 8, (x, y) => [x * 30, y * 30, 0]),
							fileName: 'chart.png',
							mimeType: 'image/png',
						},
					},
				],
			},
		}),
	},
	{
		name: 'voice message',
		cgi: 127,
		run: () => ({
			parameters: { operation: 'sendVoice', toUserName: `${FRIEND}, ${GROUP}` },
			more: {
				binaries: [
					{ data: { data: mediaBytes.silk({ frames: 60, seed: 3 }), mimeType: 'audio/silk' } },
				],
			},
		}),
	},
	{
		name: 'sticker',
		cgi: 175,
		run: () => {
			const pushed = sim.gateway.push('emoji', { chat: GROUP });
			return {
				parameters: {
					operation: 'sendEmoji',
					toUserName: `${FRIEND}, ${GROUP}`,
					messageXml: '={{ $json.messageXml }}',
				},
				more: { items: [{ messageXml: String(pushed.content) }] },
			};
		},
	},
];

const faults = [
	{
		name: "the group's send refused (Ret -1)",
		rules: (cgi: number) => [{ action: 'ret', ret: -1, cgiCmd: cgi, toUserName: GROUP }],
		outcomes: { sent: 1, 'error:rejected': 1 },
	},
	{
		name: "the group's answer lost after the gateway sent",
		rules: (cgi: number) => [{ action: 'drop', cgiCmd: cgi, toUserName: GROUP, times: 1 }],
		outcomes: { sent: 1, 'error:unknown, was sent': 1 },
	},
	{
		name: "the group's send refused once, then n8n's Retry On Fail",
		rules: (cgi: number) => [{ action: 'ret', ret: -1, cgiCmd: cgi, toUserName: GROUP, times: 1 }],
		outcomes: { sent: 2 },
		retryOnFail: true,
	},
];

const cases = kinds.flatMap((kind) =>
	faults.map((fault) => ({ ...fault, kind, title: `${kind.name}: ${fault.name}` })),
);

test.each(cases)('$title: nothing lost, duplicated or misreported', async (c) => {
	const { parameters, more } = c.kind.run();
	for (const rule of c.rules(c.kind.cgi)) sim.gateway.addFault(rule);
	const run = await runMedia(
		sim.gateway,
		{ ...parameters, options: { ...FAST, retries: c.retryOnFail ? 0 : 2 } },
		{
			...more,
			continueOnFail: !c.retryOnFail,
			retryOnFail: c.retryOnFail ? { maxTries: 2, waitBetweenTries: 1 } : undefined,
		},
	);
	const slots: Slot[] = [FRIEND, GROUP].map((recipient) => ({
		itemIndex: 0,
		recipient,
		title: '',
	}));
	const belongs = (slot: Slot, m: SimMessage) =>
		m.toUserName === slot.recipient &&
		(m as SimMessage & { cgiCmd?: number }).cgiCmd === c.kind.cgi;
	const accounting = recordAccounting(
		SUITE,
		c.title,
		account(slots, run, sim.gateway.messages, { belongs }),
	);
	expect(violations(accounting)).toEqual([]);
	expect(accounting.outcomes).toEqual(c.outcomes);
});
