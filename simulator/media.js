// @ts-check
'use strict';
/**
 * Media on the simulated gateway: sending an image (cgi 110), a voice message (127) and a sticker
 * (175); uploading a file or an image to WeChat's CDN (`/v2/cdnupload`); downloading a voice
 * message to a file on the gateway host (`/v2/cdndownload`), with that folder served over HTTP at
 * `/media/`; and a sticker CDN (`/cdn/emoji/stodownload?m=<md5>`) that stickers' `cdnurl` point at.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { XMLValidator } = require('fast-xml-parser');

const { int64, bigJson } = require('./bigJson');
const { silkFrames, imageInfo, md5 } = require('./mediaBytes');
const { imageXml, fileAppMsg } = require('./mediaXml');

/** The most a FileUrl may hold, as public clients state the gateway's limit. */
const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;

const refuse = (ret, errMsg) => ({ ok: false, ret, errMsg });
const NO_RECIPIENT = refuse(-2, 'CgiRequest.ToUserName is required');

/** Fetches a URL as the gateway would; throws with the reason when it cannot. */
async function fetchBytes(url) {
	if (!/^https?:\/\//i.test(url)) throw new Error('only http(s) URLs are fetched');
	const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
	if (!response.ok) throw new Error(`HTTP ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
}

/** Bytes from plain base64 (no `data:` prefix), or an error text naming the field. */
function fromBase64(value, field) {
	if (typeof value !== 'string' || value === '') return { error: `CgiRequest.${field} is empty` };
	if (value.startsWith('data:'))
		return { error: `CgiRequest.${field} must be plain base64, without a data: prefix` };
	if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
		return { error: `CgiRequest.${field} is not base64` };
	return { bytes: Buffer.from(value, 'base64') };
}

/** The one field of `names` the request sets, or an error when it sets none or several. */
function oneOf(request, names) {
	const given = names.filter((name) => request[name] !== undefined && request[name] !== '');
	if (given.length !== 1) return { error: `CgiRequest needs exactly one of ${names.join(', ')}` };
	return { name: given[0] };
}

/** @param {{ mediaFolder?: string }} options */
function createMedia(options) {
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

	const sent = (ctx, responseData, fields) => ({
		ok: true,
		newMsgId: ctx.newMsgId,
		responseData: bigJson(responseData),
		fields,
	});

	/** cgi 110: exactly one of ImageBase64, ImageUrl, ImageXml. */
	async function sendImage(request, ctx) {
		if (!request.ToUserName) return NO_RECIPIENT;
		const source = oneOf(request, ['ImageBase64', 'ImageUrl', 'ImageXml']);
		if (source.error) return refuse(-2, source.error);
		let bytes;
		if (source.name === 'ImageXml') {
			const xml = String(request.ImageXml);
			if (/<!DOCTYPE/i.test(xml) || XMLValidator.validate(xml) !== true)
				return refuse(-2, 'CgiRequest.ImageXml is not well-formed XML');
			if (!/<img\s[^>]*\baeskey="[^"]+"/.test(xml) || !/\bcdn(mid|big)imgurl="[^"]+"/.test(xml))
				return refuse(-2, 'CgiRequest.ImageXml has no <img> with aeskey and cdnmidimgurl');
			const length = /\blength="(\d+)"/.exec(xml)?.[1];
			return sent(ctx, imageAnswer(ctx, Number(length ?? 0)), {
				imageSource: 'xml',
				imageXml: xml,
			});
		}
		if (source.name === 'ImageBase64') {
			const decoded = fromBase64(request.ImageBase64, 'ImageBase64');
			if (decoded.error) return refuse(-2, decoded.error);
			bytes = decoded.bytes;
		} else {
			try {
				bytes = await fetchBytes(String(request.ImageUrl));
			} catch (error) {
				return refuse(-1, `ImageUrl could not be fetched: ${error.message}`);
			}
		}
		const info = imageInfo(bytes);
		if (!info) return refuse(-2, 'the image is not a PNG, JPEG, GIF, WebP or BMP');
		return sent(ctx, imageAnswer(ctx, bytes.length), {
			imageSource: source.name === 'ImageUrl' ? 'url' : 'base64',
			imageKind: info.ext,
			imageBytes: bytes.length,
			imageMd5: md5(bytes),
		});
	}

	const imageAnswer = (ctx, length) => ({
		MsgId: ctx.msgId,
		ClientImgId: { string: `${ctx.wxid}_${ctx.now}` },
		FromUserName: { string: ctx.wxid },
		ToUserName: { string: ctx.toUserName },
		TotalLen: length,
		StartPos: length,
		DataLen: length,
		CreateTime: ctx.now,
		NewMsgId: int64(ctx.newMsgId),
	});

	/** cgi 127: VoiceUrl or VoiceBase64 (SILK v3), and VoiceTime in whole seconds. */
	async function sendVoice(request, ctx) {
		if (!request.ToUserName) return NO_RECIPIENT;
		const source = oneOf(request, ['VoiceBase64', 'VoiceUrl']);
		if (source.error) return refuse(-2, source.error);
		if (!Number.isInteger(request.VoiceTime) || request.VoiceTime < 1 || request.VoiceTime > 60)
			return refuse(-2, 'CgiRequest.VoiceTime must be whole seconds, 1 to 60');
		let bytes;
		if (source.name === 'VoiceBase64') {
			const decoded = fromBase64(request.VoiceBase64, 'VoiceBase64');
			if (decoded.error) return refuse(-2, decoded.error);
			bytes = decoded.bytes;
		} else {
			try {
				bytes = await fetchBytes(String(request.VoiceUrl));
			} catch (error) {
				return refuse(-1, `VoiceUrl could not be fetched: ${error.message}`);
			}
		}
		const frames = silkFrames(bytes);
		if (frames === undefined) return refuse(-2, 'the voice is not a SILK v3 file');
		return sent(
			ctx,
			{
				MsgId: ctx.msgId,
				ClientMsgId: `${ctx.wxid}_${ctx.now}`,
				Length: bytes.length,
				VoiceLength: request.VoiceTime * 1000,
				EndFlag: 1,
				CreateTime: ctx.now,
				NewMsgId: int64(ctx.newMsgId),
			},
			{
				voiceSource: source.name === 'VoiceUrl' ? 'url' : 'base64',
				voiceTime: request.VoiceTime,
				voiceFrames: frames,
				voiceBytes: bytes.length,
				voiceMd5: md5(bytes),
			},
		);
	}

	/** cgi 175: EmojiMd5 and EmojiLen of a sticker WeChat has. */
	function sendEmoji(request, ctx) {
		if (!request.ToUserName) return NO_RECIPIENT;
		const { EmojiMd5: hash, EmojiLen: length } = request;
		if (typeof hash !== 'string' || !/^[0-9a-f]{32}$/i.test(hash))
			return refuse(-2, 'CgiRequest.EmojiMd5 must be 32 hex digits');
		if (!Number.isInteger(length) || length <= 0)
			return refuse(-2, 'CgiRequest.EmojiLen must be the sticker size in bytes');
		const known = stickers.get(hash.toLowerCase());
		if (known && known.length !== length)
			return refuse(
				-2,
				`EmojiLen ${length} does not match sticker ${hash} (${known.length} bytes)`,
			);
		const item = {
			Ret: 0,
			StartPos: length,
			TotalLen: length,
			Md5: hash,
			MsgId: ctx.msgId,
			NewMsgId: int64(ctx.newMsgId),
		};
		return sent(
			ctx,
			{ ActionFlag: 0, EmojiItemCount: 1, EmojiItem: [item] },
			{ emojiMd5: hash, emojiLen: length },
		);
	}

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
		models: { 110: sendImage, 127: sendVoice, 175: sendEmoji },
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

module.exports = { createMedia, MAX_UPLOAD_BYTES };
