import type { INodeCredentialTestResult } from 'n8n-workflow';

import { ACCOUNT_RETS, RET_HINTS } from '../wechat';
import { GatewayClient } from './client';
import { GatewayError } from './errors';
import { checkGatewaySocket } from './socketCheck';
import { gatewaySocketSettingsFrom } from './socketSettings';

/**
 * Passes only for a server that answers like the gateway, on both of its doors. It calls cgi 222
 * with no recipient and no XML, which a gateway refuses, so the test never sends a message; and
 * it opens the trigger's WebSocket and closes it again without sending anything on it.
 */
export async function testGatewayConnection(
	credentials: Record<string, unknown>,
): Promise<INodeCredentialTestResult> {
	let client: GatewayClient | undefined;
	try {
		const settings = gatewaySocketSettingsFrom(credentials);
		client = new GatewayClient(settings);
		const { ret, errMsg } = await client.probe();
		// The gateway answered, but says that the account cannot send right now.
		const problem = ACCOUNT_RETS.has(ret) ? RET_HINTS[ret] : undefined;
		if (problem)
			return {
				status: 'Error',
				message: `The gateway answered, but ${problem} (Ret ${ret}${errMsg ? `: ${errMsg}` : ''})`,
			};
		const socketProblem = await checkGatewaySocket(settings, settings.timeoutSeconds * 1000);
		if (socketProblem)
			return {
				status: 'Error',
				message: `The gateway answers, but the trigger's "WebSocket URL" does not work: ${socketProblem}`,
			};
		return { status: 'OK', message: `Connected to the WeChat gateway as ${settings.wxid}` };
	} catch (error) {
		const message =
			error instanceof GatewayError || error instanceof Error ? error.message : String(error);
		return { status: 'Error', message };
	} finally {
		await client?.close();
	}
}
