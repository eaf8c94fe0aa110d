/**
 * Typed access to the simulator's media, contact, group and account parts (simulator/media.js,
 * cdn.js, contacts.js, account.js, mediaFrames.js), on top of the shared typing in
 * test/support/simulators.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from '../support/simulators';

/** A contact as cgi 182 gives it; 64-bit numbers (SnsUserInfo.SnsBGObjectID) as digit strings here. */
export type Contact = Record<string, unknown> & {
	UserName: string;
	ChatRoomMember?: Array<{ Wxid: string; NickName: string; ChatroomMemberFlag: number }>;
};

export interface Upload {
	toUserName: string;
	fileType: 2 | 5;
	fileName?: string;
	fileUrl: string;
	bytes: number;
	md5: string;
	xml: string;
	callNumber: number;
}

export interface Download {
	fileName: string;
	msgId: string;
	bytes: number;
	md5: string;
	written: boolean;
	callNumber: number;
}

export type FrameKind =
	| 'image'
	| 'voice'
	| 'video'
	| 'emoji'
	| 'location'
	| 'contactCard'
	| 'groupJoin'
	| 'pat'
	| 'contactChange'
	| 'groupInvite'
	| 'friendRequest'
	| 'accountOffline';

/** What a push tells: the ids of a message frame, and the bytes behind a voice or a sticker. */
export type Pushed = Record<string, unknown> & {
	reached: number;
	msgId?: number;
	newMsgId?: string;
	content?: string;
	bytes?: Buffer;
	thumbnail?: Buffer;
	md5?: string;
	cdnUrl?: string;
};

export interface MediaSimulator extends Simulator {
	contacts: { seed(contacts: Contact | Contact[]): Contact[]; list(): Contact[] };
	account: {
		set(user: { wxid: string; nickName?: string; online?: boolean }): unknown;
		users(): Array<{ wxid: string; nickName: string; online: boolean }>;
		requests: Array<{ route: string; wxid: string; query: Record<string, string> }>;
	};
	uploads: Upload[];
	downloads: Download[];
	mediaFolder: string;
	/** Where mediaFolder is served over HTTP: the credential's Media Download URL. */
	mediaUrl: string;
	push(kind: FrameKind, spec?: Record<string, unknown>): Pushed;
	frameKinds: FrameKind[];
}

export const startMediaSimulator = startSimulator as (
	options?: SimulatorOptions,
) => Promise<MediaSimulator>;
