/**
 * A message kind (link card, file, mini program, …) is declared as data: where each field goes
 * in `<appmsg>` (its table in appmsg/kindFields.ts, which Parse App Message XML and the trigger
 * also read) and how the editor shows it (here, in the kind's file). From that come the
 * operation's editor properties and the message it sends (from fields or from received XML with
 * overrides).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { assertXmlText, buildAppMsgXml } from '../../appmsg/build';
import { AppMsgInputError, appMsgType, writePath, type AppMsg } from '../../appmsg/model';
import type { KindField, KindFieldTable } from '../../appmsg/kindFields';
import { parseAppMsgXml } from '../../appmsg/parse';
import { appMsgCall } from '../../transport/client';
import { readSentMessage } from '../../transport/reply';
import { messageXmlField } from '../common.fields';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';

/** How the editor shows one field of a message kind (where it goes: appmsg/kindFields.ts). */
export interface FieldEditor {
	displayName: string;
	/** `password` hides keys while typed, like n8n's other key fields. */
	typeOptions?: { password?: boolean };
	/** Required when the message is built from fields; never when it overrides XML. */
	required?: boolean;
	/** Shown under "Additional Fields" rather than at the top. */
	optional?: boolean;
	placeholder?: string;
	description?: string;
}

/** One editor field of a message kind and where its value goes in `<appmsg>`. */
export interface AppMsgField extends KindField, FieldEditor {
	/** Parameter name: part of the public contract of saved workflows. */
	name: string;
	/** What an untouched field holds: '' or 0, both meaning "not given". */
	default: '' | 0;
}

export type MessageSource = 'xml' | 'fields';

/** What a message kind's file declares. */
export interface AppMsgKindDefinition<Name extends string> {
	/** The operation's value, e.g. `sendLink`. */
	value: string;
	name: string;
	action: string;
	description: string;
	sources: readonly MessageSource[];
	/** The kind's types and its fields' places in `<appmsg>`; none for XML of any type. */
	table?: KindFieldTable<Name>;
	/** The editor's side of each field of `table`, in the table's order. */
	editor?: Record<NoInfer<Name>, FieldEditor>;
	/** The fixed parts of a message built from fields, before field values are written. */
	skeleton(): AppMsg;
	/** Last corrections that every message of the kind needs, whatever its source. */
	finish?(appMsg: AppMsg, parameters: ParameterReader): void;
	/** A clearer word for a type that looks right but is not (e.g. a file still uploading). */
	explainWrongType?(type: number): string | undefined;
}

/** A message kind with its table and editor joined: each field whole. */
export interface AppMsgKind extends Omit<AppMsgKindDefinition<string>, 'table' | 'editor'> {
	/** Message types this operation sends; the first is used when building from fields. */
	types: readonly number[];
	fields: readonly AppMsgField[];
}

function joinFields<Name extends string>(
	table: KindFieldTable<Name> | undefined,
	editor: Record<Name, FieldEditor> | undefined,
): AppMsgField[] {
	if (table === undefined || editor === undefined) return [];
	return (Object.keys(table.fields) as Name[]).map((name) => ({
		name,
		...table.fields[name],
		...editor[name],
		default: table.fields[name].type === 'number' ? 0 : '',
	}));
}

function show(kind: AppMsgKind, extra: IDataObject = {}): INodeProperties['displayOptions'] {
	return { show: { operation: [kind.value], ...extra } };
}

function fieldProperty(field: AppMsgField, required: boolean): INodeProperties {
	return {
		displayName: field.displayName,
		name: field.name,
		type: field.type,
		default: field.default,
		...(field.typeOptions ? { typeOptions: field.typeOptions } : {}),
		...(required ? { required: true } : {}),
		...(field.placeholder ? { placeholder: field.placeholder } : {}),
		...(field.description ? { description: field.description } : {}),
	};
}

const byDisplayName = (a: INodeProperties, b: INodeProperties) =>
	a.displayName.localeCompare(b.displayName);

/** Editor properties for a kind: source switch, XML box, fields, "Additional Fields", overrides. */
function kindProperties(kind: AppMsgKind): INodeProperties[] {
	const properties: INodeProperties[] = [];
	const fromFields = kind.sources.includes('fields');
	const fromXml = kind.sources.includes('xml');
	const both = fromFields && fromXml;
	if (both) {
		properties.push({
			displayName: 'Source',
			name: 'source',
			type: 'options',
			noDataExpression: true,
			default: 'xml',
			displayOptions: show(kind),
			options: [
				{
					name: 'Received Message XML',
					value: 'xml',
					description:
						'Forward a message the account received: paste or map its XML (&lt;msg&gt;…&lt;/msg&gt; or &lt;appmsg&gt;…&lt;/appmsg&gt;)',
				},
				{
					name: 'Fields',
					value: 'fields',
					description: 'Enter each field of the message yourself',
				},
			],
		});
	}
	if (fromXml) {
		properties.push({
			...messageXmlField,
			displayOptions: show(kind, both ? { source: ['xml'] } : {}),
		});
	}
	if (fromFields) {
		const where = both ? { source: ['fields'] } : {};
		for (const field of kind.fields.filter((f) => !f.optional)) {
			properties.push({
				...fieldProperty(field, field.required ?? false),
				displayOptions: show(kind, where),
			});
		}
		const optional = kind.fields.filter((f) => f.optional);
		if (optional.length) {
			properties.push({
				displayName: 'Additional Fields',
				name: 'additionalFields',
				type: 'collection',
				placeholder: 'Add Field',
				default: {},
				displayOptions: show(kind, where),
				options: optional.map((f) => fieldProperty(f, false)).sort(byDisplayName),
			});
		}
	}
	if (fromXml && kind.fields.length) {
		properties.push({
			displayName: 'Override Fields',
			name: 'overrides',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			description: 'Fields set here replace those of the received message (e.g. a new title)',
			displayOptions: show(kind, both ? { source: ['xml'] } : {}),
			options: kind.fields.map((f) => fieldProperty(f, false)).sort(byDisplayName),
		});
	}
	return properties;
}

function isSet(value: unknown): value is string | number {
	if (typeof value === 'number') return Number.isFinite(value);
	return typeof value === 'string' && value !== '';
}

function writeField(appMsg: AppMsg, field: AppMsgField, value: unknown): void {
	if (field.type === 'number') {
		const number = typeof value === 'number' ? value : Number(String(value).trim());
		if (!Number.isFinite(number) || number < 0 || !Number.isInteger(number)) {
			throw new AppMsgInputError(
				`"${field.displayName}" must be a whole number ≥ 0, got "${String(value)}"`,
				field.displayName,
			);
		}
		writePath(appMsg, field.path, number);
		return;
	}
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw new AppMsgInputError(
			`"${field.displayName}" must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`,
			field.displayName,
		);
	}
	const text = String(value);
	assertXmlText(text, field.displayName);
	writePath(appMsg, field.path, text);
}

function fromFields(kind: AppMsgKind, parameters: ParameterReader): AppMsg {
	const appMsg = kind.skeleton();
	const additional = (parameters.get('additionalFields', {}) ?? {}) as IDataObject;
	for (const field of kind.fields) {
		const value = field.optional ? additional[field.name] : parameters.get(field.name, '');
		// Checked before the blank test: \v and \f look blank to trim() but XML cannot carry them.
		if (typeof value === 'string') assertXmlText(value, field.displayName);
		// n8n stores an untouched number field as 0, so there 0 means "not given" (no file has 0
		// bytes); a text field that an expression fills with the number 0 holds the text "0".
		const present =
			typeof value === 'string'
				? value.trim() !== ''
				: isSet(value) && (value !== 0 || field.type === 'string');
		if (!present) {
			if (field.required)
				throw new AppMsgInputError(`"${field.displayName}" is required`, field.displayName);
			continue;
		}
		writeField(appMsg, field, value);
	}
	return appMsg;
}

function fromXml(kind: AppMsgKind, parameters: ParameterReader): AppMsg {
	const { appMsg } = parseAppMsgXml(parameters.get('messageXml', ''), 'Message XML');
	const type = appMsgType(appMsg) as number;
	if (kind.types.length && !kind.types.includes(type)) {
		const hint = kind.explainWrongType?.(type) ?? '';
		throw new AppMsgInputError(
			`"Message XML" is an app message of type ${type}, but "${kind.name}" sends type ${kind.types.join(' or ')}${hint ? `: ${hint}` : ''}`,
			'Message XML',
		);
	}
	const overrides = (parameters.get('overrides', {}) ?? {}) as IDataObject;
	for (const field of kind.fields) {
		const value = overrides[field.name];
		if (typeof value === 'string' ? value !== '' : isSet(value)) writeField(appMsg, field, value);
	}
	return appMsg;
}

/** A message kind's operation; `toAppMsg` is the message alone, before it is addressed. */
export interface AppMsgKindOperation extends SendOperation {
	kind: AppMsgKind;
	toAppMsg(parameters: ParameterReader): AppMsg;
}

/** Declares a message kind: its editor fields and how they map to `<appmsg>`, in one place. */
export function defineAppMsgKind<Name extends string>(
	definition: AppMsgKindDefinition<Name>,
): AppMsgKindOperation {
	const { table, editor, ...rest } = definition;
	const kind: AppMsgKind = {
		...rest,
		types: table?.types ?? [],
		fields: joinFields(table, editor),
	};
	const toAppMsg = (parameters: ParameterReader): AppMsg => {
		const source: MessageSource =
			kind.sources.length === 1
				? kind.sources[0]
				: (parameters.get('source', 'xml') as MessageSource);
		const appMsg = source === 'xml' ? fromXml(kind, parameters) : fromFields(kind, parameters);
		kind.finish?.(appMsg, parameters);
		return appMsg;
	};
	return {
		sends: true,
		kind,
		option: {
			name: kind.name,
			value: kind.value,
			action: kind.action,
			description: kind.description,
		},
		properties: kindProperties(kind),
		toAppMsg,
		toRequest(parameters) {
			const appMsg = toAppMsg(parameters);
			const recipients = parseRecipients(parameters.get('toUserName'));
			const xml = buildAppMsgXml(appMsg);
			return {
				recipients,
				messageFor: (recipient) => ({ call: appMsgCall(recipient, xml) }),
				readReply: readSentMessage,
				output: { type: appMsgType(appMsg) as number },
				sentCopy: { AppMsgXml: xml },
			};
		},
	};
}
