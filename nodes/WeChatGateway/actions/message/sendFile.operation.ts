import type { INodeProperties } from 'n8n-workflow';

import { findNonXmlChar } from '../../appmsg/build';
import { AppMsgInputError } from '../../appmsg/model';
import { parseAppMsgXml } from '../../appmsg/parse';
import { appMsgCall } from '../../transport/client';
import { readSentMessage, type CgiReply } from '../../transport/reply';
import { CDN_CGI_CMD, CDN_FILE_TYPE, MSG_TYPE_APP } from '../../wechat';
import type { ParameterReader, SendOperation } from '../operation';
import { parseRecipients } from '../recipients';
import { httpUrlParameter, showFor, textParameter } from './mediaSend';

const OPERATION = 'sendFile';
/** What most file systems allow in one name; WeChat shows the name as the card's title. */
const MAX_FILE_NAME_CHARS = 255;
/** Where the gateway's answer to the upload is named in errors. */
const UPLOAD_ANSWER = 'ResponseData of the upload';

const properties: INodeProperties[] = [
	{
		displayName: 'File URL',
		name: 'fileUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/reports/Q3-report.pdf',
		description:
			'An http(s) URL of the file; the gateway fetches it (not n8n) and uploads it to WeChat',
		displayOptions: showFor(OPERATION),
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Q3-report.pdf',
		description:
			'The name the chat shows, with its extension (WeChat picks the icon by it); no folders',
		displayOptions: showFor(OPERATION),
	},
];

/** A name WeChat shows as the file's title: no folders, nothing a file name or XML cannot carry. */
function readFileName(parameters: ParameterReader): string {
	const name = textParameter(parameters, 'fileName', 'File Name');
	const refuse = (why: string) => {
		throw new AppMsgInputError(`"File Name" ${why}`, 'File Name');
	};
	if (name === '') refuse('is required');
	if ([...name].length > MAX_FILE_NAME_CHARS)
		refuse(
			`is ${[...name].length} characters long; a file name has at most ${MAX_FILE_NAME_CHARS}`,
		);
	if (/[\\/]/.test(name))
		refuse(`must be a name without folders (no / or \\), got "${name.slice(0, 80)}"`);
	if (name === '.' || name === '..') refuse(`must name a file, got "${name}"`);
	const bad = findNonXmlChar(name);
	// eslint-disable-next-line no-control-regex
	if (bad !== undefined || /[\u0000-\u001f\u007f]/.test(name))
		refuse('holds a control character, which a file name cannot carry');
	return name;
}

/**
 * The upload's answer as the message to send: an `<appmsg>` read under the hardened parser. An
 * answer that is not one is the upload failing, so nothing reaches the chat.
 */
function uploadedAppMsg(reply: CgiReply): string {
	const xml = reply.ResponseText?.trim();
	if (!xml)
		throw new Error(
			`the gateway answered Ret 0 without the <appmsg> to send (ResponseData must be its XML as a string)`,
		);
	parseAppMsgXml(xml, UPLOAD_ANSWER);
	return xml;
}

/** A new file (appmsg type 6): uploaded by the gateway from a URL, then sent as cgi 222. */
export const sendFile: SendOperation = {
	sends: true,
	option: {
		name: 'Send File',
		value: OPERATION,
		action: 'Send a file',
		description:
			'Send a file from an http(s) URL: the gateway uploads it to WeChat (cdnupload), then sends it (cgi 222)',
	},
	properties,
	toRequest(parameters) {
		const recipients = parseRecipients(parameters.get('toUserName'));
		const fileUrl = httpUrlParameter(parameters, 'fileUrl', 'File URL');
		const fileName = readFileName(parameters);
		return {
			recipients,
			messageFor: (recipient) => ({
				call: {
					path: '/v2/cdnupload',
					CgiCmd: CDN_CGI_CMD,
					CgiRequest: {
						ToUserName: recipient,
						FileType: CDN_FILE_TYPE.file,
						FileName: fileName,
						FileUrl: fileUrl,
					},
				},
				then: (uploaded) => appMsgCall(recipient, uploadedAppMsg(uploaded)),
				steps: ['upload', 'send'],
			}),
			readReply: readSentMessage,
			output: { MsgType: MSG_TYPE_APP, FileName: fileName },
		};
	},
};
