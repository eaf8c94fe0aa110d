'use strict';
/**
 * jest's own runner, one test file at a time whatever the number of workers: for the projects
 * whose files each start a real n8n (jest.config.js). Two at once would share the machine's cores
 * with each other's n8n, task runners and simulators, and their bounds assume they do not.
 */
const TestRunner = require('jest-runner').default;

class SerialRunner extends TestRunner {
	isSerial = true;
}

module.exports = SerialRunner;
