import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { downloadReceivedMedia, egressFilterOf, type DownloadContext } from '../received/download';
import { GatewayClient } from '../transport/client';
import { readGatewaySettings } from '../transport/credential';
import { toNodeError } from './errors';
import { parameterReaders } from './itemParameters';
import type { DownloadOperation } from './operation';

/**
 * The items of a download operation, one after another: each becomes its input item with the
 * bytes as n8n binary data (stored through n8n's helpers, memory or filesystem mode alike) and
 * `downloaded` saying what they are; n8n's error policy (Continue On Fail) applied to each.
 */
export async function downloadItems(
	context: IExecuteFunctions,
	operation: DownloadOperation,
): Promise<INodeExecutionData[]> {
	const node = context.getNode();
	let client: GatewayClient;
	let downloads: DownloadContext;
	try {
		const settings = await readGatewaySettings(context);
		client = new GatewayClient(settings, { warn: (message) => context.logger.warn(message) });
		downloads = {
			settings,
			call: (call) => client.call(call),
			fetchOptions: { egressFilter: egressFilterOf(context.helpers) },
		};
	} catch (error) {
		throw toNodeError(node, error, { itemIndex: 0 });
	}
	const readerFor = parameterReaders(context);
	const output: INodeExecutionData[] = [];
	try {
		for (const [itemIndex, item] of context.getInputData().entries()) {
			try {
				const { media, binaryPropertyName } = operation.toDownload(readerFor(itemIndex));
				const file = await downloadReceivedMedia(media, downloads);
				const binary = await context.helpers.prepareBinaryData(
					file.bytes,
					file.fileName,
					file.mimeType,
				);
				output.push({
					json: {
						...item.json,
						downloaded: {
							kind: file.kind,
							fileName: file.fileName,
							mimeType: file.mimeType,
							fileSize: file.bytes.length,
							...(file.durationMs === undefined ? {} : { durationMs: file.durationMs }),
						},
					},
					binary: { ...item.binary, [binaryPropertyName]: binary },
					pairedItem: { item: itemIndex },
				});
			} catch (error) {
				const nodeError = toNodeError(node, error, { itemIndex });
				if (!context.continueOnFail()) throw nodeError;
				output.push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
			}
		}
	} finally {
		await client.close();
	}
	return output;
}
