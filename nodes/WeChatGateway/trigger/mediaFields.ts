import type { ImageType } from '../media/imageType';
import { imageThumbnail, isReceivedMediaKind, parseReceivedMedia } from '../received/media';
import { joinedMembers } from '../received/systemNotice';
import { refusalReason } from './events';
import type { AddMsg } from './frame';

export type Thumbnail = ImageType & { bytes: Buffer };

/** What a message's kind adds to its item: named fields, a thumbnail, or why they are missing. */
export interface KindReading {
	fields: Record<string, unknown>;
	thumbnail?: Thumbnail;
	/** Why the kind's XML could not be read (the message still comes, without those fields). */
	problem?: string;
}

/**
 * A media message's own fields as an object named after its kind, with the XML they came from;
 * a system notice's `joined` when it says who joined a group. `content` is the message's content
 * without a group speaker's prefix.
 */
export function readKindFields(kind: string, content: string, addMsg: AddMsg): KindReading {
	if (kind === 'system') return systemNotice(content);
	if (!isReceivedMediaKind(kind)) return { fields: {} };
	const thumbnail = kind === 'image' ? imageThumbnail(addMsg.ImgBuf) : undefined;
	try {
		return {
			fields: { [kind]: parseReceivedMedia(kind, content), messageXml: content },
			thumbnail,
		};
	} catch (error) {
		const problem = `its ${kind} XML was refused: ${refusalReason(error)}`;
		return { fields: { mediaError: problem }, thumbnail, problem };
	}
}

function systemNotice(content: string): KindReading {
	try {
		const joined = joinedMembers(content);
		return { fields: joined ? { joined } : {} };
	} catch (error) {
		return { fields: {}, problem: `its notice XML was refused: ${refusalReason(error)}` };
	}
}
