// @ts-check
'use strict';
/**
 * The benchmark's workload, the same everywhere: N items `{ to, xml }` of four message kinds in
 * turn (link, Channels video, mini program, file), each with its own title and its own chat.
 * `xml` is the `<appmsg>` exactly as the node itself builds it, so the node (operation
 * "sendAppMsgXml", which parses, checks and rebuilds it) sends byte for byte the bodies that the
 * raw undici floor and n8n's HTTP Request node post.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
/**
 * The package measured: this checkout, or another one (BENCH_PACKAGE_DIR, e.g. a copy with a
 * change to try) built the same way. Fixtures, simulator and n8n runtime always come from here.
 */
const PACKAGE_ROOT = path.resolve(process.env.BENCH_PACKAGE_DIR || ROOT);
const DIST = path.join(PACKAGE_ROOT, 'dist/nodes/WeChatGateway');
const FIXTURES = path.join(ROOT, 'test/fixtures');

const SENDER = 'wxid_bench_sender';
const KINDS = [
	{ name: 'link', file: 'link.received.xml', type: 5 },
	{ name: 'channelsVideo', file: 'channels.received.xml', type: 51 },
	{ name: 'miniProgram', file: 'miniprogram.received.xml', type: 33 },
	{ name: 'file', file: 'file.received.xml', type: 6 },
];
/** Stands for the item number in a template's title; plain text, never escaped. */
const MARK = '@@N@@';
/** Options that turn pacing off (and keep retries quick should one ever be needed). */
const PACING_OFF = { messageInterval: 0, maxRecipientsPerMinute: 0, retryDelay: 1 };

function dist(relative) {
	return require(path.join(DIST, relative));
}

/** What the node does to one item's XML with operation sendAppMsgXml: parse, check, rebuild. */
function nodeXmlOf(xml) {
	const { findOperation } = dist('actions/registry.js');
	const { buildAppMsgXml } = dist('appmsg/build.js');
	const appMsg = findOperation('message', 'sendAppMsgXml').toAppMsg({
		itemIndex: 0,
		get: (name, fallback) => (name === 'messageXml' ? xml : fallback),
	});
	return buildAppMsgXml(appMsg);
}

/**
 * One template per kind: the received fixture parsed by the node, its title suffixed with
 * " #<MARK>", rebuilt by the node, and checked to be a fixed point (rebuilding it changes nothing).
 */
function templates() {
	const { parseAppMsgXml } = dist('appmsg/parse.js');
	const { buildAppMsgXml } = dist('appmsg/build.js');
	return KINDS.map((kind) => {
		const { appMsg } = parseAppMsgXml(fs.readFileSync(path.join(FIXTURES, kind.file), 'utf8'));
		appMsg.title = `${String(appMsg.title ?? '')} #${MARK}`;
		const xml = buildAppMsgXml(appMsg);
		const again = nodeXmlOf(xml);
		if (again !== xml)
			throw new Error(
				`bench workload: the node does not rebuild the ${kind.name} template unchanged`,
			);
		if (!xml.includes(MARK))
			throw new Error(`bench workload: the ${kind.name} template lost its title mark`);
		return { ...kind, xml };
	});
}

/**
 * Item i: kind i mod 4, chat wxid_bench_<i>; the Code node in n8n makes the same ones. They go
 * through JSON once, as items do when they reach n8n, so their strings are flat: a string made
 * by replace() is a rope that V8 flattens into a new copy the first time it is read whole, and
 * the node would be charged for that copy in time and memory.
 */
function makeItems(count, tpls = templates(), offset = 0) {
	const items = new Array(count);
	for (let i = 0; i < count; i++) {
		const n = i + offset;
		items[i] = { to: `wxid_bench_${n}`, xml: tpls[n % tpls.length].xml.replace(MARK, String(n)) };
	}
	return JSON.parse(JSON.stringify(items));
}

/** Source of an n8n Code node that emits exactly `makeItems(count, templates, offset)`. */
function codeNodeSource(count, tpls = templates(), offset = 0) {
	const xmls = JSON.stringify(tpls.map((t) => t.xml));
	return [
		`const templates = ${xmls};`,
		`const out = [];`,
		`for (let i = 0; i < ${count}; i++) {`,
		`  const n = i + ${offset};`,
		`  out.push({ json: { to: 'wxid_bench_' + n, xml: templates[n % templates.length].replace(${JSON.stringify(MARK)}, String(n)) } });`,
		`}`,
		`return out;`,
	].join('\n');
}

/**
 * The one message of the "no expressions" runs: the Channels video item (1,118 chars, with
 * Chinese text), the kind closest to the workload's average size, so that parsing it costs
 * about what an average item costs.
 */
const CONSTANT_ITEM_INDEX = 1;

/** Parameters that send one fixed message to one chat for every item: nothing to evaluate. */
function constantParameters(tpls = templates(), options = {}) {
	const item = makeItems(CONSTANT_ITEM_INDEX + 1, tpls)[CONSTANT_ITEM_INDEX];
	return {
		item,
		parameters: { ...nodeParameters(options), toUserName: item.to, messageXml: item.xml },
	};
}

/** The JSON body the node's transport sends for one recipient (same key order, same bytes). */
function bodyOf(item) {
	return JSON.stringify({
		CgiCmd: 222,
		CgiRequest: { ToUserName: item.to, AppMsgXml: item.xml, MsgType: 49 },
	});
}

function endpointOf(baseUrl, timeoutSeconds = 10) {
	const query = new URLSearchParams({
		funcname: 'MagicCgi',
		timeout: String(timeoutSeconds),
		wxid: SENDER,
	});
	return `${baseUrl}/v2/api?${query.toString()}`;
}

/** The node's parameters for the workload (the same in the engine harness and in real n8n). */
function nodeParameters(options = {}) {
	return {
		operation: 'sendAppMsgXml',
		toUserName: '={{ $json.to }}',
		messageXml: '={{ $json.xml }}',
		options: { ...PACING_OFF, ...options },
	};
}

module.exports = {
	ROOT,
	PACKAGE_ROOT,
	DIST,
	SENDER,
	KINDS,
	MARK,
	PACING_OFF,
	dist,
	nodeXmlOf,
	templates,
	makeItems,
	codeNodeSource,
	bodyOf,
	endpointOf,
	nodeParameters,
	constantParameters,
};
