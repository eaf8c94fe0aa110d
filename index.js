'use strict';
// The built node and credential classes, for code in this repository that loads the package
// as a whole (scripts, tools). n8n itself loads the files listed in package.json's "n8n"
// section, so this file is not packed.
const { WeChatGateway } = require('./dist/nodes/WeChatGateway/WeChatGateway.node');
const { WeChatGatewayTrigger } = require('./dist/nodes/WeChatGateway/WeChatGatewayTrigger.node');
const { WeChatGatewayApi } = require('./dist/credentials/WeChatGatewayApi.credentials');

module.exports = { WeChatGateway, WeChatGatewayTrigger, WeChatGatewayApi };
