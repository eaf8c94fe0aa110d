'use strict';
/**
 * A real n8n in queue mode on 127.0.0.1, for the end-to-end suite and the bench: Redis and
 * PostgreSQL of our own (scripts/lib/services.js), one `n8n start` main instance that takes the
 * webhooks and queues their executions, and `n8n worker` processes that run them, each with its
 * own user folder holding the packed package, all sharing one encryption key. `remove()` ends
 * every process and deletes every folder.
 *
 * What n8n 2.41.1 needs for this (its @n8n/config and scaling service):
 * - EXECUTIONS_MODE=queue and QUEUE_BULL_REDIS_HOST/PORT on every process: main puts each
 *   production execution (webhook, trigger) on the Bull queue in Redis; workers take them.
 *   Manual executions stay on main unless OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true.
 * - DB_TYPE=postgresdb and DB_POSTGRESDB_*: workers load the workflow and credentials and write
 *   results to the same database as main (sqlite cannot be shared between processes).
 * - the same N8N_ENCRYPTION_KEY everywhere, or workers cannot decrypt the credentials.
 * - community packages installed on every process that runs them: main (the editor lists the
 *   nodes, main registers the webhooks) and each worker (it executes them).
 * - a task-runner broker port per process (two processes on one machine).
 * Bull's maxStalledCount is 0 in n8n: the execution of a worker that dies is not run again by
 * another worker; main saves it as an error with empty run data (workflow-runner's processError).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../n8n-runtime/runtime');
const { waitFor, sleep } = require('./waitFor');
const { freePort, startPostgres, startRedis } = require('./services');

const OWNER = {
	email: 'queue@example.com',
	password: 'Queue-Passw0rd',
	firstName: 'Queue',
	lastName: 'Owner',
};

function queueEnv({ redis, postgres }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// a short outage (the Redis-down test) must not make n8n give up on Redis for good
		QUEUE_BULL_REDIS_TIMEOUT_THRESHOLD: String(60_000),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		DB_POSTGRESDB_POOL_SIZE: '4',
		// a dead worker's job is found stalled within seconds, not after n8n's minute-long lock
		QUEUE_WORKER_LOCK_DURATION: String(15_000),
		QUEUE_WORKER_LOCK_RENEW_TIME: String(3_000),
		QUEUE_WORKER_STALLED_INTERVAL: String(5_000),
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
	};
}

/** Spawns `n8n worker` and waits for "n8n worker is now ready". */
async function startWorker({ runtime, userFolder, env, concurrency, name }) {
	const logFile = path.join(userFolder, 'n8n-worker.log');
	const logStream = fs.createWriteStream(logFile, { flags: 'a' });
	let text = '';
	const child = spawn(runtime.nodeBin, [runtime.n8nBin, 'worker', `--concurrency=${concurrency}`], {
		cwd: userFolder,
		env: rt.n8nEnv({
			userFolder,
			port: await freePort(),
			brokerPort: await freePort(),
			extra: { ...env, QUEUE_HEALTH_CHECK_PORT: String(await freePort()) },
		}),
		stdio: ['ignore', 'pipe', 'pipe'],
		// its own process group: the task runner it starts dies with it
		detached: true,
	});
	const onData = (chunk) => {
		logStream.write(chunk);
		text += chunk;
		if (text.length > 400_000) text = text.slice(-200_000);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	const exited = new Promise((resolve) =>
		child.once('close', (code, signal) => resolve({ code, signal })),
	);
	let gone = false;
	exited.then(() => {
		gone = true;
		logStream.end();
	});
	const signalGroup = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			/* already gone */
		}
	};
	process.once('exit', () => signalGroup('SIGKILL'));
	const worker = {
		name,
		pid: child.pid,
		logFile,
		log: () => text,
		exited,
		get dead() {
			return gone;
		},
		/** Ends it at once, as a crash or an OOM kill would: no graceful shutdown. */
		kill: async () => {
			signalGroup('SIGKILL');
			await exited;
		},
		stop: async () => {
			if (gone) return;
			signalGroup('SIGTERM');
			const timer = setTimeout(() => signalGroup('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
			signalGroup('SIGKILL');
		},
	};
	await waitFor(
		`worker ${name} to be ready`,
		() => {
			if (gone) throw new Error(`worker ${name} exited before it was ready:\n${text.slice(-3000)}`);
			return /n8n worker is now ready/.test(text);
		},
		{ timeoutMs: 420_000, intervalMs: 250 },
	);
	return worker;
}

/** A REST call with n8n's auth cookie; `data` unwrapped. */
async function restCall(baseUrl, cookie, method, urlPath, body) {
	const response = await fetch(`${baseUrl}${urlPath}`, {
		method,
		headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (response.status >= 400)
		throw new Error(`${method} ${urlPath} -> ${response.status}: ${text.slice(0, 500)}`);
	const json = text ? JSON.parse(text) : undefined;
	const setCookie = response.headers.getSetCookie?.() ?? [];
	const auth = setCookie.map((line) => /^(n8n-auth=[^;]+)/.exec(line)?.[1]).find(Boolean);
	return {
		data: json && typeof json === 'object' && 'data' in json ? json.data : json,
		cookie: auth,
	};
}

/**
 * Starts Redis, PostgreSQL, main and `workers` workers with the package installed.
 * @param {{ tarball: string, workers?: number, concurrency?: number, log?: (m: string) => void, mainEnv?: object, workerEnv?: object }} options
 */
async function startQueueMode({
	tarball,
	workers = 2,
	concurrency = 10,
	log = () => {},
	mainEnv = {},
	workerEnv = {},
}) {
	const started = Date.now();
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-queue-'));
	const cleanups = [];
	const remove = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
		cleanups.length = 0;
		if (!process.env.QUEUE_KEEP) fs.rmSync(work, { recursive: true, force: true });
		else log(`kept ${work}`);
	};
	try {
		const runtime = await rt.ensureRuntime({ log });
		const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
		cleanups.push(
			() => postgres.remove(),
			() => redis.remove(),
		);
		log(`redis on ${redis.port}, postgres on ${postgres.port} (${Date.now() - started} ms)`);
		const env = queueEnv({ redis, postgres });

		const mainFolder = path.join(work, 'main');
		const { encryptionKey } = await rt.createUserFolder(mainFolder);
		await rt.installCommunityPackage({ userFolder: mainFolder, tarball, log });
		const workerFolders = [];
		for (let index = 1; index <= workers; index++) {
			const folder = path.join(work, `worker${index}`);
			await rt.createUserFolder(folder, { encryptionKey });
			// the same install as main's: a copy of its nodes folder (one npm install, not three)
			fs.cpSync(path.join(mainFolder, '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), {
				recursive: true,
			});
			workerFolders.push(folder);
		}
		log(`package installed on main and ${workers} workers (${Date.now() - started} ms)`);

		// main first: it runs the database migrations the workers expect
		// PostgreSQL migrations on a first start take a minute or two on a busy 2-core machine
		const main = await rt.startServer({
			userFolder: mainFolder,
			env: { ...env, ...mainEnv },
			runtime,
			log,
			timeoutMs: 420_000,
		});
		cleanups.push(() => main.stop());
		const workerHandles = [];
		const launchWorker = async (index) => {
			const worker = await startWorker({
				runtime,
				userFolder: workerFolders[index],
				env: { ...env, ...workerEnv },
				concurrency,
				name: `worker${index + 1}`,
			});
			workerHandles[index] = worker;
			cleanups.push(() => worker.stop());
			return worker;
		};
		await Promise.all(workerFolders.map((_, index) => launchWorker(index)));
		log(`main and ${workers} workers ready (${Date.now() - started} ms)`);

		const setup = await restCall(main.url, undefined, 'POST', '/rest/owner/setup', OWNER);
		const cookie = setup.cookie;
		const rest = (method, urlPath, body) => restCall(main.url, cookie, method, urlPath, body);

		return {
			work,
			redis,
			postgres,
			main,
			workers: workerHandles,
			url: main.url,
			rest,
			startedInMs: Date.now() - started,
			/** Starts a worker that was killed again, in its own folder, under its own name. */
			async restartWorker(worker) {
				const index = workerHandles.indexOf(worker);
				if (index < 0) throw new Error(`${worker.name} is not one of this instance's workers`);
				await worker.stop();
				return launchWorker(index);
			},
			async createCredential(name, type, data) {
				return (await rest('POST', '/rest/credentials', { name, type, data })).data;
			},
			/** Saves and activates a workflow, and waits until its webhook answers. */
			async activateWorkflow(workflow, webhookPath) {
				const saved = (await rest('POST', '/rest/workflows', { ...workflow, active: false })).data;
				await rest('POST', `/rest/workflows/${saved.id}/activate`, { versionId: saved.versionId });
				if (webhookPath) {
					await waitFor(
						`webhook ${webhookPath}`,
						async () => {
							const response = await fetch(`${main.url}/webhook/${webhookPath}`);
							const text = await response.text();
							return response.status === 200 || /Did you mean to make a POST request/.test(text);
						},
						{ timeoutMs: 30_000 },
					);
				}
				return saved;
			},
			/** POSTs to a production webhook; the execution goes to the queue. */
			async trigger(webhookPath, body) {
				const response = await fetch(`${main.url}/webhook/${webhookPath}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
				});
				const text = await response.text();
				if (response.status !== 200)
					throw new Error(`webhook ${webhookPath} -> ${response.status}: ${text}`);
				return text;
			},
			/** Executions of a workflow, with their data, once `count` of them have finished. */
			async finishedExecutions(workflowId, count, timeoutMs = 120_000) {
				const filter = encodeURIComponent(JSON.stringify({ workflowId }));
				const list = await waitFor(
					`${count} finished executions of ${workflowId}`,
					async () => {
						const { data } = await rest('GET', `/rest/executions?filter=${filter}&limit=100`);
						const done = data.results.filter(
							(execution) => !['running', 'new', 'waiting'].includes(execution.status),
						);
						return done.length >= count ? done : undefined;
					},
					{ timeoutMs, intervalMs: 500 },
				);
				return Promise.all(
					list.map(
						async (execution) => (await rest('GET', `/rest/executions/${execution.id}`)).data,
					),
				);
			},
			remove,
		};
	} catch (error) {
		await remove();
		throw error;
	}
}

/** The run data of a full execution (GET /rest/executions/:id): n8n stores it flattened. */
function runDataOf(execution) {
	const { parse } = require('flatted');
	const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
	return data.resultData;
}

module.exports = { startQueueMode, runDataOf, waitFor, sleep, OWNER };
