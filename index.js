'use strict';
// n8n loads the files listed in package.json's "n8n" section; this entry serves code that
// requires the package directly (tests, other tools).
const { WeChatGateway } = require('./dist/nodes/WeChatGateway/WeChatGateway.node');
const { WeChatGatewayApi } = require('./dist/credentials/WeChatGatewayApi.credentials');

module.exports = { WeChatGateway, WeChatGatewayApi };
