/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	// The engine writes a config file into N8N_USER_FOLDER; keep it inside the git-ignored test folder.
	setupFiles: ['<rootDir>/test/setup-env.js'],
	testTimeout: 30_000,
};
