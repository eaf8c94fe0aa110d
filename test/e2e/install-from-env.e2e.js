'use strict';
/**
 * End-to-end: n8n installs this package by itself from its environment, the way an operator
 * declares community packages for a container (n8n 2.x: N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV and
 * N8N_COMMUNITY_PACKAGES; n8n 1.x has neither, so this file runs on 2.x only — see
 * scripts/test-all.js). The registry is the stand-in of the browser test: registry.npmjs.org
 * answered locally with the tarball packed here, every other host refused.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const lib = require('../../scripts/lib/instance');
const { packDependencies } = require('../browser/pack');
const { startRegistryStandIn, readPackedManifest } = require('../browser/registryStandIn');

const { rt } = lib;
const ctx = {};

beforeAll(
	async () => {
		ctx.work = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-env-install-'));
		await lib.buildPackage();
		ctx.tarball = await lib.packPackage({ outDir: path.join(ctx.work, 'pack') });
		ctx.pkg = readPackedManifest(ctx.tarball);
		ctx.registry = await startRegistryStandIn({
			// the package and its dependencies, which n8n's npm fetches next
			tarballs: [ctx.tarball, ...packDependencies(path.join(ctx.work, 'deps'))],
			workDir: path.join(ctx.work, 'registry'),
		});
		// an empty user folder: nothing installed by hand
		({ userFolder: ctx.userFolder } = await rt.createUserFolder(path.join(ctx.work, 'n8n')));
		ctx.server = await rt.startServer({
			userFolder: ctx.userFolder,
			env: {
				...lib.childEnv(),
				...ctx.registry.npmEnv(),
				N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true',
				N8N_COMMUNITY_PACKAGES: JSON.stringify([{ name: ctx.pkg.name, version: ctx.pkg.version }]),
			},
		});
		({ cookie: ctx.cookie } = await rt.setupOwner({ port: ctx.server.port }));
	},
	10 * 60 * 1000,
);

afterAll(async () => {
	await ctx.server?.stop();
	await ctx.registry?.close();
	// E2E_KEEP=1 keeps the folder, for a look at n8n's log (n8n/n8n-start.log) and database
	if (ctx.work && !process.env.E2E_KEEP) fs.rmSync(ctx.work, { recursive: true, force: true });
	else if (ctx.work) process.stderr.write(`kept ${ctx.work}\n`);
}, 60 * 1000);

test('N8N_COMMUNITY_PACKAGES: n8n installs the package from the registry at start, records it and loads the node', async () => {
	const { port } = ctx.server;
	const { data: listed } = await rt.rest({
		port,
		cookie: ctx.cookie,
		path: '/rest/community-packages',
	});
	const entry = listed.find((p) => p.packageName === ctx.pkg.name);
	expect(entry).toMatchObject({ installedVersion: ctx.pkg.version });
	expect(entry.installedNodes.map((n) => n.type)).toContain(lib.NODE_TYPE);
	expect(ctx.registry.requests.filter((r) => r.tarball === ctx.pkg.name)).toHaveLength(1);

	const types = await rt.rest({ port, cookie: ctx.cookie, path: '/types/nodes.json' });
	expect(types.json.map((t) => t.name)).toEqual(
		expect.arrayContaining([lib.NODE_TYPE, lib.TOOL_TYPE]),
	);
	const credentials = await rt.rest({ port, cookie: ctx.cookie, path: '/types/credentials.json' });
	expect(credentials.json.map((c) => c.name)).toContain(lib.credentialType());
	const installed = path.join(ctx.userFolder, '.n8n', 'nodes', 'node_modules', ctx.pkg.name);
	expect(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version).toBe(
		ctx.pkg.version,
	);
});
