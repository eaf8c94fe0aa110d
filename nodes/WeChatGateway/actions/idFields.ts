import type { INodeProperties } from 'n8n-workflow';

import { AppMsgInputError } from '../appmsg/model';
import { GROUP_ID_SUFFIX, isGroupId } from '../wechat';
import type { ParameterReader } from './operation';
import { parseRecipients } from './recipients';

/**
 * The id fields the contact and group operations share. Ids, never names: WeChat finds a
 * contact or group only by its id, and a model used as a tool must be told so.
 */
export function wxidsField(operation: string, description: string): INodeProperties {
	return {
		displayName: 'Wxids',
		name: 'wxids',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'wxid_a1b2c3d4e5f6, wxid_g7h8i9',
		description,
		displayOptions: { show: { operation: [operation] } },
	};
}

const GROUP_ID_DESCRIPTION =
	"The group's ID (…@chatroom, never its name), e.g. the trigger's chatId for a message in a group";

export function groupIdField(
	operation: string,
	description = GROUP_ID_DESCRIPTION,
): INodeProperties {
	return {
		displayName: 'Group ID',
		name: 'groupId',
		type: 'string',
		default: '',
		required: true,
		placeholder: `12345678901${GROUP_ID_SUFFIX}`,
		description,
		displayOptions: { show: { operation: [operation] } },
	};
}

/** Wxids separated by commas or new lines, or a list; each a WeChat ID, repeats once. */
export function readWxids(parameters: ParameterReader): string[] {
	return parseRecipients(parameters.get('wxids', ''), 'Wxids');
}

/** One group's id (…@chatroom). */
export function readGroupId(parameters: ParameterReader): string {
	const field = 'Group ID';
	const value = parameters.get('groupId', '');
	const text = typeof value === 'string' ? value.trim() : '';
	if (!isGroupId(text))
		throw new AppMsgInputError(
			text === ''
				? `"${field}" is empty: give the group's ID (…${GROUP_ID_SUFFIX}), e.g. the trigger's chatId in a group`
				: `"${field}" has "${String(value).slice(0, 60)}", which is not a group ID: it must end with ${GROUP_ID_SUFFIX} (the trigger's chatId in a group), not a group name`,
			field,
		);
	return text;
}
