// @ts-check
'use strict';
/**
 * Sending media on the simulated gateway: an image (cgi 110), a voice message (127) and a
 * sticker (175), each checked as the gateway does, answered with its ids, and echoed back over
 * the socket as the account's own message.
 */
const { XMLValidator } = require('fast-xml-parser');

const { int64, bigJson } = require('./bigJson');
const { fetchBytes } = require('./cdn');
const { refuse } = require('./wire');
const { silkFrames, imageInfo, md5 } = require('./mediaBytes');
const { imageXml, voiceXml, emojiXml } = require('./mediaXml');

const NO_RECIPIENT = refuse(-2, 'CgiRequest.ToUserName is required');

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

/** @param {{ stickers: Map<string, Buffer> }} cdn the stickers WeChat has, by md5 */
function createMedia({ stickers }) {
	/** A sent media message: its answer, what to record, and its echo (the account's own frame). */
	const sent = (ctx, responseData, fields, echo) => ({
		ok: true,
		newMsgId: ctx.newMsgId,
		responseData: bigJson(responseData),
		fields,
		echo,
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
			return sent(
				ctx,
				imageAnswer(ctx, Number(length ?? 0)),
				{ imageSource: 'xml', imageXml: xml },
				{ msgType: 3, content: xml },
			);
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
		return sent(
			ctx,
			imageAnswer(ctx, bytes.length),
			{
				imageSource: source.name === 'ImageUrl' ? 'url' : 'base64',
				imageKind: info.ext,
				imageBytes: bytes.length,
				imageMd5: md5(bytes),
			},
			{ msgType: 3, content: imageXml(bytes, ctx.newMsgId) },
		);
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
			{
				msgType: 34,
				content: voiceXml({
					seed: ctx.msgId,
					length: bytes.length,
					durationMs: request.VoiceTime * 1000,
					from: ctx.wxid,
				}),
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
			{
				msgType: 47,
				content: emojiXml({
					md5: hash,
					length,
					baseUrl: ctx.baseUrl,
					from: ctx.wxid,
					to: ctx.toUserName,
				}),
			},
		);
	}

	return { models: { 110: sendImage, 127: sendVoice, 175: sendEmoji } };
}

module.exports = { createMedia };
