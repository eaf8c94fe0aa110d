/**
 * The queue-mode end-to-end suite: `npx jest --config test/queue/jest.config.js` (a step of
 * `npm test`). A real n8n main instance and two workers on Redis and PostgreSQL of their own
 * (Debian packages, apt-installed when missing); about three minutes.
 * @type {import('jest').Config}
 */
module.exports = {
	rootDir: __dirname,
	testEnvironment: 'node',
	testMatch: ['<rootDir>/**/*.e2e.js'],
	maxWorkers: 1,
	testTimeout: 5 * 60 * 1000,
	verbose: true,
};
