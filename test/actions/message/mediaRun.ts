/**
 * What the media send tests share: the simulator with the gateway's media commands modelled,
 * runs of the node through n8n's engine with files on the input items, and what reached it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { runWeChatNode, type RunOptions } from '../../support/engine';
import { startMediaSimulator, type MediaSimulator } from '../../simulator/api';
import { startFresh } from '../../support/simulators';

export const SENDER = 'wxid_sender01';
export const GROUP = '6949093048@chatroom';
export const FAST = { messageInterval: 0, maxRecipientsPerMinute: 0, retryDelay: 1 };

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const mediaBytes = require('../../../simulator/mediaBytes') as {
	png(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer;
	silk(options?: { frames?: number; tencent?: boolean; seed?: number }): Buffer;
	STICKER_GIF: Buffer;
	md5(bytes: Buffer | string): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const mediaXml = require('../../../simulator/mediaXml') as {
	imageXml(bytes: Buffer, seed: number | string): string;
	emojiXml(spec: {
		md5: string;
		length: number;
		baseUrl: string;
		from: string;
		to: string;
	}): string;
};

/** A gateway simulator that checks cgi 110, 127 and 175 as the gateway does; fresh per test. */
export function useMediaGateway(): { readonly gateway: MediaSimulator } {
	const holder = {} as { gateway: MediaSimulator };
	beforeAll(async () => {
		holder.gateway = await startMediaSimulator({ accounts: [SENDER], modelCommands: true });
	});
	afterAll(async () => holder.gateway.close());
	beforeEach(() => startFresh(holder.gateway));
	return holder;
}

/** Files served over plain HTTP by path, for the URLs the gateway fetches itself. */
export function useFileServer(files: Record<string, Buffer>): { readonly url: string } {
	const holder = { url: '' };
	let server: http.Server;
	beforeAll(async () => {
		server = http.createServer((request, response) => {
			const body = files[request.url ?? ''];
			if (body) response.writeHead(200).end(body);
			else response.writeHead(404).end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		holder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => new Promise((resolve) => server.close(resolve)));
	return holder;
}

export type File = { data: Buffer; fileName?: string; mimeType?: string };

/** The node through n8n's engine, each item's `files` stored as n8n binary data. */
export async function runMedia(
	gateway: MediaSimulator,
	parameters: RunOptions['parameters'],
	more: Partial<RunOptions> = {},
) {
	return runWeChatNode({
		credentials: { baseUrl: gateway.url, wxid: SENDER, timeout: 10 },
		...more,
		parameters: { options: FAST, ...parameters },
	});
}

export interface SentBody {
	CgiCmd: number;
	CgiRequest: Record<string, unknown>;
}

/** Every body the gateway received, parsed. */
export const bodies = (gateway: MediaSimulator): SentBody[] =>
	gateway.calls.map((call) => JSON.parse(call.body) as SentBody);

/** The simulator's record of each accepted media message (what it read from the request). */
export const accepted = (gateway: MediaSimulator) =>
	gateway.messages as unknown as Array<Record<string, unknown> & { newMsgId: string }>;
