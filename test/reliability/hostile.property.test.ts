/**
 * Generated hostile text (fast-check) in every text field of every operation built from fields,
 * to the simulator: what arrives parses back, with an independent strict parser (sax), to
 * exactly what was given. Text XML cannot hold gives an error naming the field and the item,
 * and nothing is sent.
 *
 * Each case is one item, and one item sets every text field of its operation at once, so
 * 1,000 items give 1,000 cases to each field. The 1,000 go through the node's execute() with the
 * values handed over as n8n hands them after resolving expressions (n8n's expression engine
 * costs about a millisecond per field and item); another 200 per operation, with other values,
 * go through n8n's real engine and expressions, so n8n's side of the path is held too.
 * Set FC_SEED to replay a run.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { withHtmlPage } from '../../nodes/WeChatGateway/actions/message/forwardMiniProgram.operation';
import { runWeChatNode, type NodeRun, FAST, SENDER } from '../support/engine';
import {
	account,
	byRecipient,
	recordAccounting,
	recordCase,
	violations,
	type Slot,
} from '../support/accounting';
import { runDirect } from '../support/direct';
import { useSimulators } from '../support/simulators';
import { hostileNonBlank, textWithNonXmlChar } from '../support/hostile';
import { readXmlStrict, valueAt } from '../support/xmlRead';

const CASES = 1000;
const ENGINE_CASES = 200;
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const GROUP = 'Hostile input, generated (fast-check)';

interface FieldSpec {
	name: string;
	displayName: string;
	/** Where the value lands in <appmsg>; `@x` last for an attribute. */
	path: string[];
	/** Lives in the "Additional Fields" collection. */
	optional?: boolean;
	/** Fixed text before the generated part (a URL field must start with http(s)://). */
	prefix?: string;
	/** What the operation makes of the value, when it changes it on purpose. */
	expected?: (value: string) => string;
}

interface OperationSpec {
	operation: string;
	parameters?: Record<string, string | number>;
	fields: FieldSpec[];
}

const feed = (...p: string[]) => ['finderFeed', ...p];
const media = (...p: string[]) => ['finderFeed', 'mediaList', 'media', ...p];

const OPERATIONS: OperationSpec[] = [
	{
		operation: 'sendLink',
		fields: [
			{ name: 'title', displayName: 'Title', path: ['title'] },
			{ name: 'url', displayName: 'URL', path: ['url'], prefix: 'https://example.com/' },
			{ name: 'description', displayName: 'Description', path: ['des'] },
			{ name: 'thumbUrl', displayName: 'Thumbnail URL', path: ['thumburl'] },
			{
				name: 'sourceUsername',
				displayName: 'Source Account ID',
				path: ['sourceusername'],
				optional: true,
			},
			{
				name: 'sourceDisplayName',
				displayName: 'Source Account Name',
				path: ['sourcedisplayname'],
				optional: true,
			},
			{ name: 'appId', displayName: 'App ID', path: ['@appid'], optional: true },
		],
	},
	{
		operation: 'forwardChannelsVideo',
		parameters: { source: 'fields' },
		fields: [
			{ name: 'objectId', displayName: 'Object ID', path: feed('objectId') },
			{ name: 'objectNonceId', displayName: 'Object Nonce ID', path: feed('objectNonceId') },
			{ name: 'username', displayName: 'Channels Account ID', path: feed('username') },
			{ name: 'nickname', displayName: 'Channels Account Name', path: feed('nickname') },
			{ name: 'avatar', displayName: 'Avatar URL', path: feed('avatar') },
			{ name: 'description', displayName: 'Description', path: feed('desc') },
			{ name: 'mediaUrl', displayName: 'Media URL', path: media('url') },
			{ name: 'thumbUrl', displayName: 'Thumbnail URL', path: media('thumbUrl') },
			{ name: 'coverUrl', displayName: 'Cover URL', path: media('coverUrl'), optional: true },
			{ name: 'title', displayName: 'Card Title', path: ['title'], optional: true },
		],
	},
	{
		operation: 'forwardMiniProgram',
		parameters: { source: 'fields' },
		fields: [
			{ name: 'title', displayName: 'Title', path: ['title'] },
			{ name: 'appId', displayName: 'Mini Program App ID', path: ['weappinfo', 'appid'] },
			{ name: 'username', displayName: 'Mini Program Username', path: ['weappinfo', 'username'] },
			{
				name: 'pagePath',
				displayName: 'Page Path',
				path: ['weappinfo', 'pagepath'],
				expected: withHtmlPage,
			},
			{ name: 'displayName', displayName: 'Display Name', path: ['sourcedisplayname'] },
			{ name: 'iconUrl', displayName: 'Icon URL', path: ['weappinfo', 'weappiconurl'] },
			{ name: 'shareId', displayName: 'Share ID', path: ['weappinfo', 'shareId'], optional: true },
			{
				name: 'cdnThumbUrl',
				displayName: 'Cover CDN URL',
				path: ['appattach', 'cdnthumburl'],
				optional: true,
			},
			{
				name: 'cdnThumbMd5',
				displayName: 'Cover MD5',
				path: ['appattach', 'cdnthumbmd5'],
				optional: true,
			},
			{
				name: 'cdnThumbAesKey',
				displayName: 'Cover AES Key',
				path: ['appattach', 'cdnthumbaeskey'],
				optional: true,
			},
			{ name: 'aesKey', displayName: 'AES Key', path: ['appattach', 'aeskey'], optional: true },
		],
	},
	{
		operation: 'forwardFile',
		parameters: { source: 'fields', fileSize: 1024 },
		fields: [
			{ name: 'fileName', displayName: 'File Name', path: ['title'] },
			{ name: 'attachId', displayName: 'Attachment ID', path: ['appattach', 'attachid'] },
			{
				name: 'cdnAttachUrl',
				displayName: 'CDN Attachment URL',
				path: ['appattach', 'cdnattachurl'],
			},
			{ name: 'aesKey', displayName: 'AES Key', path: ['appattach', 'aeskey'] },
			{ name: 'md5', displayName: 'MD5', path: ['md5'] },
			{
				name: 'fileExt',
				displayName: 'File Extension',
				path: ['appattach', 'fileext'],
				optional: true,
			},
			{ name: 'fileKey', displayName: 'File Key', path: ['appattach', 'filekey'], optional: true },
			{
				name: 'fileUploadToken',
				displayName: 'File Upload Token',
				path: ['appattach', 'fileuploadtoken'],
				optional: true,
			},
		],
	},
];

const sims = useSimulators({ plain: {} });

type Via = 'direct' | 'engine';
const CREDENTIALS = () => ({ baseUrl: sims.plain.url, wxid: SENDER, timeout: 10 });

/** Sends items `{ to, v }` with every field of the spec taken from `v`, one way or the other. */
async function send(
	spec: OperationSpec,
	items: Array<{ to: string; v: Record<string, string> }>,
	via: Via,
): Promise<NodeRun> {
	if (via === 'engine') {
		const main: Record<string, string> = {};
		const additional: Record<string, string> = {};
		for (const field of spec.fields) {
			(field.optional ? additional : main)[field.name] =
				`={{ $json.v[${JSON.stringify(field.name)}] }}`;
		}
		return runWeChatNode({
			credentials: CREDENTIALS(),
			items,
			continueOnFail: true,
			parameters: {
				operation: spec.operation,
				toUserName: '={{ $json.to }}',
				...spec.parameters,
				...main,
				additionalFields: additional,
				options: FAST,
			},
		});
	}
	const main: Record<string, unknown> = {};
	const additional: Record<string, unknown> = {};
	for (const field of spec.fields) {
		(field.optional ? additional : main)[field.name] = (item: IDataObject) =>
			(item.v as Record<string, string>)[field.name];
	}
	const run = await runDirect({
		credentials: CREDENTIALS(),
		items,
		continueOnFail: true,
		parameters: {
			operation: spec.operation,
			toUserName: (item: IDataObject) => item.to,
			...spec.parameters,
			...main,
			additionalFields: additional,
			options: FAST,
		},
	});
	return {
		items: run.items,
		error: run.error as NodeRun['error'],
		run: undefined as unknown as NodeRun['run'],
		tries: 1,
	};
}

function quote(text: string): string {
	const shown = text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text;
	return JSON.stringify(shown);
}

function valuesFor(spec: OperationSpec, generated: Record<string, string>): Record<string, string> {
	const v: Record<string, string> = {};
	for (const f of spec.fields) v[f.name] = (f.prefix ?? '') + generated[f.name];
	return v;
}

describe.each(OPERATIONS)('$operation', (spec) => {
	const record = fc.record(Object.fromEntries(spec.fields.map((f) => [f.name, hostileNonBlank])));

	test.each([
		['direct', CASES, SEED],
		['engine', ENGINE_CASES, SEED + 1],
	] as Array<[Via, number, number]>)(
		`every text field, generated values arrive exactly: %s, %i cases (seed %i)`,
		async (via, count, seed) => {
			const items = fc
				.sample(record, { numRuns: count, seed })
				.map((generated, i) => ({ to: `wxid_h${i}`, v: valuesFor(spec, generated) }));
			const run = await send(spec, items, via);
			const slots: Slot[] = items.map((item, itemIndex) => ({
				itemIndex,
				recipient: item.to,
				title: '',
			}));
			const accounting = account(slots, run, sims.plain.messages, { belongs: byRecipient });

			const mismatches: string[] = [];
			const messageTo = new Map(sims.plain.messages.map((m) => [m.toUserName, m]));
			items.forEach((item, i) => {
				const message = messageTo.get(item.to);
				if (!message) {
					const error = run.items.find((o) => (o.pairedItem as { item: number }).item === i)?.json
						.error;
					mismatches.push(`item ${i}: not sent (${String(error)})`);
					return;
				}
				let root;
				try {
					root = readXmlStrict(message.appMsgXml);
				} catch (error) {
					mismatches.push(`item ${i}: the XML does not parse: ${(error as Error).message}`);
					return;
				}
				for (const field of spec.fields) {
					const given = item.v[field.name];
					const expected = field.expected ? field.expected(given) : given;
					const arrived = valueAt(root, field.path);
					if (arrived !== expected)
						mismatches.push(
							`item ${i}, ${field.displayName}: gave ${quote(expected)}, arrived ${quote(String(arrived))}`,
						);
				}
			});
			const badItems = new Set(mismatches.map((m) => m.split(/[,:]/)[0])).size;
			recordAccounting(
				GROUP,
				`${spec.operation}: ${spec.fields.length} text fields, ${count} values each (${via})`,
				accounting,
				{
					cases: count * spec.fields.length,
					outcomes: {
						'field parsed back exactly': count * spec.fields.length - mismatches.length,
						'item not exact': badItems,
					},
					misreported: accounting.misreported + badItems,
				},
			);
			expect(mismatches.slice(0, 10)).toEqual([]);
			expect(violations(accounting)).toEqual([]);
			expect(sims.plain.messages).toHaveLength(count);
		},
		120_000,
	);
});

test.each([
	['direct', CASES, SEED],
	['engine', ENGINE_CASES / 2, SEED + 2],
] as Array<[Via, number, number]>)(
	'a character XML cannot hold, in any sendLink field, is refused naming the field and the item: %s, %i cases (seed %i)',
	async (via, count, seed) => {
		const spec = OPERATIONS[0];
		const arbitrary = fc.tuple(
			fc.constantFrom(...spec.fields),
			textWithNonXmlChar,
			fc.record(Object.fromEntries(spec.fields.map((f) => [f.name, hostileNonBlank]))),
		);
		const cases = fc
			.sample(arbitrary, { numRuns: count, seed })
			.map(([field, bad, generated], i) => {
				const v = valuesFor(spec, generated);
				v[field.name] = (field.prefix ?? '') + bad.text;
				const codePoint = bad.bad.codePointAt(0) ?? 0;
				return {
					to: `wxid_bad${i}`,
					v,
					field,
					position: (field.prefix ?? '').length + bad.index + 1,
					codePoint,
				};
			});
		const run = await send(
			spec,
			cases.map(({ to, v }) => ({ to, v })),
			via,
		);
		const problems: string[] = [];
		cases.forEach((item, i) => {
			const output = run.items.find((o) => (o.pairedItem as { item: number }).item === i);
			const error = String(output?.json.error ?? '');
			const code = `U+${item.codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
			const expected = `"${item.field.displayName}" contains the character ${code} at position ${item.position}, which XML cannot carry; remove it (item ${i})`;
			if (error !== expected)
				problems.push(`item ${i}: expected ${quote(expected)}, got ${quote(error)}`);
		});
		recordCase({
			group: GROUP,
			name: `sendLink: a character XML 1.0 cannot hold, in a random field (${via})`,
			cases: count,
			outcomes: {
				'refused, field and item named': count - problems.length,
				other: problems.length,
			},
			lost: 0,
			duplicated: 0,
			misreported: sims.plain.messages.length + problems.length,
		});
		expect(problems.slice(0, 10)).toEqual([]);
		// Nothing was sent; nothing even reached the gateway.
		expect(sims.plain.calls).toHaveLength(0);
	},
	120_000,
);
