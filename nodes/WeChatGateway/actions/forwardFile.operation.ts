import { APPMSG_TYPE, readText, writePath, type AppMsg } from '../appmsg/model';
import { defineAppMsgKind } from './appMsgOperation';

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
	skeleton: () => ({
		'@_appid': '',
		'@_sdkver': '0',
		title: '',
		type: APPMSG_TYPE.file,
		action: 'view',
		appattach: { totallen: 0, fileext: '', attachid: '', cdnattachurl: '', aeskey: '', encryver: 0 },
	}),
	fields: [
		{ name: 'fileName', displayName: 'File Name', path: ['title'], type: 'string', required: true, placeholder: 'Q3-report.pdf' },
		{ name: 'fileSize', displayName: 'File Size (Bytes)', path: attach('totallen'), type: 'number', required: true, description: 'appattach.totallen of the received message' },
		{
			name: 'attachId',
			displayName: 'Attachment ID',
			path: attach('attachid'),
			type: 'string',
			required: true,
			placeholder: '@cdn_3057020100044b…_1',
			description: 'appattach.attachid of the received message',
		},
		{
			name: 'cdnAttachUrl',
			displayName: 'CDN Attachment URL',
			path: attach('cdnattachurl'),
			type: 'string',
			required: true,
			placeholder: '3057020100044b30490201000204…',
			description: 'appattach.cdnattachurl: the file\'s ID on WeChat\'s CDN (hex), valid for a limited time after it was received',
		},
		{ name: 'aesKey', displayName: 'AES Key', path: attach('aeskey'), type: 'string', required: true, placeholder: '6dfb7e6c7f6a1dfb985634e2446be1ea', description: 'appattach.aeskey: the key the CDN copy is encrypted with' },
		{ name: 'md5', displayName: 'MD5', path: ['md5'], type: 'string', placeholder: 'b1a08644e75e2eba3ce6ed5ff358c876' },
		{ name: 'fileExt', displayName: 'File Extension', path: attach('fileext'), type: 'string', optional: true, placeholder: 'pdf', description: 'Taken from the file name when empty' },
		{ name: 'encryptVersion', displayName: 'Encryption Version', path: attach('encryver'), type: 'number', optional: true },
		{ name: 'fileKey', displayName: 'File Key', path: attach('filekey'), type: 'string', optional: true },
		{ name: 'overwriteNewMsgId', displayName: 'Overwrite New Msg ID', path: attach('overwrite_newmsgid'), type: 'string', optional: true, description: 'NewMsgId of the original message, as digits' },
		{ name: 'fileUploadToken', displayName: 'File Upload Token', path: attach('fileuploadtoken'), type: 'string', optional: true },
	],
	explainWrongType: (type) =>
		type === FILE_UPLOADING ? 'type 74 only announces a file that is still uploading; forward the type 6 message that follows it' : undefined,
	finish(appMsg: AppMsg) {
		if (readText(appMsg, attach('fileext'))) return;
		const name = readText(appMsg, ['title']) ?? '';
		const dot = name.lastIndexOf('.');
		if (dot > 0 && dot < name.length - 1) writePath(appMsg, attach('fileext'), name.slice(dot + 1));
	},
});
