/**
 * End-to-end tests in a real n8n: `npm run test:e2e` (also the last step of `npm test`).
 * Kept apart from the unit/engine suites (root jest.config.js matches only *.test.ts), because
 * they need the n8n runtime (installed into a cache on first use, ~4 min) and take about a minute.
 * @type {import('jest').Config}
 */
module.exports = {
	rootDir: __dirname,
	testEnvironment: 'node',
	testMatch: ['<rootDir>/**/*.e2e.js'],
	// one shared n8n instance per file; the steps inside run in parallel where they can
	maxWorkers: 1,
	testTimeout: 5 * 60 * 1000,
	verbose: true,
};
