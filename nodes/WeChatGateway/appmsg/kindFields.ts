/**
 * Where each app message kind keeps its values in `<appmsg>`, by the name both nodes give them:
 * the operation's field of that name (its editor text lives with the operation) and the key
 * under which Parse App Message XML and the trigger report the value. Plain data, so the
 * trigger reads received messages without loading the action node's operations.
 */
import { APPMSG_TYPE, type FieldPath } from './model';

export interface KindField {
	path: FieldPath;
	/** Sizes and dimensions are numbers; ids and keys stay text. */
	type: 'string' | 'number';
}

export interface KindFieldTable<Name extends string = string> {
	/** The message types of the kind; the first is the one a message built from fields gets. */
	types: readonly number[];
	/**
	 * Where a summary reports the kind's fields: `topLevel` for every message, or under `key` for
	 * a message of one of `types` or one with an element at `marker`.
	 */
	parsedAs: 'topLevel' | { key: string; marker: FieldPath };
	/** By public name, in the editor's order. */
	fields: Readonly<Record<Name, KindField>>;
}

/** Keeps the field names as literal types, so an operation must describe each one. */
function table<Name extends string>(kind: KindFieldTable<Name>): KindFieldTable<Name> {
	return kind;
}

const text = (...path: string[]): KindField => ({ path, type: 'string' });
const number = (...path: string[]): KindField => ({ path, type: 'number' });

export const LINK_FIELDS = table({
	types: [APPMSG_TYPE.link],
	parsedAs: 'topLevel',
	fields: {
		title: text('title'),
		url: text('url'),
		description: text('des'),
		thumbUrl: text('thumburl'),
		sourceUsername: text('sourceusername'),
		sourceDisplayName: text('sourcedisplayname'),
		appId: text('@_appid'),
	},
});

const feed = (...path: string[]) => ['finderFeed', ...path];
const media = (...path: string[]) => ['finderFeed', 'mediaList', 'media', ...path];

export const CHANNELS_VIDEO_FIELDS = table({
	types: [APPMSG_TYPE.channelsVideo],
	parsedAs: { key: 'channelsVideo', marker: feed('objectId') },
	fields: {
		objectId: text(...feed('objectId')),
		objectNonceId: text(...feed('objectNonceId')),
		username: text(...feed('username')),
		nickname: text(...feed('nickname')),
		avatar: text(...feed('avatar')),
		description: text(...feed('desc')),
		mediaUrl: text(...media('url')),
		thumbUrl: text(...media('thumbUrl')),
		coverUrl: text(...media('coverUrl')),
		width: number(...media('width')),
		height: number(...media('height')),
		duration: number(...media('videoPlayDuration')),
		feedType: number(...feed('feedType')),
		title: text('title'),
	},
});

/** The mini program's own elements; its cover is under `appattach`. */
export const weapp = (...path: string[]) => ['weappinfo', ...path];
export const attach = (...path: string[]) => ['appattach', ...path];

export const MINI_PROGRAM_FIELDS = table({
	types: [APPMSG_TYPE.miniProgram, APPMSG_TYPE.miniProgramPage],
	parsedAs: { key: 'miniProgram', marker: weapp('appid') },
	fields: {
		title: text('title'),
		appId: text(...weapp('appid')),
		username: text(...weapp('username')),
		pagePath: text(...weapp('pagepath')),
		displayName: text('sourcedisplayname'),
		iconUrl: text(...weapp('weappiconurl')),
		version: number(...weapp('version')),
		shareId: text(...weapp('shareId')),
		cdnThumbUrl: text(...attach('cdnthumburl')),
		cdnThumbMd5: text(...attach('cdnthumbmd5')),
		cdnThumbLength: number(...attach('cdnthumblength')),
		cdnThumbWidth: number(...attach('cdnthumbwidth')),
		cdnThumbHeight: number(...attach('cdnthumbheight')),
		cdnThumbAesKey: text(...attach('cdnthumbaeskey')),
		aesKey: text(...attach('aeskey')),
	},
});

export const FILE_FIELDS = table({
	types: [APPMSG_TYPE.file],
	parsedAs: { key: 'file', marker: attach('attachid') },
	fields: {
		fileName: text('title'),
		fileSize: number(...attach('totallen')),
		attachId: text(...attach('attachid')),
		cdnAttachUrl: text(...attach('cdnattachurl')),
		aesKey: text(...attach('aeskey')),
		md5: text('md5'),
		fileExt: text(...attach('fileext')),
		encryptVersion: number(...attach('encryver')),
		fileKey: text(...attach('filekey')),
		overwriteNewMsgId: text(...attach('overwrite_newmsgid')),
		fileUploadToken: text(...attach('fileuploadtoken')),
	},
});

/** Every kind with fields, in the order a summary reports them (the editor's order of kinds). */
export const KIND_FIELD_TABLES: readonly KindFieldTable[] = [
	LINK_FIELDS,
	CHANNELS_VIDEO_FIELDS,
	MINI_PROGRAM_FIELDS,
	FILE_FIELDS,
];
