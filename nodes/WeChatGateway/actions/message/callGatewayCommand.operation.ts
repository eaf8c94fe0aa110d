import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../../appmsg/model';
import { JsonInteger, parseJsonExact } from '../../transport/exactJson';
import { isWeChatId } from '../../wechat';
import { readEnvelope } from '../envelope';
import type { ParameterReader, SendOperation } from '../operation';

const show = { show: { operation: ['callGatewayCommand'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Cgi Command',
		name: 'cgiCmd',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 0,
		required: true,
		placeholder: '594',
		description:
			"WeChat's cgi number, the gateway's CgiCmd (publicly seen: 110 image, 127 voice, 182 contact info, 594 revoke, 849 pat). The node checks nothing about the request beyond it being a JSON object.",
		displayOptions: show,
	},
	{
		displayName: 'Cgi Request (JSON)',
		name: 'cgiRequest',
		type: 'json',
		default: '{}',
		required: true,
		placeholder: '{"ToUserName":"wxid_a1b2c3","NewMsgId":7400409546359626802}',
		description:
			"The gateway's CgiRequest, as a JSON object. Numbers above 2^53 (64-bit message IDs) written here reach the gateway exactly.",
		displayOptions: show,
	},
	{
		displayName: 'Pace This Call',
		name: 'paced',
		type: 'boolean',
		default: true,
		description:
			'Whether the call waits its turn like a message (Message Interval, Max Recipients per Minute). Turn off for commands that send nothing to a chat, such as reading contact info.',
		displayOptions: show,
	},
];

function readCgiCmd(parameters: ParameterReader): number {
	const value = parameters.get('cgiCmd', 0);
	const cgiCmd = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
	if (typeof cgiCmd !== 'number' || !Number.isInteger(cgiCmd) || cgiCmd < 1 || cgiCmd > 1_000_000)
		throw new AppMsgInputError(
			`"Cgi Command" must be a cgi number such as 594, got "${String(value).slice(0, 40)}"`,
			'Cgi Command',
		);
	return cgiCmd;
}

/** A value rounded already (by an expression that produced a number too big for a double). */
function findRoundedNumber(value: unknown, path: string): string | undefined {
	if (typeof value === 'number')
		return Number.isInteger(value) && !Number.isSafeInteger(value) ? path : undefined;
	if (Array.isArray(value)) {
		for (const [index, entry] of value.entries()) {
			const found = findRoundedNumber(entry, `${path}[${index}]`);
			if (found) return found;
		}
	} else if (value !== null && typeof value === 'object' && !(value instanceof JsonInteger)) {
		for (const [key, entry] of Object.entries(value)) {
			const found = findRoundedNumber(entry, `${path}.${key}`);
			if (found) return found;
		}
	}
	return undefined;
}

function readCgiRequest(parameters: ParameterReader): Record<string, unknown> {
	const raw = parameters.get('cgiRequest', '{}');
	let value: unknown = raw;
	let invalid: string | undefined;
	if (typeof raw === 'string') {
		try {
			value = parseJsonExact(raw.trim() === '' ? '{}' : raw);
		} catch (error) {
			invalid = (error as Error).message;
		}
	}
	if (invalid !== undefined)
		throw new AppMsgInputError(
			`"Cgi Request (JSON)" is not valid JSON: ${invalid}`,
			'Cgi Request (JSON)',
		);
	if (value === null || typeof value !== 'object' || Array.isArray(value))
		throw new AppMsgInputError(
			'"Cgi Request (JSON)" must be a JSON object, like {"ToUserName":"wxid_…"}',
			'Cgi Request (JSON)',
		);
	const rounded = findRoundedNumber(value, 'CgiRequest');
	if (rounded)
		throw new AppMsgInputError(
			`"Cgi Request (JSON)": ${rounded} is a number above 2^53 that an expression has already rounded; write the JSON as text (the node keeps such numbers exact) or build it with JSON.stringify from the id's digits`,
			'Cgi Request (JSON)',
		);
	return value as Record<string, unknown>;
}

/** Any cgi command the node does not model, sent as given, with the node's pacing and errors. */
export const callGatewayCommand: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Call Gateway Command',
		value: 'callGatewayCommand',
		action: 'Call a gateway command',
		description: 'Call any WeChat cgi through the gateway (image, voice, revoke, contact info, …)',
	},
	properties,
	toRequest(parameters) {
		const cgiCmd = readCgiCmd(parameters);
		const cgiRequest = readCgiRequest(parameters);
		const paced = parameters.get('paced', true) !== false;
		const to = cgiRequest.ToUserName;
		// Addressed to a chat: paced and reported like a message to it; otherwise to nobody.
		const recipient = typeof to === 'string' && isWeChatId(to) ? to : '';
		return {
			recipients: [recipient],
			messageFor: () => ({ call: { CgiCmd: cgiCmd, CgiRequest: cgiRequest } }),
			readReply: readEnvelope,
			output: { CgiCmd: cgiCmd },
			unpaced: !paced,
		};
	},
};
