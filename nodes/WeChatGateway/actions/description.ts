import type { INodeProperties } from 'n8n-workflow';

import { optionsCollection, toUserNameField } from './common.fields';
import type { Operation } from './operation';
import { DEFAULT_RESOURCE, offeredResources } from './registry';

type Show = NonNullable<NonNullable<INodeProperties['displayOptions']>['show']>;

/** The same property, shown only where `show` says as well. */
function shownFor(property: INodeProperties, show: Show): INodeProperties {
	const both: Show = { ...show, ...property.displayOptions?.show };
	return { ...property, displayOptions: { ...property.displayOptions, show: both } };
}

function namesOf(operations: readonly Operation[]): string[] {
	return operations.map((operation) => operation.option.value);
}

/** The Options of the sending operations; Check Recipients only where there is a To to check. */
function optionsFor(addressed: readonly Operation[]): INodeProperties {
	const options = (optionsCollection.options as INodeProperties[]).flatMap((option) => {
		if (option.name !== 'checkRecipients') return [option];
		if (!addressed.length) return [];
		return [{ ...option, displayOptions: { show: { '/operation': namesOf(addressed) } } }];
	});
	return { ...optionsCollection, options };
}

/**
 * A resource's fields: its Operation switch, the To and Options its sending operations share,
 * and each operation's own fields. Operation values may repeat across resources (`get`), so
 * every field is shown for its resource as well as its operation.
 */
function resourceProperties(resource: string, operations: readonly Operation[]): INodeProperties[] {
	const sending = operations.filter((operation) => operation.sends);
	const addressed = sending.filter((operation) => operation.addressed !== false);
	const to = addressed.length ? [shownFor(toUserNameField, { operation: namesOf(addressed) })] : [];
	const perOperation = operations.flatMap((operation) => operation.properties);
	const options = sending.length
		? [shownFor(optionsFor(addressed), { operation: namesOf(sending) })]
		: [];
	// The default is the resource's first operation in the registry, not a literal the lint can read.
	// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
	const operationSwitch: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: operations[0].option.value,
		options: operations.map((operation) => operation.option),
	};
	return [operationSwitch, ...to, ...perOperation, ...options].map((property) =>
		shownFor(property, { resource: [resource] }),
	);
}

/** The node's editor fields, all from the registry. */
export const nodeProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		default: DEFAULT_RESOURCE,
		options: offeredResources.map(({ name, value }) => ({ name, value })),
	},
	...offeredResources.flatMap(({ value, operations }) => resourceProperties(value, operations)),
];
