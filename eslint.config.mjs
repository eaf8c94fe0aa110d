// n8n's own community-node rules (@n8n/node-cli). The "without cloud support" set is the one that
// applies: a node with runtime dependencies cannot run on n8n Cloud anyway.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'test/**',
			'scripts/**',
			'simulator/**',
			'examples/**',
			'docs/**',
			'*.js',
			'.test-n8n/**',
		],
	},
	{
		files: ['package.json'],
		rules: {
			// undici (a keep-alive pool that knows whether a request was written, so nothing is ever
			// sent twice) and fast-xml-parser (XML built and parsed without entity expansion) are what
			// this node is made of; n8n's request helpers and a hand-rolled XML writer cannot give either.
			// ioredis (the Redis client n8n itself uses for queue mode) shares an account's pace and the
			// sent ledger between queue-mode workers, with one atomic Lua script per reservation.
			// silk-wasm (WebAssembly, no native build) decodes WeChat's SILK voice messages to WAV
			// for speech-to-text; nothing else in reach of a node decodes SILK.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
];
