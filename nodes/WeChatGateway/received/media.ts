import { AppMsgInputError, type XmlElement } from '../appmsg/model';
import { detectImageType, type ImageType } from '../media/imageType';
import { attribute, childElement, numeric, parseReceivedXml } from './xml';

/**
 * Each received media kind's own fields, read from the message's `Content` (WeChat's own XML,
 * the same on every gateway). Sizes and dimensions become numbers; ids, keys and URLs stay text.
 */

export interface ImageFields {
	md5?: string;
	length?: number | string;
	hdLength?: number | string;
	aesKey?: string;
	cdnThumbUrl?: string;
	cdnMidImgUrl?: string;
	cdnBigImgUrl?: string;
	thumbWidth?: number | string;
	thumbHeight?: number | string;
}

export interface VoiceFields {
	/** `voicelength`: milliseconds (sending a voice message takes whole seconds). */
	durationMs?: number | string;
	length?: number | string;
	format?: number | string;
	aesKey?: string;
	voiceUrl?: string;
}

export interface VideoFields {
	durationSec?: number | string;
	length?: number | string;
	md5?: string;
	aesKey?: string;
	cdnVideoUrl?: string;
	cdnThumbUrl?: string;
}

export interface EmojiFields {
	md5?: string;
	size?: number | string;
	/** A plain URL of the sticker itself: fetch it only with media/publicFetch. */
	cdnUrl?: string;
	width?: number | string;
	height?: number | string;
}

export interface LocationFields {
	latitude?: number | string;
	longitude?: number | string;
	label?: string;
	poiName?: string;
	scale?: number | string;
}

export interface ContactCardFields {
	wxid?: string;
	nickname?: string;
	alias?: string;
	avatarUrl?: string;
}

export interface ReceivedMediaFields {
	image: ImageFields;
	voice: VoiceFields;
	video: VideoFields;
	emoji: EmojiFields;
	location: LocationFields;
	contactCard: ContactCardFields;
}

export type ReceivedMediaKind = keyof ReceivedMediaFields;

type Reading = 'text' | 'number';
/** Output field → [XML attribute(s), first present wins; how it is read]. */
type FieldMap = Record<string, [attributes: string[], reading: Reading]>;

interface KindLayout {
	/** The element holding the attributes, under `<msg>`; undefined: `<msg>` itself. */
	element?: string;
	/** How a message of this kind looks, for the error when the element is missing. */
	shape: string;
	fields: FieldMap;
}

const LAYOUTS: Record<ReceivedMediaKind, KindLayout> = {
	image: {
		element: 'img',
		shape: '<msg><img …/></msg>',
		fields: {
			md5: [['md5'], 'text'],
			length: [['length'], 'number'],
			hdLength: [['hdlength'], 'number'],
			aesKey: [['aeskey'], 'text'],
			cdnThumbUrl: [['cdnthumburl'], 'text'],
			cdnMidImgUrl: [['cdnmidimgurl'], 'text'],
			cdnBigImgUrl: [['cdnbigimgurl'], 'text'],
			thumbWidth: [['cdnthumbwidth'], 'number'],
			thumbHeight: [['cdnthumbheight'], 'number'],
		},
	},
	voice: {
		element: 'voicemsg',
		shape: '<msg><voicemsg …/></msg>',
		fields: {
			durationMs: [['voicelength'], 'number'],
			length: [['length'], 'number'],
			format: [['voiceformat'], 'number'],
			aesKey: [['aeskey'], 'text'],
			voiceUrl: [['voiceurl'], 'text'],
		},
	},
	video: {
		element: 'videomsg',
		shape: '<msg><videomsg …/></msg>',
		fields: {
			durationSec: [['playlength'], 'number'],
			length: [['length'], 'number'],
			md5: [['md5'], 'text'],
			aesKey: [['aeskey'], 'text'],
			cdnVideoUrl: [['cdnvideourl'], 'text'],
			cdnThumbUrl: [['cdnthumburl'], 'text'],
		},
	},
	emoji: {
		element: 'emoji',
		shape: '<msg><emoji …></emoji></msg>',
		fields: {
			md5: [['md5'], 'text'],
			size: [['len'], 'number'],
			cdnUrl: [['cdnurl'], 'text'],
			width: [['width'], 'number'],
			height: [['height'], 'number'],
		},
	},
	location: {
		element: 'location',
		shape: '<msg><location …/></msg>',
		fields: {
			latitude: [['x'], 'number'],
			longitude: [['y'], 'number'],
			label: [['label'], 'text'],
			poiName: [['poiname'], 'text'],
			scale: [['scale'], 'number'],
		},
	},
	contactCard: {
		shape: '<msg username="…" nickname="…" …/>',
		fields: {
			wxid: [['username'], 'text'],
			nickname: [['nickname'], 'text'],
			alias: [['alias'], 'text'],
			avatarUrl: [['bigheadimgurl', 'smallheadimgurl'], 'text'],
		},
	},
};

export const RECEIVED_MEDIA_KINDS = Object.keys(LAYOUTS) as ReceivedMediaKind[];

export function isReceivedMediaKind(kind: string): kind is ReceivedMediaKind {
	return Object.prototype.hasOwnProperty.call(LAYOUTS, kind);
}

function readFields(element: XmlElement, fields: FieldMap): Record<string, number | string> {
	const output: Record<string, number | string> = {};
	for (const [name, [attributes, reading]] of Object.entries(fields)) {
		const text = attributes
			.map((attributeName) => attribute(element, attributeName))
			.find((value) => value !== undefined && value !== '');
		const value = reading === 'number' ? numeric(text) : text;
		if (value !== undefined) output[name] = value;
	}
	return output;
}

/**
 * The fields of a received message of `kind`, from its `Content`. Hostile or foreign XML is a
 * clear error naming `field`; an attribute that is absent (or not a number where one belongs) is
 * left out rather than guessed.
 */
export function parseReceivedMedia<K extends ReceivedMediaKind>(
	kind: K,
	content: unknown,
	field = 'Content',
): ReceivedMediaFields[K] {
	const layout = LAYOUTS[kind];
	const document = parseReceivedXml(content, field);
	const msg = childElement(document, 'msg');
	const element = layout.element ? childElement(msg, layout.element) : msg;
	if (!element)
		throw new AppMsgInputError(
			`"${field}" is not the XML of a received ${kind} message (expected ${layout.shape})`,
			field,
		);
	return readFields(element, layout.fields) as ReceivedMediaFields[K];
}

/**
 * The media kind a received message's XML is, from the element it carries; undefined when it is
 * none of them (an app message, or not media). For "Download Media" when no MsgType is given.
 */
export function receivedMediaKindOf(
	content: unknown,
	field = 'messageXml',
): ReceivedMediaKind | undefined {
	const msg = childElement(parseReceivedXml(content, field), 'msg');
	if (!msg) return undefined;
	const kinds = RECEIVED_MEDIA_KINDS.filter((kind) => {
		const element = LAYOUTS[kind].element;
		return element !== undefined && childElement(msg, element) !== undefined;
	});
	if (kinds.length === 1) return kinds[0];
	if (kinds.length === 0 && attribute(msg, 'username') !== undefined) return 'contactCard';
	return undefined;
}

/** Base64 as `ImgBuf` carries it: nothing but the alphabet and its padding. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The thumbnail a received image's `AddMsg.ImgBuf` holds, when it holds a picture as base64;
 * undefined for null, an empty buffer, or anything that does not decode to a picture.
 */
export function imageThumbnail(imgBuf: unknown): (ImageType & { bytes: Buffer }) | undefined {
	const text = typeof imgBuf === 'string' ? imgBuf.replace(/\s+/g, '') : '';
	if (text === '' || text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
	const bytes = Buffer.from(text, 'base64');
	const type = detectImageType(bytes);
	return type && { ...type, bytes };
}
