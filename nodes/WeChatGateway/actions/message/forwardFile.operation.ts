import { FILE_FIELDS } from '../../appmsg/kindFields';
import { APPMSG_TYPE, readText, writePath, type AppMsg } from '../../appmsg/model';
import { defineAppMsgKind } from './defineAppMsgKind';

const { fileExt, fileName } = FILE_FIELDS.fields;

/** WeChat announces a file with type 74 while it uploads, then sends the type 6 message. */
const FILE_UPLOADING = 74;

/** A file (appmsg type 6) that is already on WeChat's CDN, forwarded by its attachment fields. */
export const forwardFile = defineAppMsgKind({
	value: 'forwardFile',
	name: 'Forward File',
	action: 'Forward a file',
	description: 'Forward a file the account received, by its CDN attachment',
	sources: ['xml', 'fields'],
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
	table: FILE_FIELDS,
	editor: {
		fileName: {
			displayName: 'File Name',
			required: true,
			placeholder: 'Q3-report.pdf',
		},
		fileSize: {
			displayName: 'File Size (Bytes)',
			required: true,
			description: 'The appattach.totallen of the received message',
		},
		attachId: {
			displayName: 'Attachment ID',
			required: true,
			placeholder: '@cdn_3057020100044b…_1',
			description: 'The appattach.attachid of the received message',
		},
		cdnAttachUrl: {
			displayName: 'CDN Attachment URL',
			required: true,
			placeholder: '3057020100044b30490201000204…',
			description:
				"The appattach.cdnattachurl: the file's ID on WeChat's CDN (hex), valid for a limited time after it was received",
		},
		aesKey: {
			displayName: 'AES Key',
			typeOptions: { password: true },
			required: true,
			placeholder: '6dfb7e6c7f6a1dfb985634e2446be1ea',
			description: 'The appattach.aeskey: the key the CDN copy is encrypted with',
		},
		md5: {
			displayName: 'MD5',
			placeholder: 'b1a08644e75e2eba3ce6ed5ff358c876',
		},
		fileExt: {
			displayName: 'File Extension',
			optional: true,
			placeholder: 'pdf',
			description: 'Taken from the file name when empty',
		},
		encryptVersion: {
			displayName: 'Encryption Version',
			optional: true,
		},
		fileKey: {
			displayName: 'File Key',
			optional: true,
		},
		overwriteNewMsgId: {
			displayName: 'Overwrite New Msg ID',
			optional: true,
			description: 'NewMsgId of the original message, as digits',
		},
		fileUploadToken: {
			displayName: 'File Upload Token',
			typeOptions: { password: true },
			optional: true,
		},
	},
	explainWrongType: (type) =>
		type === FILE_UPLOADING
			? 'type 74 only announces a file that is still uploading; forward the type 6 message that follows it'
			: undefined,
	finish(appMsg: AppMsg) {
		if (readText(appMsg, fileExt.path)) return;
		const name = readText(appMsg, fileName.path) ?? '';
		const dot = name.lastIndexOf('.');
		if (dot > 0 && dot < name.length - 1) writePath(appMsg, fileExt.path, name.slice(dot + 1));
	},
});
