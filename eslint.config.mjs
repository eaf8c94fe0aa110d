import { configWithoutCloudSupport as config } from '@n8n/node-cli/eslint';

export default [
	...config,
	{
		ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', '*.js', '.test-n8n/**'],
	},
	{
		files: ['package.json'],
		rules: {
			// The package needs an HTTP client with a keep-alive pool and write tracking (undici) and
			// a safe XML parser/builder (fast-xml-parser); n8n Cloud's no-dependency rule cannot hold.
			'@n8n/community-nodes/no-restricted-imports': 'off',
		},
	},
];
