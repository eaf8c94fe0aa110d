'use strict';
/**
 * The suites whose cases make the fault table (`npm run test:faults`): the reliability suites,
 * and the transport suites that count faults at the gateway (proxy, redirects, secret spellings,
 * futile retries, credential checks, account keys). One list, so the table runs them and the
 * unit step leaves them to it.
 */
const FAULT_SUITES = [
	'test/reliability/',
	'test/coordination/',
	'test/delivery/lateTurns.test.ts',
	'test/actions/message/sendFile.faults.engine.test.ts',
	'test/actions/message/mediaSends.faults.engine.test.ts',
	'test/transport/accountKey.test.ts',
	'test/transport/credentialChecks.test.ts',
	'test/transport/futileRetries.test.ts',
	'test/transport/proxy.test.ts',
	'test/transport/redirects.test.ts',
	'test/transport/secretsSpellings.test.ts',
];

module.exports = { FAULT_SUITES };
