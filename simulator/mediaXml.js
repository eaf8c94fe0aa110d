// @ts-check
'use strict';
/**
 * WeChat's own media XML as the simulated gateway writes it: an image's CDN XML (an upload's
 * answer, a received image's Content) and a file's `<appmsg>` of type 6 (an upload's answer).
 */
const path = require('node:path');

const { md5, hexId, imageInfo } = require('./mediaBytes');

/** How WeChat's CDN ids start (a protobuf-in-hex header). */
const CDN_PREFIX = '3057020100044b30490201000204';

const XML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (text) => String(text).replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);

/** `name="value"` pairs, values escaped. */
const attributes = (fields) =>
	Object.entries(fields)
		.map(([name, value]) => `${name}="${escapeXml(value)}"`)
		.join(' ');

/** WeChat's `<msg>` shell around one media element. */
const msgXml = (inner) => `<?xml version="1.0"?>\n<msg>\n\t${inner}\n</msg>\n`;

/** Where the simulator's sticker CDN serves a sticker (`&` escaped where the URL goes into XML). */
const stickerUrl = (baseUrl, hash) =>
	`${baseUrl}/cdn/emoji/stodownload?m=${hash}&filekey=30340201010420301e020201060402535a041${hash.slice(0, 8)}&hy=SZ&bizid=1023`;

/** The AES key a voice message of `seed` carries (the download finds the voice by it too). */
const voiceKey = (seed) => hexId(`voice${seed}`);

/** A voice message's XML: `durationMs` (voicelength) and `length` in bytes; ids derived from `seed`. */
function voiceXml({ seed, length, durationMs, from }) {
	return msgXml(
		`<voicemsg ${attributes({
			endflag: 1,
			cancelflag: 0,
			forwardflag: 0,
			voiceformat: 4,
			voicelength: durationMs,
			length,
			bufid: `${BigInt(seed) * 4096n}`,
			aeskey: voiceKey(seed),
			voiceurl: `${CDN_PREFIX}${hexId(`vurl${seed}`, 96)}`,
			voicemd5: '',
			clientmsgid: `${hexId(`cm${seed}`, 32)}${from}_${seed}`,
			fromusername: from,
		})} />`,
	);
}

/** A sticker's XML; its `cdnurl` at the simulator's sticker CDN. */
function emojiXml({ md5: hash, length, baseUrl, from, to }) {
	return `<msg><emoji ${attributes({
		fromusername: from,
		tousername: to ?? '',
		type: 2,
		idbuffer: 'media:0_0',
		md5: hash,
		len: length,
		productid: '',
		androidmd5: hash,
		androidlen: length,
		cdnurl: stickerUrl(baseUrl, hash),
		designerid: '',
		thumburl: '',
		encrypturl: `${baseUrl}/cdn/emoji/encrypted/${hash}`,
		aeskey: hexId(`ekey${hash}`),
		externurl: '',
		externmd5: '',
		width: 24,
		height: 24,
		tpurl: '',
		tpauthkey: '',
		attachedtext: '',
		attachedtextcolor: '',
		lensid: '',
		emojiattr: '',
		linkid: '',
		desc: '',
	})}></emoji><gameext type="0" content="0"></gameext></msg>`;
}

/** An image's CDN XML, as an upload answers it and a received image carries it. */
function imageXml(bytes, seed) {
	const info = imageInfo(bytes) ?? { width: 0, height: 0 };
	const cdn = CDN_PREFIX + hexId(`img${seed}`, 96);
	return (
		`<?xml version="1.0"?>\n<msg>\n\t<img aeskey="${hexId(`key${seed}`)}" encryver="1" ` +
		`cdnthumbaeskey="${hexId(`tkey${seed}`)}" cdnthumburl="${cdn}" cdnthumblength="${Math.min(bytes.length, 4096)}" ` +
		`cdnthumbheight="${Math.min(info.height, 120)}" cdnthumbwidth="${Math.min(info.width, 120)}" ` +
		`cdnmidheight="0" cdnmidwidth="0" cdnhdheight="0" cdnhdwidth="0" cdnmidimgurl="${cdn}" ` +
		`length="${bytes.length}" cdnbigimgurl="${cdn}" hdlength="${bytes.length}" md5="${md5(bytes)}" />\n` +
		`\t<platform_signature></platform_signature>\n\t<imgdatahash></imgdatahash>\n</msg>\n`
	);
}

/** A file's `<appmsg>` of type 6, as an upload answers it (then sent as cgi 222). */
function fileAppMsg(fileName, bytes) {
	const hash = md5(bytes);
	const cdn = CDN_PREFIX + hexId(`file${hash}`, 96);
	const aesKey = hexId(`aes${hash}`);
	const ext = path.extname(fileName).slice(1);
	return (
		`<appmsg appid="" sdkver="0"><title>${escapeXml(fileName)}</title><des></des><action>view</action>` +
		`<type>6</type><showtype>0</showtype><content></content><url></url><appattach>` +
		`<totallen>${bytes.length}</totallen><attachid>@cdn_${cdn}_${aesKey}_1</attachid>` +
		`<emoticonmd5></emoticonmd5><fileext>${escapeXml(ext)}</fileext><cdnattachurl>${cdn}</cdnattachurl>` +
		`<aeskey>${aesKey}</aeskey><encryver>0</encryver></appattach><md5>${hash}</md5></appmsg>`
	);
}

module.exports = {
	escapeXml,
	attributes,
	msgXml,
	imageXml,
	voiceXml,
	voiceKey,
	emojiXml,
	stickerUrl,
	fileAppMsg,
	CDN_PREFIX,
};
