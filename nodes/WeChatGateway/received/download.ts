import { randomUUID } from 'node:crypto';

import { AppMsgInputError } from '../inputError';
import { detectImageType } from '../media/imageType';
import {
	fetchPublicMedia,
	MediaFetchError,
	type EgressFilter,
	type PublicFetchOptions,
} from '../media/publicFetch';
import { readSilk } from '../media/silk';
import { silkToWav, type VoiceFormat } from '../media/voiceAudio';
import type { CdnCall, GatewayCall } from '../transport/client';
import { JsonInteger } from '../transport/exactJson';
import type { CgiReply } from '../transport/reply';
import { CredentialSettingsError, type GatewaySettings } from '../transport/settings';
import {
	CDN_FILE_TYPE_VOICE,
	MSG_TYPE_APP,
	MSG_TYPE_EMOJI,
	MSG_TYPE_IMAGE,
	MSG_TYPE_VIDEOS,
	MSG_TYPE_VOICE,
} from '../wechat';
import { childElement, parseReceivedXml } from './xml';
import { parseReceivedMedia, receivedMediaKindOf } from './media';

/**
 * The bytes of a received media message, for the action node's Download Media and the trigger's
 * option alike. A sticker is a plain GET of its `cdnurl`, a URL from a stranger's message and so
 * fetched under media/publicFetch's rules. A voice message is written by the gateway to a file on
 * its own host (`/v2/cdndownload`), which n8n then reads from where the owner serves that folder.
 * Pictures, videos and files have no download call any public client makes: they are refused
 * with that reason rather than guessed at.
 */

/** What identifies the message to download; field names are the operation's parameters. */
export interface MediaToDownload {
	messageXml: unknown;
	/** The message's MsgType; empty: read from the XML. */
	msgType?: unknown;
	msgId?: string;
	newMsgId?: string;
	/** A voice message as received (SILK, the default) or as WAV, for speech-to-text. */
	voiceFormat?: VoiceFormat;
}

export interface DownloadedMedia {
	kind: 'voice' | 'emoji';
	bytes: Buffer;
	mimeType: string;
	fileName: string;
	/** A voice message's length, read from its SILK frames. */
	durationMs?: number;
}

/** What a download needs of its caller: the credential, a way to call the gateway, n8n's rules. */
export interface DownloadContext {
	settings: Pick<GatewaySettings, 'media'>;
	call(call: GatewayCall): Promise<CgiReply>;
	/** Passed on to publicFetch for the sticker's URL (n8n's egress filter; tests' resolver). */
	fetchOptions?: Omit<PublicFetchOptions, 'allowPrivate' | 'field'>;
	/** How long to look for the gateway's file once it answered, in total. */
	fileWaitMs?: number;
}

/** Why something could not be downloaded, when it is neither bad input nor a network failure. */
export class MediaDownloadError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MediaDownloadError';
	}
}

const KIND_BY_TYPE: Record<number, string> = {
	[MSG_TYPE_IMAGE]: 'image',
	[MSG_TYPE_VOICE]: 'voice',
	...Object.fromEntries(MSG_TYPE_VIDEOS.map((type) => [type, 'video'])),
	[MSG_TYPE_EMOJI]: 'emoji',
	[MSG_TYPE_APP]: 'file',
};

const NOT_KNOWN: Record<string, string> = {
	image: 'a picture',
	video: 'a video',
	file: 'a file (or another app message)',
};

/** The kind named by MsgType, or else by the XML's own element. */
function kindOf(media: MediaToDownload): string {
	const given = media.msgType;
	if (given !== undefined && given !== null && String(given).trim() !== '') {
		const kind = KIND_BY_TYPE[Number(given)];
		if (!kind)
			throw new AppMsgInputError(
				`"Message Type" is ${String(given).slice(0, 20)}, not a media message: voice messages (34) and stickers (47) download; leave it empty to read the kind from the XML`,
				'Message Type',
			);
		return kind;
	}
	const kind = receivedMediaKindOf(media.messageXml, 'messageXml');
	if (kind) return kind;
	const msg = childElement(parseReceivedXml(media.messageXml, 'messageXml'), 'msg');
	if (childElement(msg, 'appmsg')) return 'file';
	throw new AppMsgInputError(
		'"messageXml" is not the XML of a received voice message or sticker (expected <msg><voicemsg …/></msg> or <msg><emoji …/></msg>)',
		'messageXml',
	);
}

/**
 * n8n's own SSRF rules, where this n8n has them (`getSecureEgressFilter`, n8n 2.x; without
 * egress settings it lets everything through, so it is always safe to apply).
 */
export function egressFilterOf(helpers: {
	getSecureEgressFilter?: () => EgressFilter;
}): EgressFilter | undefined {
	return typeof helpers.getSecureEgressFilter === 'function'
		? helpers.getSecureEgressFilter()
		: undefined;
}

/** A received message's media as bytes, or an error saying why not (nothing guessed). */
export async function downloadReceivedMedia(
	media: MediaToDownload,
	context: DownloadContext,
): Promise<DownloadedMedia> {
	const kind = kindOf(media);
	if (kind === 'emoji') return await downloadSticker(media, context);
	if (kind === 'voice') return await downloadVoice(media, context);
	throw new MediaDownloadError(
		`Downloading ${NOT_KNOWN[kind]} is not supported: the gateway's download call for this kind is not publicly known (no public client makes one). Only voice messages and stickers download; a picture can be forwarded with Send Image from its XML`,
	);
}

async function downloadSticker(
	media: MediaToDownload,
	context: DownloadContext,
): Promise<DownloadedMedia> {
	const { cdnUrl, md5 } = parseReceivedMedia('emoji', media.messageXml, 'messageXml');
	if (!cdnUrl)
		throw new AppMsgInputError('"messageXml" is a sticker without a cdnurl to fetch', 'messageXml');
	const fetched = await fetchPublicMedia(cdnUrl, {
		...context.fetchOptions,
		allowPrivate: context.settings.media?.allowPrivate ?? false,
		field: 'cdnUrl',
	});
	const type = detectImageType(fetched.bytes);
	const name = media.newMsgId || media.msgId || md5 || 'sticker';
	return {
		kind: 'emoji',
		bytes: fetched.bytes,
		mimeType: type?.mime ?? 'application/octet-stream',
		fileName: `${name}.${type?.extension ?? 'bin'}`,
	};
}

const FOLDER = 'Media Download Folder';
const URL_FIELD = 'Media Download URL';

/** The gateway's folder and where it is served; both or a clear error about them. */
function mediaPlaces(settings: DownloadContext['settings']): { folder: string; url: string } {
	const { folder, url } = settings.media ?? {};
	if (folder && url) return { folder, url };
	const missing =
		!folder && !url
			? `"${FOLDER}" and "${URL_FIELD}" are empty`
			: `"${folder ? URL_FIELD : FOLDER}" is empty`;
	throw new CredentialSettingsError(
		folder ? URL_FIELD : FOLDER,
		`${missing}. A voice message is downloaded by the gateway into a file on its own host: "${FOLDER}" is a folder there for it to write into, and "${URL_FIELD}" is where you serve that folder over HTTP so that n8n can read the file (e.g. /srv/wechat-media served as http://gateway-host:8081/media)`,
	);
}

/** The gateway's folder and a name of ours, joined with the separator the folder is written with. */
function pathOnGateway(folder: string, name: string): string {
	const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
	return folder.endsWith(separator) ? `${folder}${name}` : `${folder}${separator}${name}`;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function downloadVoice(
	media: MediaToDownload,
	context: DownloadContext,
): Promise<DownloadedMedia> {
	const { folder, url } = mediaPlaces(context.settings);
	// Read first: hostile or foreign XML is refused before the gateway is asked anything.
	parseReceivedMedia('voice', media.messageXml, 'messageXml');
	const id = media.msgId || media.newMsgId;
	if (!id || !/^\d+$/.test(id))
		throw new AppMsgInputError(
			'"Message ID" (or "New Message ID") is required to download a voice message: map the trigger\'s msgId',
			'msgId',
		);
	const name = `wechat-voice-${media.newMsgId || id}-${randomUUID().slice(0, 8)}.silk`;
	const call: CdnCall = {
		path: '/v2/cdndownload',
		CgiCmd: 0,
		CgiRequest: {
			VoiceXml: media.messageXml,
			FileName: pathOnGateway(folder, name),
			FileType: CDN_FILE_TYPE_VOICE,
			MsgId: new JsonInteger(id),
		},
	};
	await context.call(call);
	const bytes = await readGatewayFile(`${url}/${encodeURIComponent(name)}`, context.fileWaitMs);
	const frames = readSilkOrNot(bytes);
	if (!frames)
		throw new MediaDownloadError(
			`"${URL_FIELD}" served ${name}, but not as SILK audio: check that it serves "${FOLDER}" byte for byte`,
		);
	const fileName = media.newMsgId || id;
	if (media.voiceFormat === 'wav')
		return {
			kind: 'voice',
			bytes: await silkToWav(bytes, 'voice'),
			mimeType: 'audio/wav',
			fileName: `${fileName}.wav`,
			durationMs: frames.durationMs,
		};
	return {
		kind: 'voice',
		bytes,
		mimeType: 'audio/silk',
		fileName: `${fileName}.silk`,
		durationMs: frames.durationMs,
	};
}

/** A SILK file's frames, or undefined for a header without audio. */
function readSilkOrNot(bytes: Buffer) {
	try {
		return readSilk(bytes, 'voice');
	} catch {
		return undefined;
	}
}

/**
 * The file the gateway said it wrote, read from the owner's server (not a stranger's URL, so
 * private addresses are fine). A gateway may answer before its file is complete on disk: a
 * missing file is looked for again a few times before it is reported.
 */
async function readGatewayFile(fileUrl: string, waitMs = 3000): Promise<Buffer> {
	const started = Date.now();
	for (let pause = 200; ; pause *= 2) {
		const read = await fetchPublicMedia(fileUrl, { allowPrivate: true, field: URL_FIELD }).then(
			(fetched) => fetched.bytes,
			(error: unknown) => error,
		);
		if (Buffer.isBuffer(read)) return read;
		const notThere =
			read instanceof MediaFetchError && read.reason === 'http' && / HTTP 404 /.test(read.message);
		if (!notThere) throw read;
		if (Date.now() - started + pause > waitMs)
			throw new MediaDownloadError(
				`The gateway answered the voice download, but no file appeared at "${URL_FIELD}" (${new URL(fileUrl).pathname}) within ${Math.round(waitMs / 1000)} s. Check that "${URL_FIELD}" serves "${FOLDER}" and that the gateway can write there`,
			);
		await delay(pause);
	}
}
