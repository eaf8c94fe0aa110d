import type { IDataObject } from 'n8n-workflow';

import { GatewayError } from '../../transport/errors';
import type { SendOperation } from '../operation';

/** How /v2/wechatinfo writes a wxid: its last four characters replaced by this. */
const MASK = '****';

/** Whether a wxid as /v2/wechatinfo lists it (masked, or whole where a build does not mask) is `wxid`. */
export function isListedAs(listed: unknown, wxid: string): boolean {
	if (typeof listed !== 'string') return false;
	if (listed === wxid) return true;
	return (
		listed.length === wxid.length &&
		wxid.length > MASK.length &&
		listed.endsWith(MASK) &&
		listed.slice(0, -MASK.length) === wxid.slice(0, -MASK.length)
	);
}

/** The accounts the gateway lists as logged in: `ResponseData.WeChatUsers`. */
function listedAccounts(data: Record<string, unknown>): IDataObject[] {
	const users = data.WeChatUsers;
	if (users === null || users === undefined) return [];
	if (!Array.isArray(users))
		throw new GatewayError(
			'badResponse',
			'The gateway answered /v2/wechatinfo without a list of accounts (ResponseData.WeChatUsers)',
			'rejected',
		);
	return users.filter(
		(user): user is IDataObject =>
			user !== null && typeof user === 'object' && !Array.isArray(user),
	);
}

/**
 * Whether the credential's account is logged in to the gateway (GET /v2/wechatinfo). The gateway
 * lists its accounts with each wxid masked, so the account is matched in that masked form: an
 * account whose wxid differs only in its last four characters would read as the same one.
 */
export const getAccountStatus: SendOperation = {
	sends: true,
	addressed: false,
	option: {
		name: 'Get Status',
		value: 'getStatus',
		action: 'Get the status of the account',
		description:
			"Whether the credential's account is logged in to the gateway (online), its nickname, and every account the gateway lists (GET /v2/wechatinfo); needs no input",
	},
	properties: [],
	toRequest(parameters) {
		const wxid = parameters.accountWxid ?? '';
		return {
			recipients: [''],
			unpaced: true,
			messageFor: () => ({ call: { method: 'GET', path: '/v2/wechatinfo' } }),
			readReply: (reply) => {
				const accounts = listedAccounts(reply.ResponseData);
				const own = accounts.find((account) => isListedAs(account.Wxid, wxid));
				const nickname = typeof own?.NickName === 'string' ? own.NickName : null;
				return { online: own !== undefined, nickname, accounts };
			},
		};
	},
};
