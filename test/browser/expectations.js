// @ts-check
'use strict';
/**
 * What the node panel must show for each operation, derived from the built node's description
 * (dist/): the top-level parameters by name, in any order, for each value of Source when the
 * operation has one. The names themselves (the saved-workflow contract) are pinned by
 * test/node/description.test.ts; this suite checks that the real editor shows exactly them. A
 * collection has no input of its own, so it is known by its label (COLLECTION_LABELS).
 */
const path = require('node:path');

const { WeChatGateway } = require(
	path.resolve(__dirname, '../../dist/nodes/WeChatGateway/WeChatGateway.node.js'),
);

/** @typedef {{ name: string, displayName: string, type: string, default?: unknown, options?: Array<{ name: string, value: string }>, displayOptions?: { show?: Record<string, unknown[]> } }} Property */

/** @type {Property[]} */
const properties = new WeChatGateway().description.properties;

/** Label of a parameter without an input of its own -> its name. */
const COLLECTION_LABELS = Object.fromEntries(
	properties.filter((p) => p.type === 'collection').map((p) => [p.displayName, p.name]),
);

/**
 * @param {Property} property
 * @param {Record<string, string>} state parameter name -> chosen value
 */
function visible(property, state) {
	const show = property.displayOptions?.show ?? {};
	return Object.entries(show).every(([name, values]) => values.includes(state[name]));
}

/**
 * The state the editor opens in: each switch that shows and is not chosen yet holds its default
 * (an Image Source left at Binary shows the Input Binary Field).
 * @param {Record<string, string>} chosen
 */
function withDefaults(chosen) {
	const state = { ...chosen };
	for (let changed = true; changed; ) {
		changed = false;
		for (const p of properties)
			if (
				p.type === 'options' &&
				!(p.name in state) &&
				visible(p, state) &&
				p.default !== undefined
			) {
				state[p.name] = String(p.default);
				changed = true;
			}
	}
	return state;
}

/** @param {Record<string, string>} chosen */
function namesShown(chosen) {
	const state = withDefaults(chosen);
	return properties.filter((p) => visible(p, state)).map((p) => p.name);
}

const resourceProperty = /** @type {Property} */ (properties.find((p) => p.name === 'resource'));
/** The resources the editor offers, each with its Operation switch. */
const RESOURCES = (resourceProperty.options ?? []).map(({ name, value }) => ({
	name,
	value,
	operations: /** @type {Property} */ (
		properties.find((p) => p.name === 'operation' && visible(p, { resource: value }))
	),
}));

/**
 * Every operation of every resource the editor offers, and what its panel shows.
 * @type {Array<{ resource: string, resourceName: string, value: string, name: string, states: Array<{ source?: string, screenshot: string, shown: string[], hidden: string[] }> }>}
 */
const OPERATIONS = RESOURCES.flatMap((resource) =>
	(resource.operations.options ?? []).map(({ name, value }) => {
		const base = { resource: resource.value, operation: value };
		const source = properties.find((p) => p.name === 'source' && visible(p, base));
		const choices = source?.options ?? [{ name: '', value: '' }];
		// Screenshots of the message operations keep their names; others carry their resource.
		const shot = resource.value === 'message' ? value : `${resource.value}-${value}`;
		return {
			resource: resource.value,
			resourceName: resource.name,
			value,
			name,
			states: choices.map((choice, index) => {
				const shown = namesShown({ ...base, source: choice.value });
				return {
					...(source ? { source: choice.name } : {}),
					// The first state is the operation's default panel; the others are named after the source.
					screenshot: index === 0 ? shot : `${shot}-${choice.value}`,
					shown,
					// Everything else the node has, so that nothing another operation shows leaks in.
					hidden: [...new Set(properties.map((p) => p.name))].filter((n) => !shown.includes(n)),
				};
			}),
		};
	}),
);

module.exports = { OPERATIONS, RESOURCES, COLLECTION_LABELS };
