/** Waits `ms`, or rejects with PacingAbortedError as soon as the execution is stopped. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) return Promise.reject(new PacingAbortedError());
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(new PacingAbortedError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export class PacingAbortedError extends Error {
	constructor() {
		super('The execution was stopped');
		this.name = 'PacingAbortedError';
	}
}
