#!/usr/bin/env node
'use strict';
/**
 * Browser test: the packed package in a real n8n (2.41.1), driven through its editor by
 * Debian's headless Chromium (playwright-core). Plain script; ends with `N passed, N failed`.
 *
 *   node test/browser/run.js                 # screenshots go to test-results/browser/
 *   node test/browser/run.js --update-docs   # ... and are copied to docs/images/
 *
 * What it does, in order (each line of the summary is one check):
 *  1. package hygiene: `npm pack` holds only dist/, README.md, LICENSE and package.json, every
 *     file n8n loads is in it, and package.json has the metadata a community package needs;
 *  2. starts n8n on a free port with an empty user folder, the gateway simulator on 127.0.0.1,
 *     and imports the example workflow examples/workflows/operation-send-link.json with its
 *     credential (kept id and name, Base URL pointed at the simulator);
 *  3. signs in through the sign-in page;
 *  4. installs the package through Settings → Community nodes → Install, as a user would.
 *     n8n fetches it with npm from registry.npmjs.org; a stand-in answers for that registry
 *     with the tarball packed in step 1 (see registryStandIn.js for why);
 *  5. opens the example workflow from the workflow list, double-clicks the WeChat Gateway node,
 *     and for each of the six operations (both Sources for the three forward operations)
 *     checks exactly which parameters the panel shows, and screenshots the panel;
 *  6. fills To, Title and URL with expressions, checks their previews, executes the step from
 *     the panel, and checks that the output panel shows NewMsgId with the ids the simulator gave;
 *  7. opens the example "trigger → forward back", checks the WeChat Gateway Trigger's panel,
 *     screenshots it, clicks Listen for test event and checks that the next matching frame the
 *     simulator pushes (not the text before it) shows in the output panel;
 *  8. restarts n8n and checks that it still lists and loads the package.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../../scripts/n8n-runtime/runtime');
const { waitFor: poll } = require('../../scripts/lib/waitFor');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { ensureChromium, launchChromium } = require('./chromium');
const { packProject, packDependencies, root } = require('./pack');
const { startRegistryStandIn } = require('./registryStandIn');
const { OPERATIONS, RESOURCES, COLLECTION_LABELS } = require('./expectations');

const UPDATE_DOCS = process.argv.includes('--update-docs');
const SHOTS = path.join(root, 'test-results', 'browser');
const DOC_IMAGES = path.join(root, 'docs', 'images');
/** Everything after the (cached) n8n install and Chromium install must finish within this. */
const BUDGET_MS = 15 * 60_000;

const NODE_TYPE = 'n8n-nodes-wechat-gateway.weChatGateway';
const NODE_NAME = 'WeChat Gateway';
const EXAMPLE_WORKFLOW = path.join(root, 'examples', 'workflows', 'operation-send-link.json');
const TRIGGER_TYPE = 'n8n-nodes-wechat-gateway.weChatGatewayTrigger';
const TRIGGER_WORKFLOW = path.join(root, 'examples', 'workflows', 'trigger-forward-back.json');
const EXAMPLE_CREDENTIAL = path.join(
	root,
	'examples',
	'credentials',
	'wechat-gateway-simulator.json',
);

const started = Date.now();
const log = (msg) =>
	process.stdout.write(
		`[browser ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`,
	);

// ---------------------------------------------------------------------------------------------
// checks
// ---------------------------------------------------------------------------------------------

/** @type {Array<{ name: string, ok: boolean, detail?: string, ms: number }>} */
const results = [];
/** Set when a check that later ones build on failed: those are then failed as "not run". */
let blockedBy = '';

/**
 * @param {string} name
 * @param {() => Promise<string | void> | string | void} fn  returns an optional detail line
 * @param {{ critical?: boolean }} [options]  critical: later checks cannot run without it
 */
async function check(name, fn, { critical = false } = {}) {
	if (blockedBy) {
		results.push({ name, ok: false, detail: `not run: "${blockedBy}" failed`, ms: 0 });
		log(`FAIL ${name}: not run ("${blockedBy}" failed)`);
		return false;
	}
	const t = Date.now();
	try {
		const detail = (await fn()) || undefined;
		results.push({ name, ok: true, detail, ms: Date.now() - t });
		log(`ok   ${name}${detail ? ` (${detail})` : ''}`);
		return true;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		results.push({ name, ok: false, detail: message, ms: Date.now() - t });
		log(`FAIL ${name}\n${message.replace(/^/gm, '       ')}`);
		await failureScreenshot(name);
		if (critical) blockedBy = name;
		return false;
	}
}

function assert(condition, message) {
	if (!condition) throw new Error(message);
}

/** Polls fn until it returns a truthy value; throws with the last value seen. */
/** The browser's pages settle slowly and throw while they load: a shorter wait that retries errors. */
const waitFor = (what, check, options = {}) =>
	poll(what, check, { timeoutMs: 15_000, intervalMs: 200, tolerateErrors: true, ...options });

// ---------------------------------------------------------------------------------------------
// state and clean-up
// ---------------------------------------------------------------------------------------------

/** @type {any} */ let page;
/** @type {any} */ let browser;
/** @type {any} */ let server;
/** @type {any} */ let simulator;
/** @type {any} */ let registry;
let workDir = '';

async function failureScreenshot(name) {
	if (!page) return;
	try {
		fs.mkdirSync(SHOTS, { recursive: true });
		const file = path.join(
			SHOTS,
			`failure-${results.length}-${name.replace(/\W+/g, '-').slice(0, 60)}.png`,
		);
		await page.screenshot({ path: file, timeout: 10_000 });
		log(`     screenshot of the failure: ${path.relative(root, file)}`);
	} catch {}
}

let cleaned = false;
async function cleanUp() {
	if (cleaned) return;
	cleaned = true;
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
	await simulator?.close().catch(() => {});
	await registry?.close().catch(() => {});
}

function report() {
	const passed = results.filter((r) => r.ok).length;
	const failed = results.length - passed;
	process.stdout.write('\n');
	for (const r of results) {
		process.stdout.write(
			`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(78)} ${(r.ms / 1000).toFixed(1).padStart(5)} s\n`,
		);
	}
	process.stdout.write(`browser test: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
	process.stdout.write(`${passed} passed, ${failed} failed\n`);
	return failed === 0 && passed > 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// page helpers (n8n 2.41.1's editor; selectors are its data-test-id attributes)
// ---------------------------------------------------------------------------------------------

const ndv = () => page.locator('[data-test-id="ndv"]');

/** Closes every toast, so that screenshots show the panel only. */
async function closeToasts() {
	const buttons = page.locator('.el-notification .el-notification__closeBtn');
	for (let i = (await buttons.count()) - 1; i >= 0; i--)
		await buttons
			.nth(i)
			.click({ timeout: 2000 })
			.catch(() => {});
	await waitFor(
		'toasts closed',
		async () => (await page.locator('.el-notification:visible').count()) === 0,
		{ timeoutMs: 5000 },
	).catch(() => {});
}

/** Mouse and focus away from the form, toasts closed, parameters scrolled to the top. */
async function settle() {
	// an empty spot: outside the node panel when it is open, blank canvas when it is not
	await page.mouse.move(720, 140, { steps: 5 });
	await page.evaluate(() => {
		if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
		const parameters = document.querySelector(
			'[data-test-id="ndv"] [data-test-id="node-parameters"]',
		);
		for (let el = parameters; el; el = el.parentElement) if (el.scrollTop) el.scrollTop = 0;
	});
	await closeToasts();
	await page.waitForTimeout(300);
}

async function screenshot(locator, name) {
	await settle();
	fs.mkdirSync(SHOTS, { recursive: true });
	const file = path.join(SHOTS, `${name}.png`);
	await locator.screenshot({ path: file, animations: 'disabled' });
	if (UPDATE_DOCS) {
		fs.mkdirSync(DOC_IMAGES, { recursive: true });
		fs.copyFileSync(file, path.join(DOC_IMAGES, `${name}.png`));
	}
	return file;
}

/**
 * The parameters the node panel shows, top level only: the parameter name where the item has
 * an input (`parameter-input-<name>`), else its label mapped by COLLECTION_LABELS.
 */
async function shownParameters() {
	const items = await ndv()
		.locator('[data-test-id="node-parameters"]')
		.evaluate((rootEl) => {
			const notNames = new Set(['field', 'item', 'hint']);
			const out = [];
			for (const item of rootEl.querySelectorAll('[data-test-id="parameter-item"]')) {
				if (item.parentElement?.closest('[data-test-id="parameter-item"]')) continue;
				if (!(item instanceof HTMLElement) || item.getClientRects().length === 0) continue;
				let name;
				for (const input of item.querySelectorAll('[data-test-id^="parameter-input-"]')) {
					if (input.closest('[data-test-id="parameter-item"]') !== item) continue;
					const id = String(input.getAttribute('data-test-id')).slice('parameter-input-'.length);
					if (!notNames.has(id)) {
						name = id;
						break;
					}
				}
				const labelEl = item.querySelector('[data-test-id="input-label"]');
				const label = labelEl instanceof HTMLElement ? labelEl.innerText.split('\n')[0].trim() : '';
				out.push({ name, label });
			}
			return out;
		});
	return items.map((i) => i.name ?? COLLECTION_LABELS[i.label] ?? `label:${i.label}`);
}

function sameSet(a, b) {
	return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** The text an options parameter shows as selected. */
async function selectedOption(parameter) {
	const box = ndv().locator(`[data-test-id="parameter-input-${parameter}"]`);
	const input = box.locator('input').first();
	if (await input.count()) {
		const value = await input.inputValue();
		if (value) return value;
	}
	return (await box.innerText()).trim();
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Picks an option of an options parameter the way a user does: open the dropdown, click it. */
async function choose(parameter, optionName) {
	if ((await selectedOption(parameter)) === optionName) return;
	await ndv().locator(`[data-test-id="parameter-input-${parameter}"]`).click();
	const option = page
		.locator('.el-select-dropdown__item:visible')
		.filter({ hasText: new RegExp(`^\\s*${escapeRe(optionName)}`) })
		.first();
	await option.click();
	await waitFor(
		`"${optionName}" selected in ${parameter}`,
		async () => (await selectedOption(parameter)) === optionName,
		{ timeoutMs: 5000 },
	);
}

/** Switches a parameter to expression mode and types `text` into its expression editor. */
async function setExpression(parameter, text) {
	const item = ndv()
		.locator('[data-test-id="parameter-item"]')
		.filter({ has: page.locator(`[data-test-id="parameter-input-${parameter}"]`) })
		.last();
	const editor = item.locator('[data-test-id="inline-expression-editor-input"]');
	if (!(await editor.count())) {
		await item.hover();
		await item.locator('[data-test-id="radio-button-expression"]').click();
	}
	await editor.click();
	await page.keyboard.press('ControlOrMeta+A');
	// insertText: one input event, so the editor's bracket auto-closing does not add a second "}}"
	await page.keyboard.insertText(text);
	await waitFor(
		`expression in ${parameter}`,
		async () => (await editor.innerText()).trim() === text,
		{ timeoutMs: 5000 },
	);
	// leave the editor the way a user does (its result pop-up covers the next field)
	await ndv().locator('[data-test-id="tab-params"]').click();
	await waitFor(
		`${parameter}'s expression editor closed`,
		async () =>
			!(await item.locator('[data-test-id="inline-expression-editor-input"]:focus').count()),
		{ timeoutMs: 5000 },
	);
	await page.waitForTimeout(300);
}

async function expressionPreview(parameter) {
	// the preview renders spaces as no-break spaces
	return (
		await ndv().locator(`[data-test-id="parameter-expression-preview-${parameter}"]`).innerText()
	)
		.replace(/\u00a0/g, ' ')
		.trim();
}

// ---------------------------------------------------------------------------------------------
// the test
// ---------------------------------------------------------------------------------------------

async function main() {
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-browser-'));
	fs.mkdirSync(SHOTS, { recursive: true });
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

	// --- 1. package hygiene -------------------------------------------------------------------
	/** @type {{ file: string, name: string, version: string, files: string[] } | undefined} */
	let packed;
	await check('package: npm pack holds only dist/, README.md, LICENSE and package.json', () => {
		packed = packProject(path.join(workDir, 'packs'));
		const stray = packed.files.filter(
			(f) => !['package.json', 'README.md', 'LICENSE'].includes(f) && !f.startsWith('dist/'),
		);
		assert(stray.length === 0, `also packed: ${stray.join(', ')}`);
		for (const must of ['package.json', 'README.md', 'LICENSE'])
			assert(packed.files.includes(must), `${must} is not packed`);
		return `${packed.files.length} files, ${(fs.statSync(packed.file).size / 1024).toFixed(0)} KB`;
	});

	await check(
		'package: every file n8n loads is packed, and every packed .js is built from a source',
		() => {
			assert(packed, 'nothing packed');
			const files = new Set(packed.files);
			const wanted = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
			assert(wanted.length >= 2, 'package.json "n8n" names no nodes or credentials');
			const missing = wanted.filter((f) => !files.has(f));
			// the node's icons and codex file, which n8n reads from beside the built node
			for (const source of fs.readdirSync(path.join(root, 'nodes', 'WeChatGateway'))) {
				if (/\.(svg|png|json)$/.test(source) && !files.has(`dist/nodes/WeChatGateway/${source}`))
					missing.push(`dist/nodes/WeChatGateway/${source}`);
			}
			if (pkg.main)
				missing.push(...(files.has(pkg.main) ? [] : [`${pkg.main} (package.json "main")`]));
			assert(missing.length === 0, `not packed: ${missing.join(', ')}`);
			const orphans = packed.files
				.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
				.filter(
					(f) => !fs.existsSync(path.join(root, f.slice('dist/'.length).replace(/\.js$/, '.ts'))),
				);
			assert(
				orphans.length === 0,
				`packed dist files without a source (stale build output?): ${orphans.join(', ')}`,
			);
		},
	);

	await check(
		'package: MIT licence and the package.json metadata a community package needs',
		() => {
			const problems = [];
			if (pkg.license !== 'MIT') problems.push(`license is ${pkg.license}`);
			const licence = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
			if (
				!/^MIT License/.test(licence) ||
				!/Permission is hereby granted, free of charge/.test(licence)
			)
				problems.push('LICENSE is not the MIT text');
			if (
				!pkg.author ||
				typeof pkg.author !== 'object' ||
				!pkg.author.name ||
				!/^[^@\s]+@[^@\s]+$/.test(pkg.author.email ?? '')
			) {
				problems.push('author needs { name, email }');
			}
			for (const field of ['homepage', 'bugs', 'repository']) {
				const value = field === 'homepage' ? pkg.homepage : pkg[field]?.url;
				if (!/^(https:\/\/|git\+https:\/\/)/.test(value ?? ''))
					problems.push(`${field} has no https URL`);
			}
			if (!pkg.description || pkg.description.length < 20)
				problems.push('description is missing or short');
			if (!pkg.keywords?.includes('n8n-community-node-package'))
				problems.push('keywords lack n8n-community-node-package');
			if (!/^n8n-nodes-/.test(pkg.name)) problems.push('name does not start with n8n-nodes-');
			if (JSON.stringify(pkg.peerDependencies) !== JSON.stringify({ 'n8n-workflow': '*' }))
				problems.push('peerDependencies must be { "n8n-workflow": "*" }');
			if (!pkg.files?.length) problems.push('files is missing');
			if (!pkg.engines?.node) problems.push('engines.node is missing');
			const changelog = path.join(root, 'CHANGELOG.md');
			const versionHeading = new RegExp(`^## \\[?${escapeRe(pkg.version)}\\]?`, 'm');
			if (!fs.existsSync(changelog) || !versionHeading.test(fs.readFileSync(changelog, 'utf8'))) {
				problems.push(`CHANGELOG.md has no "## [${pkg.version}]" section`);
			}
			assert(problems.length === 0, problems.join('; '));
		},
	);

	// --- 2. n8n, simulator, registry stand-in, example workflow --------------------------------
	const runtime = await rt.ensureRuntime({ log });
	const { executablePath } = await ensureChromium({ log });
	const watchdog = setTimeout(() => {
		log(
			`FAIL: the browser test did not finish within ${BUDGET_MS / 60000} minutes; stopping everything`,
		);
		results.push({
			name: `finishes within ${BUDGET_MS / 60000} minutes`,
			ok: false,
			ms: BUDGET_MS,
		});
		cleanUp().finally(() => process.exit(report()));
	}, BUDGET_MS);
	watchdog.unref();

	const example = JSON.parse(fs.readFileSync(EXAMPLE_WORKFLOW, 'utf8'));
	const triggerExample = JSON.parse(fs.readFileSync(TRIGGER_WORKFLOW, 'utf8'));
	const [exampleCredential] = JSON.parse(fs.readFileSync(EXAMPLE_CREDENTIAL, 'utf8'));
	const sender = exampleCredential.data.wxid;
	let userFolder = '';

	await check(
		'n8n starts with the example workflow and its credential imported',
		async () => {
			assert(packed, 'npm pack failed');
			const deps = packDependencies(path.join(workDir, 'deps'));
			registry = await startRegistryStandIn({
				tarballs: [packed.file, ...deps],
				workDir: path.join(workDir, 'registry'),
			});
			simulator = await startGatewaySimulator({ host: '127.0.0.1', accounts: [sender] });
			({ userFolder } = await rt.createUserFolder(path.join(workDir, 'n8n')));
			// the example's credential, kept id and name, pointed at this run's simulator
			const credentialFile = path.join(workDir, 'credential.json');
			fs.writeFileSync(
				credentialFile,
				JSON.stringify([
					{ ...exampleCredential, data: { ...exampleCredential.data, baseUrl: simulator.url } },
				]),
			);
			await rt.importCredentials({ userFolder, file: credentialFile });
			const workflowsFile = path.join(workDir, 'workflows.json');
			fs.writeFileSync(workflowsFile, JSON.stringify([example, triggerExample]));
			await rt.importWorkflow({ userFolder, file: workflowsFile });
			const port = await rt.findFreePort();
			server = await rt.startServer({
				userFolder,
				port,
				env: registry.npmEnv(),
				runtime,
				log: () => {},
			});
			await rt.setupOwner({ port });
			return `${server.url}, simulator ${simulator.url}, ${deps.length} dependency tarballs for the registry stand-in`;
		},
		{ critical: true },
	);

	// --- 3. sign in ----------------------------------------------------------------------------
	await check(
		'sign in through the sign-in page',
		async () => {
			browser = await launchChromium({ executablePath });
			page = browser.page;
			page.setDefaultTimeout(30_000);
			page.setDefaultNavigationTimeout(60_000);
			await page.goto(`${server.url}/signin`);
			await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(rt.DEFAULT_OWNER.email);
			await page.locator('[data-test-id="password"] input').fill(rt.DEFAULT_OWNER.password);
			await page.locator('[data-test-id="form-submit-button"]').click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
			return `landed on ${new URL(page.url()).pathname}`;
		},
		{ critical: true },
	);

	// --- 4. Community nodes install ------------------------------------------------------------
	await check(
		'Settings → Community nodes → Install n8n-nodes-wechat-gateway (the packed file)',
		async () => {
			assert(packed, 'nothing packed');
			await page.goto(`${server.url}/settings/community-nodes`);
			const installButton = page
				.locator(
					'[data-test-id="empty-state"] button, [data-test-id="community-package-install-button"]',
				)
				.first();
			await installButton.click();
			const modal = page.locator('[data-test-id="communityPackageInstall-modal"]');
			await modal.locator('[data-test-id="package-name-input"]').fill(pkg.name);
			await modal.locator('[data-test-id="user-agreement-checkbox"]').click();
			const answer = page.waitForResponse(
				(r) => r.url().endsWith('/rest/community-packages') && r.request().method() === 'POST',
				{ timeout: 180_000 },
			);
			await modal.locator('[data-test-id="install-community-package-button"]').click();
			const response = await answer;
			const body = await response.text();
			assert(
				response.status() === 200,
				`POST /rest/community-packages answered ${response.status()}: ${body.slice(0, 500)}`,
			);
			const card = page
				.locator('[data-test-id="community-package-card"]')
				.filter({ hasText: pkg.name });
			await card.waitFor({ timeout: 30_000 });
			const cardText = await card.innerText();
			assert(
				cardText.includes(`v${pkg.version}`) && cardText.includes('WeChat Gateway'),
				`the package card says: ${cardText}`,
			);
			await screenshot(page.locator('body'), 'community-nodes');

			// what n8n recorded, and what it installed
			const { cookie } = await rt.login({ port: server.port });
			const { data: listed } = await rt.rest({
				port: server.port,
				cookie,
				path: '/rest/community-packages',
			});
			const entry = listed.find((p) => p.packageName === pkg.name);
			assert(entry, `GET /rest/community-packages does not list it: ${JSON.stringify(listed)}`);
			assert(entry.installedVersion === pkg.version, `installedVersion ${entry.installedVersion}`);
			assert(
				entry.installedNodes.some((n) => n.type === NODE_TYPE),
				`installedNodes: ${JSON.stringify(entry.installedNodes)}`,
			);
			const served = registry.requests.filter((r) => r.tarball === pkg.name);
			assert(
				served.length === 1,
				`the registry stand-in served the packed tarball ${served.length} times`,
			);
			// Hosts other than the registry are refused, as in a closed network. n8n's own calls to
			// api.n8n.io (package vetting) also come here: its HTTP client reads npm_config_https_proxy.
			const refused = [...new Set(registry.refused)];
			const installedDir = path.join(userFolder, '.n8n', 'nodes', 'node_modules', pkg.name);
			const installedFiles = listFiles(installedDir).filter((f) => !f.startsWith('node_modules/'));
			assert(
				sameSet(installedFiles, packed.files),
				`installed files differ from the packed ones: ${JSON.stringify(diff(installedFiles, packed.files))}`,
			);
			for (const f of packed.files.filter((f) => f.startsWith('dist/'))) {
				const [a, b] = [
					fs.readFileSync(path.join(installedDir, f)),
					fs.readFileSync(path.join(root, f)),
				];
				assert(a.equals(b), `${f} differs from the packed one`);
			}
			assert(
				!fs.existsSync(path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-workflow')) &&
					!fs.existsSync(path.join(installedDir, 'node_modules', 'n8n-workflow')),
				"an n8n-workflow was installed beside n8n's own",
			);
			return `${installedFiles.length} files from ${served.length} tarball fetch, listed as v${entry.installedVersion}${refused.length ? `; refused: ${refused.join(', ')}` : ''}`;
		},
		{ critical: true },
	);

	// --- 5. the example workflow and the node panel -------------------------------------------
	const wechatNode = example.nodes.find((n) => n.type === NODE_TYPE);
	await check(
		`open the example workflow "${example.name}" from the workflow list`,
		async () => {
			await page.goto(`${server.url}/home/workflows`);
			await page
				.locator('[data-test-id="resources-list-item-workflow"]')
				.filter({ hasText: example.name })
				.locator('[data-test-id="workflow-card-name"]')
				.click();
			await page.waitForURL((url) => url.pathname.startsWith(`/workflow/${example.id}`));
			await page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: wechatNode.name })
				.waitFor();
			await page.waitForTimeout(500);
			await screenshot(page.locator('body'), 'workflow');
		},
		{ critical: true },
	);

	await check(
		`double-click "${wechatNode.name}" opens its panel; input from the previous nodes; renamed "${NODE_NAME}"`,
		async () => {
			await page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: wechatNode.name })
				.dblclick();
			await ndv().waitFor();
			await ndv().locator('[data-test-id="node-parameters"]').waitFor();
			const executePrevious = ndv().locator('[data-test-id="execute-previous-node"]');
			await executePrevious.click();
			// the Code node runs in n8n's task runner: seconds on a busy machine
			await waitFor(
				"the input panel shows the Code node's items",
				async () =>
					(await ndv().locator('[data-test-id="ndv-input-panel"]').innerText()).includes('sendTo'),
				{ timeoutMs: 60_000 },
			);
			assert(
				(await selectedOption('operation')) === 'Send Link',
				`the example opens on ${await selectedOption('operation')}`,
			);
			// The panels of all six operations are screenshots for the README: give the node its
			// default name rather than the example's "Send link card".
			await ndv().locator('[data-test-id="inline-edit-preview"]').click();
			await ndv().locator('[data-test-id="inline-edit-input"]').fill(NODE_NAME);
			await page.keyboard.press('Enter');
			await waitFor(
				`the panel's title is ${NODE_NAME}`,
				async () =>
					(await ndv().locator('[data-test-id="node-title-container"]').innerText()).trim() ===
					NODE_NAME,
				{ timeoutMs: 5000 },
			);
		},
		{ critical: true },
	);

	for (const operation of OPERATIONS) {
		const states = operation.states;
		const what =
			states.length > 1 ? `with Source ${states.map((s) => s.source).join(' and with ')}` : '';
		await check(`${operation.value}: exactly its fields show ${what}`.trim(), async () => {
			if (RESOURCES.length > 1) await choose('resource', operation.resourceName);
			await choose('operation', operation.name);
			const seen = [];
			for (const state of states) {
				if (state.source) await choose('source', state.source);
				let shown = [];
				await waitFor(
					`${operation.value}${state.source ? ` (${state.source})` : ''} shows exactly its parameters`,
					async () => {
						shown = await shownParameters();
						return sameSet(shown, state.shown);
					},
					{ timeoutMs: 5000 },
				).catch(() => {
					const { extra, missing } = diff(shown, state.shown);
					throw new Error(
						`${operation.value}${state.source ? ` with Source ${state.source}` : ''}: shown ${JSON.stringify(shown)}; unexpected ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}`,
					);
				});
				const wronglyShown = state.hidden.filter((h) => shown.includes(h));
				assert(
					wronglyShown.length === 0,
					`${operation.value}: ${wronglyShown.join(', ')} must be hidden`,
				);
				await screenshot(ndv(), state.screenshot);
				seen.push(`${state.screenshot}.png`);
			}
			return seen.join(', ');
		});
	}

	// --- 6. expressions and execution ---------------------------------------------------------
	const items = exampleItems(example);
	const expectedTitle = (item) => String(item.title).toUpperCase();
	await check(
		"Send Link: To, Title and URL as expressions; the previews show item 1's values",
		async () => {
			// The panel was left on the last resource's last operation.
			if (RESOURCES.length > 1) await choose('resource', RESOURCES[0].name);
			await choose('operation', 'Send Link');
			await setExpression('toUserName', '{{ $json.sendTo }}');
			await setExpression('title', '{{ $json.title.toUpperCase() }}');
			await setExpression('url', '{{ $json.url }}');
			for (const [parameter, value] of [
				['toUserName', items[0].sendTo],
				['title', expectedTitle(items[0])],
				['url', items[0].url],
			]) {
				let shown = '';
				await waitFor(
					`the preview under ${parameter} shows ${value}`,
					async () => (shown = await expressionPreview(parameter)) === value,
					{ timeoutMs: 10_000 },
				).catch(async (error) => {
					const around = await ndv()
						.locator('[data-test-id="parameter-item"]')
						.filter({ has: page.locator(`[data-test-id="parameter-input-${parameter}"]`) })
						.last()
						.evaluate((el) => el.outerHTML.slice(0, 3000))
						.catch(() => '');
					throw new Error(`${error.message}; it shows ${JSON.stringify(shown)}\n${around}`);
				});
			}
		},
	);

	await check(
		'Execute step: the output panel shows NewMsgId and each id the simulator issued',
		async () => {
			const before = simulator.messages.length;
			await ndv().locator('[data-test-id="node-execute-button"]').click();
			const recipients = items.flatMap((item) =>
				[]
					.concat(item.sendTo)
					.flatMap((to) => String(to).split(/[,\n]/))
					.map((to) => to.trim())
					.filter(Boolean),
			);
			await waitFor(
				`${recipients.length} messages at the simulator`,
				() => simulator.messages.length - before >= recipients.length,
				{ timeoutMs: 60_000 },
			);
			const sent = simulator.messages.slice(before);
			assert(
				sent.length === recipients.length,
				`${sent.length} messages for ${recipients.length} recipients`,
			);
			assert(
				JSON.stringify(sent.map((m) => m.toUserName)) === JSON.stringify(recipients),
				`sent to ${sent.map((m) => m.toUserName).join(', ')}`,
			);
			const titles = sent.map((m) => xmlText(m.appMsgXml, 'title'));
			const wantTitles = items.flatMap((item) =>
				[]
					.concat(item.sendTo)
					.flatMap((to) => String(to).split(/[,\n]/))
					.filter((t) => t.trim())
					.map(() => expectedTitle(item)),
			);
			assert(
				JSON.stringify(titles) === JSON.stringify(wantTitles),
				`titles at the gateway: ${JSON.stringify(titles)}, expected ${JSON.stringify(wantTitles)}`,
			);
			const output = ndv().locator('[data-test-id="output-panel"]');
			let text = '';
			await waitFor(
				'the output panel shows NewMsgId and every id',
				async () => {
					text = await output.innerText();
					return text.includes('NewMsgId') && sent.every((m) => text.includes(m.newMsgId));
				},
				{ timeoutMs: 30_000 },
			).catch(() => {
				throw new Error(
					`output panel: ${text.slice(0, 800)}\nids: ${sent.map((m) => m.newMsgId).join(', ')}`,
				);
			});
			await screenshot(ndv(), 'execution');
			return `${sent.length} messages, NewMsgId ${sent.map((m) => m.newMsgId).join(', ')}`;
		},
	);

	// --- 7. the trigger -----------------------------------------------------------------------
	const triggerNode = triggerExample.nodes.find((n) => n.type === TRIGGER_TYPE);
	await check(
		'the trigger panel shows exactly its fields; Listen for test event shows the next matching message',
		async () => {
			// a page of its own: the send-link workflow has unsaved edits, which would ask to be kept
			if (!page) throw new Error('no page');
			page = await page.context().newPage();
			await page.goto(`${server.url}/workflow/${triggerExample.id}`);
			const canvasNode = page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: triggerNode.name });
			await canvasNode.waitFor();
			await canvasNode.dblclick();
			await ndv().locator('[data-test-id="node-parameters"]').waitFor();
			const expected = ['events', 'messageKinds', 'chats', 'options'];
			let shown = [];
			await waitFor(
				'the trigger shows exactly its parameters',
				async () => sameSet((shown = await shownParameters()), expected),
				{ timeoutMs: 10_000 },
			).catch(() => {
				throw new Error(`shown ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
			});
			await screenshot(ndv(), 'trigger');
			const socketsBefore = simulator.ws.stats().opened;
			await ndv().locator('[data-test-id="node-execute-button"]').click();
			await waitFor(
				'the trigger to open its socket',
				() => simulator.ws.stats().opened > socketsBefore && simulator.ws.clients > 0,
				{ timeoutMs: 30_000 },
			);
			const text = simulator.ws.inject({ account: sender, sample: 'text' });
			const mini = simulator.ws.inject({ account: sender, sample: 'miniProgram' });
			const output = ndv().locator('[data-test-id="output-panel"]');
			let seen = '';
			await waitFor(
				'the output panel shows the mini program',
				async () => {
					seen = await output.innerText();
					return seen.includes(mini.newMsgId) && seen.includes('miniProgram');
				},
				{ timeoutMs: 30_000 },
			).catch(() => {
				throw new Error(`output panel: ${seen.slice(0, 800)}`);
			});
			assert(!seen.includes(text.newMsgId), 'the text message (not a chosen kind) was shown');
			await screenshot(ndv(), 'trigger-event');
			// the test listener stops after its event: the socket closes
			await waitFor('the test socket to close', () => simulator.ws.clients === 0, {
				timeoutMs: 15_000,
			});
			return `newMsgId ${mini.newMsgId} shown; the text before it was not`;
		},
	);

	await browser?.close();
	browser = undefined;
	page = undefined;

	// --- 7. restart ---------------------------------------------------------------------------
	await check('after a restart n8n still lists the package and loads its node', async () => {
		const port = server.port;
		await server.stop();
		server = await rt.startServer({
			userFolder,
			port,
			env: registry.npmEnv(),
			runtime,
			log: () => {},
		});
		const { cookie } = await rt.login({ port });
		const { data: listed } = await rt.rest({ port, cookie, path: '/rest/community-packages' });
		const entry = listed.find((p) => p.packageName === pkg.name);
		assert(
			entry && entry.failedLoading === false,
			`GET /rest/community-packages: ${JSON.stringify(listed)}`,
		);
		const types = await rt.rest({ port, cookie, path: '/types/nodes.json' });
		const list = Array.isArray(types.json) ? types.json : types.data;
		assert(
			list.some((t) => t.name === NODE_TYPE),
			`${NODE_TYPE} is not among n8n's node types`,
		);
		return `restarted in ${(server.ms / 1000).toFixed(1)} s`;
	});
	clearTimeout(watchdog);
}

// ---------------------------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------------------------

function listFiles(dir, prefix = '') {
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
		if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel));
		else out.push(rel);
	}
	return out.sort();
}

function diff(actual, expected) {
	return {
		extra: actual.filter((a) => !expected.includes(a)),
		missing: expected.filter((e) => !actual.includes(e)),
	};
}

function xmlText(xml, tag) {
	const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
	if (!match) return undefined;
	return match[1]
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&amp;/g, '&');
}

/** The items the example's Code node returns, read from its code (plain object literals). */
function exampleItems(workflow) {
	const code = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.code')?.parameters?.jsCode;
	assert(code, 'the example has no Code node');
	// eslint-disable-next-line no-new-func
	return new Function(code)().map((item) => item.json);
}

// ---------------------------------------------------------------------------------------------

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		log(`${signal}: stopping`);
		cleanUp().finally(() => process.exit(130));
	});
}

main()
	.catch((error) => {
		results.push({
			name: 'the browser test runs',
			ok: false,
			detail: String(error?.stack ?? error),
			ms: 0,
		});
		log(`FAIL ${error?.stack ?? error}`);
	})
	.then(cleanUp)
	.then(() => {
		const code = report();
		if (code === 0) fs.rmSync(workDir, { recursive: true, force: true });
		else if (workDir) log(`kept ${workDir} (n8n's log: n8n/n8n-start.log)`);
		process.exit(code);
	});
