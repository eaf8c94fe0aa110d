/** Real HTTP and WebSocket to a simulator, for the tests of its own contract. */
import type { MediaSimulator } from './api';

/** The `ws` client the simulator itself uses (it ships no types). */
interface SocketClient {
	on(event: 'message', listener: (data: Buffer) => void): void;
	once(event: 'open' | 'error', listener: (error?: Error) => void): void;
	close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require('ws') as new (url: string) => SocketClient;

export interface Answer {
	status: number;
	text: string;
	/** The answer parsed; 64-bit numbers in it are rounded, so compare ids on `text`. */
	json: { CgiBaseResponse: { Ret: number; ErrMsg: string }; ResponseData: unknown };
}

/** POSTs `{"CgiCmd":cgiCmd,"CgiRequest":<request>}` as written (a string stays byte for byte). */
export async function call(
	simulator: MediaSimulator,
	cgiCmd: number,
	request: string | object,
	{
		path = 'api',
		wxid = 'wxid_bot1',
		signal,
	}: { path?: string; wxid?: string; signal?: AbortSignal } = {},
): Promise<Answer> {
	const requestText = typeof request === 'string' ? request : JSON.stringify(request);
	const response = await fetch(
		`${simulator.url}/v2/${path}?funcname=MagicCgi&timeout=10&wxid=${wxid}`,
		{
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: `{"CgiCmd":${cgiCmd},"CgiRequest":${requestText}}`,
			signal,
		},
	);
	const text = await response.text();
	return { status: response.status, text, json: JSON.parse(text) };
}

/** A plain GET: status, content type and bytes. */
export async function get(url: string) {
	const response = await fetch(url);
	return {
		status: response.status,
		contentType: response.headers.get('content-type') ?? '',
		bytes: Buffer.from(await response.arrayBuffer()),
	};
}

/** A client on the simulator's /ws that keeps every text frame it gets. */
export async function openSocket(simulator: MediaSimulator) {
	const ws = new WebSocket(`${simulator.url.replace(/^http/, 'ws')}/ws`);
	const frames: string[] = [];
	ws.on('message', (data) => frames.push(String(data)));
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	return {
		frames,
		/** Waits (generously) until `count` frames have come, and returns them. */
		async take(count: number): Promise<string[]> {
			const until = Date.now() + 10_000;
			while (frames.length < count) {
				if (Date.now() > until) throw new Error(`only ${frames.length} of ${count} frames came`);
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
			return frames.splice(0, count);
		},
		close: () => ws.close(),
	};
}
