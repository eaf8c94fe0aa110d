/** The trigger's editor contract: the names saved workflows and expressions depend on. */
import type { INodeProperties } from 'n8n-workflow';

import { WeChatGatewayTrigger } from '../../nodes/WeChatGateway/WeChatGatewayTrigger.node';
import { GATEWAY_EVENTS } from '../../nodes/WeChatGateway/trigger/frame';
import { MESSAGE_KINDS } from '../../nodes/WeChatGateway/trigger/message';

const description = new WeChatGatewayTrigger().description;
const property = (name: string) =>
	description.properties.find((p) => p.name === name) as INodeProperties;
const values = (p: INodeProperties) =>
	(p.options as Array<{ value: string }>).map((o) => o.value).sort();

test('name, display name, credential and no input', () => {
	expect(description.name).toBe('weChatGatewayTrigger');
	expect(description.displayName).toBe('WeChat Gateway Trigger');
	expect(description.group).toEqual(['trigger']);
	expect(description.inputs).toEqual([]);
	expect(description.credentials).toEqual([
		expect.objectContaining({ name: 'weChatGatewayApi', required: true }),
	]);
	expect(description.properties.map((p) => p.name)).toEqual([
		'events',
		'messageKinds',
		'chats',
		'options',
	]);
});

test('events, message kinds and chats have exactly the values of the contract', () => {
	expect(values(property('events'))).toEqual(
		[
			'newMessage',
			'pat',
			'friendRequest',
			'contactChange',
			'groupInvite',
			'moments',
			'accountOffline',
		].sort(),
	);
	expect(Object.keys(GATEWAY_EVENTS).sort()).toEqual(values(property('events')));
	expect(property('events').default).toEqual(['newMessage']);
	expect(values(property('messageKinds'))).toEqual([...MESSAGE_KINDS].sort());
	expect(property('messageKinds').default).toEqual([]);
	expect(values(property('chats'))).toEqual(['all', 'groups', 'private']);
	expect(property('chats').default).toBe('all');
});

test('options: downloadMedia, groupIds, onlyWhenMentioned, ignoreOwnMessages (on by default), includeRaw, voiceFormat (SILK unless WAV is asked for)', () => {
	const options = property('options').options as INodeProperties[];
	expect(Object.fromEntries(options.map((o) => [o.name, o.default]))).toEqual({
		downloadMedia: false,
		groupIds: '',
		ignoreOwnMessages: true,
		includeRaw: false,
		onlyWhenMentioned: false,
		voiceFormat: 'silk',
	});
	const voiceFormat = options.find((o) => o.name === 'voiceFormat')!;
	expect(voiceFormat.options?.map((o) => (o as { value: string }).value)).toEqual(['silk', 'wav']);
});
