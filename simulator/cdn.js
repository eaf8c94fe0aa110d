// @ts-check
'use strict';
/**
 * WeChat's CDN as the simulated gateway reaches it: uploading a file or an image
 * (`/v2/cdnupload`, the gateway fetches FileUrl), downloading a voice message to a file on the
 * gateway host (`/v2/cdndownload`), that folder served over HTTP at `/media/`, and a sticker CDN
 * (`/cdn/emoji/stodownload?m=<md5>`) that stickers' `cdnurl` point at.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { imageInfo, md5 } = require('./mediaBytes');
const { imageXml, fileAppMsg } = require('./mediaXml');
const { refuse } = require('./wire');

/** The most a FileUrl may hold, as public clients state the gateway's limit. */
const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;

/** Fetches a URL as the gateway would; throws with the reason when it cannot. */
async function fetchBytes(url) {
	if (!/^https?:\/\//i.test(url)) throw new Error('only http(s) URLs are fetched');
	const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
	if (!response.ok) throw new Error(`HTTP ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
}

/** @param {{ mediaFolder?: string }} options */
function createCdn(options) {
	const ownFolder = options.mediaFolder === undefined;
	const mediaFolder = path.resolve(
		options.mediaFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-gateway-media-')),
	);
	fs.mkdirSync(mediaFolder, { recursive: true });
	/** md5 -> bytes of the stickers the CDN serves. */
	const stickers = new Map();
	/** MsgId and NewMsgId (as text) -> the voice message pushed with it. */
	const voices = new Map();
	/** What was uploaded to and downloaded from the CDN, in order. */
	const uploads = [];
	const downloads = [];

	/** `/v2/cdnupload`: FileType 5 (a file) or 2 (an image) fetched from FileUrl. */
	async function upload(request, ctx) {
		const { FileType: fileType, FileName: fileName, FileUrl: fileUrl } = request;
		if (fileType !== 5 && fileType !== 2)
			return refuse(-2, 'CgiRequest.FileType must be 5 (file) or 2 (image)');
		if (
			fileType === 5 &&
			(typeof fileName !== 'string' || fileName.trim() === '' || /[\\/]/.test(fileName))
		)
			return refuse(-2, 'CgiRequest.FileName must be a file name');
		if (typeof fileUrl !== 'string' || fileUrl === '')
			return refuse(-2, 'CgiRequest.FileUrl is required');
		let bytes;
		try {
			bytes = await fetchBytes(fileUrl);
		} catch (error) {
			return refuse(-1, `FileUrl could not be fetched: ${error.message}`);
		}
		if (bytes.length > MAX_UPLOAD_BYTES)
			return refuse(-2, `the file is over ${MAX_UPLOAD_BYTES} bytes`);
		if (fileType === 2 && !imageInfo(bytes)) return refuse(-2, 'FileUrl is not an image');
		const xml = fileType === 5 ? fileAppMsg(fileName, bytes) : imageXml(bytes, md5(bytes));
		const record = {
			toUserName: request.ToUserName,
			fileType,
			fileName,
			fileUrl,
			bytes: bytes.length,
			md5: md5(bytes),
			xml,
		};
		return {
			ok: true,
			responseData: JSON.stringify(xml),
			fields: record,
			commit: () => uploads.push({ ...record, callNumber: ctx.callNumber }),
		};
	}

	/** `/v2/cdndownload`: writes the voice message of `MsgId` to `FileName` (inside the media folder). */
	function download(request, ctx) {
		const { VoiceXml: voiceXml, FileName: fileName, FileType: fileType } = request;
		if (fileType !== 128) return refuse(-2, 'CgiRequest.FileType must be 128 (voice)');
		if (typeof voiceXml !== 'string' || !/<voicemsg\s/.test(voiceXml))
			return refuse(-2, 'CgiRequest.VoiceXml must be the voice message XML');
		if (typeof fileName !== 'string' || !path.isAbsolute(fileName))
			return refuse(-2, 'CgiRequest.FileName must be an absolute path on the gateway host');
		const target = path.resolve(fileName);
		if (!target.startsWith(mediaFolder + path.sep))
			return refuse(
				-1,
				`cannot write ${fileName}: the simulator writes inside ${mediaFolder} only`,
			);
		const msgId = ctx.rawMsgId;
		if (msgId === undefined || !/^\d+$/.test(msgId))
			return refuse(-2, 'CgiRequest.MsgId must be a number');
		const aesKey = /\baeskey="([^"]+)"/.exec(voiceXml)?.[1];
		const voice = voices.get(msgId) ?? [...voices.values()].find((v) => v.aesKey === aesKey);
		if (!voice) return refuse(-1, `no voice message ${msgId} to download`);
		const record = { fileName: target, msgId, bytes: voice.bytes.length, md5: md5(voice.bytes) };
		return {
			ok: true,
			responseData: '{}',
			fields: record,
			commit(fault) {
				const written = fault?.action !== 'noFile';
				if (written) {
					fs.mkdirSync(path.dirname(target), { recursive: true });
					fs.writeFileSync(target, voice.bytes);
				}
				downloads.push({ ...record, written, callNumber: ctx.callNumber });
			},
		};
	}

	/** Plain GETs: the sticker CDN (by md5) and the files in the media folder. */
	function serve(req, res, url) {
		const send = (status, type, body) =>
			res.writeHead(status, { 'content-type': type, 'content-length': body.length }).end(body);
		if (url.pathname === '/cdn/emoji/stodownload') {
			const bytes = stickers.get(String(url.searchParams.get('m')).toLowerCase());
			return bytes
				? send(200, 'image/gif', bytes)
				: send(404, 'text/plain', Buffer.from('404 not found'));
		}
		if (!url.pathname.startsWith('/media/'))
			return send(404, 'text/plain', Buffer.from('404 not found'));
		const relative = decodeURIComponent(url.pathname.slice('/media/'.length));
		const file = path.resolve(mediaFolder, relative);
		if (
			!file.startsWith(mediaFolder + path.sep) ||
			!fs.existsSync(file) ||
			!fs.statSync(file).isFile()
		)
			return send(404, 'text/plain', Buffer.from('404 not found'));
		return send(200, 'application/octet-stream', fs.readFileSync(file));
	}

	return {
		upload,
		download,
		serve,
		mediaFolder,
		uploads,
		downloads,
		stickers,
		voices,
		reset() {
			uploads.length = 0;
			downloads.length = 0;
			stickers.clear();
			voices.clear();
		},
		close() {
			if (ownFolder) fs.rmSync(mediaFolder, { recursive: true, force: true });
		},
	};
}

module.exports = { createCdn, fetchBytes, MAX_UPLOAD_BYTES };
