import type {
	IBinaryKeyData,
	IDataObject,
	INodeExecutionData,
	ITriggerFunctions,
} from 'n8n-workflow';

import type { VoiceFormat } from '../media/voiceAudio';
import { downloadReceivedMedia, egressFilterOf, type DownloadContext } from '../received/download';
import { GatewayClient } from '../transport/client';
import type { GatewaySettings } from '../transport/settings';
import { thumbnailOf, type TriggerItem } from './receiver';

const PREFIX = 'WeChat Gateway Trigger:';
/** The kinds Download Media can fetch (received/download.ts): the others are left as they are. */
const DOWNLOADABLE = new Set(['voice', 'emoji']);

const short = (error: unknown) => String((error as Error)?.message ?? error).slice(0, 300);

/**
 * Items as n8n takes them: an image's thumbnail (AddMsg.ImgBuf) as binary `thumbnail`, and with
 * "Download Media" on, a voice message's or sticker's bytes as binary `data`. Neither ever loses
 * the message: what could not be stored or fetched is left out, with a warning in n8n's log, and
 * a failed download is said in the item's `downloadError`.
 */
export class ExecutionData {
	private client: GatewayClient | undefined;

	constructor(
		private readonly fns: ITriggerFunctions,
		private readonly settings: GatewaySettings,
		/** With "Download Media" on: how voice messages come; off: undefined. */
		private readonly downloadMedia: { voiceFormat: VoiceFormat } | undefined,
	) {}

	async of(item: TriggerItem): Promise<INodeExecutionData> {
		const json = item as IDataObject;
		const binary: IBinaryKeyData = {};
		const thumbnail = thumbnailOf(item);
		const id = String(item.newMsgId ?? '(no id)');
		if (thumbnail) {
			const name = `${String(item.newMsgId ?? 'image')}-thumbnail.${thumbnail.extension}`;
			try {
				binary.thumbnail = await this.fns.helpers.prepareBinaryData(
					thumbnail.bytes,
					name,
					thumbnail.mime,
				);
			} catch (error) {
				this.fns.logger.warn(`${PREFIX} image ${id} comes without its thumbnail: ${short(error)}`);
			}
		}
		if (this.downloadMedia && DOWNLOADABLE.has(String(item.kind)) && item.messageXml) {
			try {
				const file = await downloadReceivedMedia(
					{
						messageXml: item.messageXml,
						msgType: item.msgType,
						msgId: item.msgId as string | undefined,
						newMsgId: item.newMsgId as string | undefined,
						voiceFormat: this.downloadMedia.voiceFormat,
					},
					this.downloads(),
				);
				binary.data = await this.fns.helpers.prepareBinaryData(
					file.bytes,
					file.fileName,
					file.mimeType,
				);
			} catch (error) {
				json.downloadError = short(error);
				this.fns.logger.warn(
					`${PREFIX} ${String(item.kind)} ${id} comes without its bytes: ${json.downloadError}`,
				);
			}
		}
		return Object.keys(binary).length > 0 ? { json, binary } : { json };
	}

	async close(): Promise<void> {
		await this.client?.close();
		this.client = undefined;
	}

	/** One gateway client for the trigger's downloads, made at the first one. */
	private downloads(): DownloadContext {
		this.client ??= new GatewayClient(this.settings, {
			connections: 2,
			warn: (message) => this.fns.logger.warn(message),
		});
		const client = this.client;
		return {
			settings: this.settings,
			call: (call) => client.call(call),
			fetchOptions: { egressFilter: egressFilterOf(this.fns.helpers) },
		};
	}
}
