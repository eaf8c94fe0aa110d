/**
 * The one jest configuration, three projects:
 *  - unit: the unit, engine and reliability suites (test/**\/*.test.ts), on ts-jest;
 *  - e2e: the packed package in a real n8n (test/e2e/*.e2e.js; the runtime is installed into a
 *    cache on first use);
 *  - queue: n8n in queue mode, main and two workers on Redis and PostgreSQL of their own
 *    (test/queue/*.e2e.js).
 * `jest` alone runs all three: pick with `--selectProjects unit|e2e|queue` (what `npm test` and the
 * test:* scripts do) or name the files. --selectProjects reads every plain word after it as one
 * more project: put paths before it, or end it with a flag (the test:* scripts end it with --ci).
 * @type {import('jest').Config}
 */

/** A project whose files each start a real n8n: one file at a time, minutes per test. */
const realN8n = (name) => ({
	displayName: name,
	testEnvironment: 'node',
	roots: [`<rootDir>/test/${name}`],
	testMatch: ['**/*.e2e.js'],
	runner: '<rootDir>/test/support/serialRunner.js',
	setupFilesAfterEnv: ['<rootDir>/test/support/realN8nTimeout.js'],
	verbose: true,
});

module.exports = {
	// jest reads a test timeout from this level only (one for every project): the unit suites';
	// the real-n8n projects raise theirs in realN8nTimeout.js
	testTimeout: 30_000,
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			roots: ['<rootDir>/test'],
			testMatch: ['**/*.test.ts'],
			transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
			// The engine writes a config file into N8N_USER_FOLDER; keep it inside the git-ignored test folder.
			setupFiles: ['<rootDir>/test/setup-env.js'],
		},
		realN8n('e2e'),
		realN8n('queue'),
	],
};
