/**
 * The parts of n8n's trigger context (ITriggerFunctions) the trigger uses, for one activation
 * of one workflow: what it emits, what it logs and the errors it reports are kept for the test.
 */
import type { IDataObject, ITriggerFunctions } from 'n8n-workflow';

export interface TriggerContext {
	fns: ITriggerFunctions;
	emitted: IDataObject[];
	logs: string[];
	/** What the trigger reported through emitError. */
	errors: Error[];
}

interface Deferred {
	promise: Promise<unknown>;
	resolve(value: unknown): void;
}
function createDeferredPromise(): Deferred {
	let resolve!: (value: unknown) => void;
	const promise = new Promise((done) => (resolve = done));
	return { promise, resolve };
}

export function triggerContext(
	credentials: IDataObject,
	mode = 'trigger',
	workflowId = 'workflow-under-test',
): TriggerContext {
	const emitted: IDataObject[] = [];
	const logs: string[] = [];
	const errors: Error[] = [];
	const log = (level: string) => (message: string) => logs.push(`${level} ${message}`);
	const fns = {
		getCredentials: async () => credentials,
		getNodeParameter: (_name: string, fallback: unknown) => fallback,
		getMode: () => mode,
		getWorkflow: () => ({ id: workflowId }),
		getNode: () => ({ name: 'WeChat Gateway Trigger' }),
		logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
		emit: (data: Array<Array<{ json: IDataObject }>>, _response: unknown, done: Deferred) => {
			emitted.push(...data[0].map((entry) => entry.json));
			done.resolve({});
		},
		emitError: (error: Error) => errors.push(error),
		helpers: {
			createDeferredPromise,
			returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })),
		},
	} as unknown as ITriggerFunctions;
	return { fns, emitted, logs, errors };
}
