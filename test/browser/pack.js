// @ts-check
'use strict';
/**
 * `npm pack` of this package, and of each of its runtime dependencies as installed from the
 * lockfile (for the registry stand-in, so that n8n's install runs with no network).
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '../..');

/** npm's own environment variables (set when run under `npm test`) must not steer these runs. */
function cleanEnv() {
	const env = { ...process.env };
	for (const k of Object.keys(env)) {
		const lk = k.toLowerCase();
		if (
			lk.startsWith('npm_config_') ||
			lk.startsWith('npm_package_') ||
			lk.startsWith('npm_lifecycle_')
		)
			delete env[k];
	}
	return env;
}

/** @returns {Array<{ filename: string, name: string, version: string, files: Array<{ path: string }> }>} */
function npmPack(specs, destination) {
	fs.mkdirSync(destination, { recursive: true });
	const out = execFileSync(
		'npm',
		['pack', ...specs, '--pack-destination', destination, '--json', '--ignore-scripts'],
		{
			cwd: root,
			env: cleanEnv(),
			timeout: 120_000,
			stdio: ['ignore', 'pipe', 'pipe'],
			maxBuffer: 64 * 1024 * 1024,
		},
	).toString('utf8');
	return JSON.parse(out.slice(out.indexOf('[')));
}

/** Packs this package into `destination`: { file, name, version, files }. */
function packProject(destination) {
	const [result] = npmPack([], destination);
	return {
		file: path.join(destination, result.filename),
		name: result.name,
		version: result.version,
		files: result.files.map((f) => f.path).sort(),
	};
}

/**
 * Folders (under node_modules) of the runtime dependencies and theirs, resolved the way
 * Node does it over package-lock.json's `packages`.
 */
function dependencyFolders() {
	const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
	const entries = lock.packages;
	const found = new Set();
	const visit = (fromKey, deps) => {
		for (const name of Object.keys(deps ?? {})) {
			let base = fromKey;
			let key;
			for (;;) {
				const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
				if (entries[candidate]) {
					key = candidate;
					break;
				}
				if (!base) break;
				const cut = base.lastIndexOf('/node_modules/');
				base = cut < 0 ? '' : base.slice(0, cut);
			}
			if (!key)
				throw new Error(
					`package-lock.json has no entry for ${name} (needed by ${fromKey || 'the package'})`,
				);
			if (found.has(key)) continue;
			found.add(key);
			visit(key, entries[key].dependencies);
		}
	};
	visit('', entries[''].dependencies);
	return [...found].sort();
}

/** Packs every runtime dependency (see dependencyFolders) into `destination`: tarball paths. */
function packDependencies(destination) {
	const folders = dependencyFolders();
	const results = npmPack(
		folders.map((f) => `./${f}`),
		destination,
	);
	return results.map((r) => path.join(destination, r.filename));
}

module.exports = { packProject, packDependencies, dependencyFolders, cleanEnv, root };
