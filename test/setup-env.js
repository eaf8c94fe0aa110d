'use strict';
const path = require('node:path');

process.env.N8N_USER_FOLDER = path.resolve(__dirname, '../.test-n8n');
process.env.N8N_LOG_LEVEL = 'silent';
// Tests talk to 127.0.0.1 only; a proxy set on the machine must not sit in between.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
	delete process.env[name];
