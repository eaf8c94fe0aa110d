/** The editor contract: names that saved workflows and expressions depend on. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { WeChatGatewayApi } from '../../credentials/WeChatGatewayApi.credentials';
import { operations } from '../../nodes/WeChatGateway/actions/registry';
import { WeChatGateway } from '../../nodes/WeChatGateway/WeChatGateway.node';

const description = new WeChatGateway().description;
const visibleFor = (operation: string, extra: Record<string, string> = {}) =>
	description.properties
		.filter((p) => {
			const show = p.displayOptions?.show ?? {};
			if (show.operation && !show.operation.includes(operation)) return false;
			return Object.entries(extra).every(
				([key, value]) => !show[key] || show[key]!.includes(value),
			);
		})
		.filter(
			(p) =>
				!Object.keys(p.displayOptions?.show ?? {}).some(
					(key) => key !== 'operation' && !(key in extra),
				),
		)
		.map((p) => p.name);

const operationValues = () =>
	(description.properties.find((p) => p.name === 'operation') as INodeProperties).options?.map(
		(o) => (o as { value: string }).value,
	);

test('the editor offers the registry, in its order', () => {
	expect(operationValues()).toEqual(Object.keys(operations));
});

test('the operations saved workflows use are all there, under their names', () => {
	expect(operationValues()).toEqual(
		expect.arrayContaining([
			'sendLink',
			'forwardChannelsVideo',
			'forwardMiniProgram',
			'forwardFile',
			'sendAppMsgXml',
			'parseAppMsgXml',
			'sendText',
			'replyWithQuote',
			'callGatewayCommand',
		]),
	);
});

test('every operation that sends shows To (unless it names no chat) and Options; the others show neither', () => {
	for (const operation of Object.values(operations)) {
		const shown = visibleFor(operation.option.value, { source: 'xml' });
		const addressed = operation.sends && operation.addressed !== false;
		expect([operation.option.value, 'toUserName', shown.includes('toUserName')]).toEqual([
			operation.option.value,
			'toUserName',
			addressed,
		]);
		expect([operation.option.value, 'options', shown.includes('options')]).toEqual([
			operation.option.value,
			'options',
			operation.sends,
		]);
	}
});

test('each operation shows its own fields', () => {
	expect(visibleFor('sendLink')).toEqual([
		'operation',
		'toUserName',
		'title',
		'url',
		'description',
		'thumbUrl',
		'additionalFields',
		'options',
	]);
	expect(visibleFor('forwardFile', { source: 'xml' })).toEqual([
		'operation',
		'toUserName',
		'source',
		'messageXml',
		'overrides',
		'options',
	]);
	expect(visibleFor('forwardFile', { source: 'fields' })).toEqual([
		'operation',
		'toUserName',
		'source',
		'fileName',
		'fileSize',
		'attachId',
		'cdnAttachUrl',
		'aesKey',
		'md5',
		'additionalFields',
		'options',
	]);
	expect(visibleFor('forwardChannelsVideo', { source: 'fields' })).toEqual(
		expect.arrayContaining([
			'objectId',
			'objectNonceId',
			'username',
			'nickname',
			'avatar',
			'description',
			'mediaUrl',
			'thumbUrl',
		]),
	);
	expect(visibleFor('forwardMiniProgram', { source: 'fields' })).toEqual(
		expect.arrayContaining(['title', 'appId', 'username', 'pagePath', 'displayName', 'iconUrl']),
	);
	expect(visibleFor('sendAppMsgXml')).toEqual(['operation', 'toUserName', 'messageXml', 'options']);
	expect(visibleFor('parseAppMsgXml')).toEqual(['operation', 'messageXml']);
	expect(visibleFor('sendText')).toEqual([
		'operation',
		'toUserName',
		'text',
		'mentions',
		'textOptions',
		'options',
	]);
	expect(visibleFor('replyWithQuote')).toEqual([
		'operation',
		'toUserName',
		'text',
		'quotedNewMsgId',
		'quotedSenderWxid',
		'quotedSenderName',
		'quotedMsgType',
		'quotedContent',
		'additionalFields',
		'options',
	]);
	// A command names its chat in its own request, if it has one: no To.
	expect(visibleFor('callGatewayCommand')).toEqual([
		'operation',
		'cgiCmd',
		'cgiRequest',
		'paced',
		'options',
	]);
});

test('option names are fixed', () => {
	const options = description.properties.find((p) => p.name === 'options') as INodeProperties;
	expect((options.options as INodeProperties[]).map((o) => o.name).sort()).toEqual(
		[
			'concurrency',
			'delivery',
			'includeXml',
			'maxRecipientsPerMinute',
			'messageInterval',
			'retries',
			'retryDelay',
			'skipDuplicatesWithin',
		].sort(),
	);
});

test('the node can be an AI agent tool and names its credential test', () => {
	expect(description.usableAsTool).toBe(true);
	expect(description.credentials).toEqual([
		{ name: 'weChatGatewayApi', required: true, testedBy: 'weChatGatewayConnectionTest' },
	]);
});

test('the credential has the fields of the contract', () => {
	const credential = new WeChatGatewayApi();
	expect(credential.name).toBe('weChatGatewayApi');
	expect(credential.properties.map((p) => p.name)).toEqual([
		'baseUrl',
		'wxid',
		'webSocketUrl',
		'authentication',
		'authHeaderName',
		'authHeaderSecret',
		'timeout',
		'ignoreSslIssues',
		'coordinationRedisUrl',
	]);
	// the Redis URL carries the Redis password
	for (const secret of ['authHeaderSecret', 'coordinationRedisUrl'])
		expect(credential.properties.find((p) => p.name === secret)?.typeOptions?.password).toBe(true);
	expect(credential.properties.find((p) => p.name === 'coordinationRedisUrl')?.default).toBe('');
	expect(credential.properties.find((p) => p.name === 'timeout')?.default).toBe(10);
});

test('package.json declares what n8n loads, and only the three runtime dependencies', () => {
	const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.n8n.nodes).toEqual([
		'dist/nodes/WeChatGateway/WeChatGateway.node.js',
		'dist/nodes/WeChatGateway/WeChatGatewayTrigger.node.js',
	]);
	expect(pkg.n8n.credentials).toEqual(['dist/credentials/WeChatGatewayApi.credentials.js']);
	expect(Object.keys(pkg.dependencies).sort()).toEqual(['fast-xml-parser', 'ioredis', 'undici']);
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
});

test('the editor shows the same option defaults the delivery code uses', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { OPTION_DEFAULTS } = require('../../nodes/WeChatGateway/delivery/options');
	const options = description.properties.find((p) => p.name === 'options') as INodeProperties;
	for (const option of options.options as INodeProperties[]) {
		expect([option.name, option.default]).toEqual([option.name, OPTION_DEFAULTS[option.name]]);
	}
});

test('index.js exports the built node and credential classes', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const entry = require('../../index.js');
	expect(new entry.WeChatGateway().description.name).toBe('weChatGateway');
	expect(new entry.WeChatGatewayApi().name).toBe('weChatGatewayApi');
	expect(new entry.WeChatGatewayTrigger().description.name).toBe('weChatGatewayTrigger');
});
