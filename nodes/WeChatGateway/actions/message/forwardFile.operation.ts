import { APPMSG_TYPE, readText, writePath, type AppMsg } from '../../appmsg/model';
import { defineAppMsgKind } from './defineAppMsgKind';

const attach = (...path: string[]) => ['appattach', ...path];

/** WeChat announces a file with type 74 while it uploads, then sends the type 6 message. */
const FILE_UPLOADING = 74;

/** A file (appmsg type 6) that is already on WeChat's CDN, forwarded by its attachment fields. */
export const forwardFile = defineAppMsgKind({
	value: 'forwardFile',
	name: 'Forward File',
	action: 'Forward a file',
	description: 'Forward a file the account received, by its CDN attachment',
	types: [APPMSG_TYPE.file],
	sources: ['xml', 'fields'],
	parsedAs: { key: 'file', marker: attach('attachid') },
	skeleton: () => ({
		'@_appid': '',
		'@_sdkver': '0',
		title: '',
		type: APPMSG_TYPE.file,
		action: 'view',
		appattach: {
			totallen: 0,
			fileext: '',
			attachid: '',
			cdnattachurl: '',
			aeskey: '',
			encryver: 0,
		},
	}),
	fields: [
		{
			displayName: 'File Name',
			name: 'fileName',
			path: ['title'],
			type: 'string',
			default: '',
			required: true,
			placeholder: 'Q3-report.pdf',
		},
		{
			displayName: 'File Size (Bytes)',
			name: 'fileSize',
			path: attach('totallen'),
			type: 'number',
			default: 0,
			required: true,
			description: 'The appattach.totallen of the received message',
		},
		{
			displayName: 'Attachment ID',
			name: 'attachId',
			path: attach('attachid'),
			type: 'string',
			default: '',
			required: true,
			placeholder: '@cdn_3057020100044b…_1',
			description: 'The appattach.attachid of the received message',
		},
		{
			displayName: 'CDN Attachment URL',
			name: 'cdnAttachUrl',
			path: attach('cdnattachurl'),
			type: 'string',
			default: '',
			required: true,
			placeholder: '3057020100044b30490201000204…',
			description:
				"The appattach.cdnattachurl: the file's ID on WeChat's CDN (hex), valid for a limited time after it was received",
		},
		{
			displayName: 'AES Key',
			name: 'aesKey',
			path: attach('aeskey'),
			type: 'string',
			default: '',
			typeOptions: { password: true },
			required: true,
			placeholder: '6dfb7e6c7f6a1dfb985634e2446be1ea',
			description: 'The appattach.aeskey: the key the CDN copy is encrypted with',
		},
		{
			displayName: 'MD5',
			name: 'md5',
			path: ['md5'],
			type: 'string',
			default: '',
			placeholder: 'b1a08644e75e2eba3ce6ed5ff358c876',
		},
		{
			displayName: 'File Extension',
			name: 'fileExt',
			path: attach('fileext'),
			type: 'string',
			default: '',
			optional: true,
			placeholder: 'pdf',
			description: 'Taken from the file name when empty',
		},
		{
			displayName: 'Encryption Version',
			name: 'encryptVersion',
			path: attach('encryver'),
			type: 'number',
			default: 0,
			optional: true,
		},
		{
			displayName: 'File Key',
			name: 'fileKey',
			path: attach('filekey'),
			type: 'string',
			default: '',
			optional: true,
		},
		{
			displayName: 'Overwrite New Msg ID',
			name: 'overwriteNewMsgId',
			path: attach('overwrite_newmsgid'),
			type: 'string',
			default: '',
			optional: true,
			description: 'NewMsgId of the original message, as digits',
		},
		{
			displayName: 'File Upload Token',
			name: 'fileUploadToken',
			path: attach('fileuploadtoken'),
			type: 'string',
			default: '',
			typeOptions: { password: true },
			optional: true,
		},
	],
	explainWrongType: (type) =>
		type === FILE_UPLOADING
			? 'type 74 only announces a file that is still uploading; forward the type 6 message that follows it'
			: undefined,
	finish(appMsg: AppMsg) {
		if (readText(appMsg, attach('fileext'))) return;
		const name = readText(appMsg, ['title']) ?? '';
		const dot = name.lastIndexOf('.');
		if (dot > 0 && dot < name.length - 1) writePath(appMsg, attach('fileext'), name.slice(dot + 1));
	},
});
