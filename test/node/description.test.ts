/** The editor contract: names that saved workflows and expressions depend on. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { WeChatGatewayApi } from '../../credentials/WeChatGatewayApi.credentials';
import { offeredResources, resources } from '../../nodes/WeChatGateway/actions/registry';
import { WeChatGateway } from '../../nodes/WeChatGateway/WeChatGateway.node';

const description = new WeChatGateway().description;

/** n8n's rule: a property shows when each key of its `show` has one of the listed values. */
const shows = (property: INodeProperties, state: Record<string, string>) =>
	Object.entries(property.displayOptions?.show ?? {}).every(
		([key, values]) => key in state && (values as unknown[]).includes(state[key]),
	);
const visibleFor = (operation: string, extra: Record<string, string> = {}, resource = 'message') =>
	description.properties
		.filter((p) => shows(p, { resource, operation, ...extra }))
		.map((p) => p.name);

const operationSwitch = (resource: string) =>
	description.properties.find(
		(p) => p.name === 'operation' && shows(p, { resource }),
	) as INodeProperties;
const operationValues = (resource = 'message') =>
	operationSwitch(resource).options?.map((o) => (o as { value: string }).value);

test("the editor offers the registry, in its order: a resource switch, then each resource's operations", () => {
	const resource = description.properties[0];
	expect(resource.name).toBe('resource');
	expect(resource.default).toBe('message');
	expect(resource.options?.map((o) => (o as { value: string }).value)).toEqual(
		offeredResources.map((entry) => entry.value),
	);
	for (const { value, operations } of offeredResources) {
		expect(operationValues(value)).toEqual(operations.map((operation) => operation.option.value));
		expect(operationSwitch(value).default).toBe(operations[0].option.value);
	}
});

test('a resource without operations is not offered; contact, group and account are named for what comes', () => {
	expect(Object.keys(resources)).toEqual(['message', 'contact', 'group', 'account']);
	const offered = offeredResources.map((entry) => entry.value);
	for (const [name, resource] of Object.entries(resources))
		expect([name, offered.includes(name as never)]).toEqual([name, resource.operations.length > 0]);
});

test('every field but the resource switch shows for one resource only', () => {
	for (const property of description.properties.slice(1))
		expect([property.name, property.displayOptions?.show?.resource?.length]).toEqual([
			property.name,
			1,
		]);
});

test('workflows saved by 0.2 (no resource, no operation) get Send Link under Message', () => {
	expect(operationSwitch('message').default).toBe('sendLink');
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
	for (const operation of resources.message.operations) {
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
		'resource',
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
		'resource',
		'operation',
		'toUserName',
		'source',
		'messageXml',
		'overrides',
		'options',
	]);
	expect(visibleFor('forwardFile', { source: 'fields' })).toEqual([
		'resource',
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
	expect(visibleFor('sendAppMsgXml')).toEqual([
		'resource',
		'operation',
		'toUserName',
		'messageXml',
		'options',
	]);
	expect(visibleFor('parseAppMsgXml')).toEqual(['resource', 'operation', 'messageXml']);
	expect(visibleFor('sendText')).toEqual([
		'resource',
		'operation',
		'toUserName',
		'text',
		'mentions',
		'textOptions',
		'options',
	]);
	expect(visibleFor('replyWithQuote')).toEqual([
		'resource',
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
		'resource',
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
			'checkRecipients',
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
		'mediaDownloadFolder',
		'mediaDownloadUrl',
		'allowPrivateMediaUrls',
	]);
	// the Redis URL carries the Redis password
	for (const secret of ['authHeaderSecret', 'coordinationRedisUrl'])
		expect(credential.properties.find((p) => p.name === secret)?.typeOptions?.password).toBe(true);
	expect(credential.properties.find((p) => p.name === 'coordinationRedisUrl')?.default).toBe('');
	expect(credential.properties.find((p) => p.name === 'timeout')?.default).toBe(10);
	expect(credential.properties.find((p) => p.name === 'allowPrivateMediaUrls')?.default).toBe(
		false,
	);
});

test('package.json declares what n8n loads, and only the four runtime dependencies', () => {
	const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.n8n.nodes).toEqual([
		'dist/nodes/WeChatGateway/WeChatGateway.node.js',
		'dist/nodes/WeChatGateway/WeChatGatewayTrigger.node.js',
	]);
	expect(pkg.n8n.credentials).toEqual(['dist/credentials/WeChatGatewayApi.credentials.js']);
	expect(Object.keys(pkg.dependencies).sort()).toEqual([
		'fast-xml-parser',
		'ioredis',
		'silk-wasm',
		'undici',
	]);
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
