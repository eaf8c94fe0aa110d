// @ts-check
'use strict';
/**
 * A stand-in for https://registry.npmjs.org, for n8n's own Community Nodes install.
 *
 * n8n 2.41.1 cannot install a local file through Settings → Community Nodes: the package name
 * must match /^[0-9a-z@\-._/]+$/ and start with `n8n-nodes-` (no `file:`, no path, no URL), and
 * it then runs `npm pack <name>@<version> --registry=https://registry.npmjs.org`. Any other
 * registry (N8N_COMMUNITY_PACKAGES_REGISTRY) needs an enterprise licence. So the test leaves
 * n8n's flow exactly as it is and answers for registry.npmjs.org instead: the n8n server's npm
 * gets `https-proxy` = this server and `cafile` = a certificate made here for
 * registry.npmjs.org. CONNECT to registry.npmjs.org:443 is answered with TLS on the spot and
 * served from the given tarballs; every other host is refused. Nothing leaves the machine.
 *
 * Serves, per package: the packument (`/<name>`), a version or dist-tag manifest
 * (`/<name>/<version|latest>`) and the tarball (`/<name>/-/<file>.tgz`), byte for byte the
 * file it was given, with its sha512 integrity.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const tls = require('node:tls');
const { execFileSync } = require('node:child_process');

const REGISTRY_HOST = 'registry.npmjs.org';

/** A self-signed certificate for registry.npmjs.org (it is its own CA), valid two days. */
function makeCertificate(dir) {
	const key = path.join(dir, 'registry.key.pem');
	const cert = path.join(dir, 'registry.cert.pem');
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'2',
			'-keyout',
			key,
			'-out',
			cert,
			'-subj',
			`/CN=${REGISTRY_HOST}`,
			'-addext',
			`subjectAltName=DNS:${REGISTRY_HOST}`,
			'-addext',
			'basicConstraints=critical,CA:TRUE',
		],
		{ stdio: 'pipe', timeout: 30_000 },
	);
	return { keyFile: key, certFile: cert, key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

/** package.json inside an `npm pack` tarball. */
function readPackedManifest(tarball) {
	const text = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
		timeout: 30_000,
	}).toString('utf8');
	return JSON.parse(text);
}

/** The fields of a package.json that a registry's version manifest carries. */
function versionManifest(pkg, tarballUrl, bytes) {
	const keep = [
		'name',
		'version',
		'description',
		'main',
		'license',
		'author',
		'keywords',
		'homepage',
		'repository',
		'bugs',
		'engines',
		'dependencies',
		'optionalDependencies',
		'peerDependencies',
		'peerDependenciesMeta',
		'bin',
		'os',
		'cpu',
		'type',
		'exports',
		'n8n',
	];
	const manifest = {};
	for (const k of keep) if (pkg[k] !== undefined) manifest[k] = pkg[k];
	manifest._id = `${pkg.name}@${pkg.version}`;
	manifest.dist = {
		tarball: tarballUrl,
		integrity: `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`,
		shasum: crypto.createHash('sha1').update(bytes).digest('hex'),
	};
	return manifest;
}

/**
 * @param {{ tarballs: string[], workDir: string }} options
 *   tarballs: `npm pack` files, one version per package name.
 */
async function startRegistryStandIn({ tarballs, workDir }) {
	fs.mkdirSync(workDir, { recursive: true });
	const certificate = makeCertificate(workDir);

	/** name -> { manifest, bytes, fileName } */
	const packages = new Map();
	for (const file of tarballs) {
		const pkg = readPackedManifest(file);
		const bytes = fs.readFileSync(file);
		const bare = pkg.name.includes('/') ? pkg.name.split('/')[1] : pkg.name;
		const fileName = `${bare}-${pkg.version}.tgz`;
		const url = `https://${REGISTRY_HOST}/${pkg.name}/-/${fileName}`;
		packages.set(pkg.name, { manifest: versionManifest(pkg, url, bytes), bytes, fileName });
	}

	/** Every request the stand-in answered: { method, path, status }. */
	const requests = [];
	/** Hosts that were refused (anything but registry.npmjs.org). */
	const refused = [];

	function packument(name) {
		const entry = packages.get(name);
		if (!entry) return undefined;
		const { manifest } = entry;
		const now = new Date().toISOString();
		return {
			_id: name,
			name,
			'dist-tags': { latest: manifest.version },
			versions: { [manifest.version]: manifest },
			time: { created: now, modified: now, [manifest.version]: now },
		};
	}

	const registry = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', `https://${REGISTRY_HOST}`);
		const parts = decodeURIComponent(url.pathname).replace(/^\/+/, '').split('/');
		const scoped = parts[0].startsWith('@');
		const name = scoped ? `${parts[0]}/${parts[1]}` : parts[0];
		const rest = parts.slice(scoped ? 2 : 1);
		const entry = packages.get(name);
		let status = 404;
		let body = JSON.stringify({ error: 'Not found' });
		let type = 'application/json';
		if (req.method === 'GET' && entry) {
			if (rest.length === 0) {
				status = 200;
				body = JSON.stringify(packument(name));
			} else if (
				rest.length === 1 &&
				(rest[0] === 'latest' || rest[0] === entry.manifest.version)
			) {
				status = 200;
				body = JSON.stringify(entry.manifest);
			} else if (rest.length === 2 && rest[0] === '-' && rest[1] === entry.fileName) {
				status = 200;
				type = 'application/octet-stream';
				requests.push({ method: req.method, path: url.pathname, status, tarball: name });
				res.writeHead(status, { 'content-type': type, 'content-length': entry.bytes.length });
				res.end(entry.bytes);
				return;
			}
		}
		requests.push({ method: req.method ?? '', path: url.pathname, status });
		res.writeHead(status, { 'content-type': type });
		res.end(body);
	});

	const sockets = new Set();
	const proxy = http.createServer((req, res) => {
		// Plain-HTTP proxying is never needed: npm talks https to the registry.
		refused.push(req.headers.host ?? req.url ?? '');
		res.writeHead(403);
		res.end('only CONNECT registry.npmjs.org:443');
	});
	proxy.on('connect', (req, socket, head) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => {});
		const [host, port] = String(req.url).split(':');
		if (host !== REGISTRY_HOST || (port && port !== '443')) {
			refused.push(String(req.url));
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head && head.length) socket.unshift(head);
		const secure = new tls.TLSSocket(socket, {
			isServer: true,
			key: certificate.key,
			cert: certificate.cert,
		});
		secure.on('error', () => socket.destroy());
		registry.emit('connection', secure);
	});
	proxy.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise((resolve, reject) => {
		proxy.once('error', reject);
		proxy.listen(0, '127.0.0.1', () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (proxy.address());
	const proxyUrl = `http://127.0.0.1:${address.port}`;

	/**
	 * Environment for a process whose npm must reach this stand-in as registry.npmjs.org:
	 * its own npmrc (nothing from ~/.npmrc), cache and proxy.
	 */
	function npmEnv() {
		const userrc = path.join(workDir, 'user.npmrc');
		const globalrc = path.join(workDir, 'global.npmrc');
		fs.writeFileSync(userrc, '');
		fs.writeFileSync(globalrc, '');
		return {
			npm_config_userconfig: userrc,
			npm_config_globalconfig: globalrc,
			npm_config_cache: path.join(workDir, 'npm-cache'),
			npm_config_registry: `https://${REGISTRY_HOST}/`,
			npm_config_https_proxy: proxyUrl,
			npm_config_proxy: proxyUrl,
			npm_config_noproxy: '',
			npm_config_cafile: certificate.certFile,
			npm_config_strict_ssl: 'true',
			npm_config_audit: 'false',
			npm_config_fund: 'false',
			npm_config_update_notifier: 'false',
			npm_config_fetch_retries: '0',
		};
	}

	return {
		proxyUrl,
		certFile: certificate.certFile,
		packages: [...packages.values()].map((p) => p.manifest),
		requests,
		refused,
		npmEnv,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => proxy.close(() => resolve(undefined)));
		},
	};
}

module.exports = { startRegistryStandIn, readPackedManifest, REGISTRY_HOST };
