import {
	imageThumbnail,
	parseReceivedMedia,
	receivedMediaKindOf,
} from '../../nodes/WeChatGateway/received/media';
import { MAX_RECEIVED_XML_CHARS } from '../../nodes/WeChatGateway/received/xml';

/** Content as WeChat delivers it, written from the attribute lists of the protocol notes. */
const IMAGE = `<?xml version="1.0"?>
<msg>
	<img aeskey="6c2f3b7e0d9a4e1f8b5c2a7d9e0f1a2b" encryver="1" cdnthumbaeskey="6c2f3b7e0d9a4e1f8b5c2a7d9e0f1a2b" cdnthumburl="3057020100044b304902010002049a1b2c3d02032f5a0b0204b0e5a2dc020465c8f1a1042434" cdnthumblength="4312" cdnthumbheight="120" cdnthumbwidth="90" cdnmidheight="0" cdnmidwidth="0" cdnhdheight="0" cdnhdwidth="0" cdnmidimgurl="3057020100044b304902010002049a1b2c3d02032f5a0b0204b0e5a2dc020465c8f1a1042435" length="98304" cdnbigimgurl="3057020100044b304902010002049a1b2c3d02032f5a0b0204b0e5a2dc020465c8f1a1042436" hdlength="402112" md5="e3b0c44298fc1c149afbf4c8996fb924" />
	<platform_signature></platform_signature>
	<imgdatahash></imgdatahash>
</msg>`;

const VOICE = `<msg><voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" voicelength="2700" length="5095" bufid="0" aeskey="a1b2c3d4e5f60718293a4b5c6d7e8f90" voiceurl="3052020100044b30490201000204b0e5a2dc02032f5a0b0204" voicemd5="" clientmsgid="41353836303861636637393436380000" fromusername="wxid_sender01" /></msg>`;

const VIDEO = `<?xml version="1.0"?>
<msg>
	<videomsg aeskey="0f1e2d3c4b5a69788796a5b4c3d2e1f0" cdnvideourl="3057020100044b304902010002040" cdnthumbaeskey="0f1e2d3c4b5a69788796a5b4c3d2e1f0" cdnthumburl="3057020100044b304902010002041" length="1534298" playlength="12" cdnthumblength="9876" cdnthumbwidth="224" cdnthumbheight="398" fromusername="wxid_sender01" md5="9e107d9d372bb6826bd81d3542a419d6" newmd5="e4d909c290d0fb1ca068ffaddf22cbd0" isplaceholder="0" rawmd5="" rawlength="0" cdnrawvideourl="" cdnrawvideoaeskey="" overwritenewmsgid="0" originsourcemd5="" isad="0" />
</msg>`;

const EMOJI = `<msg><emoji fromusername="wxid_sender01" tousername="wxid_me" type="2" idbuffer="media:0_0" md5="4cc7540a85b5b6cf4ba14e9f4ae08b7c" len="102357" productid="" androidmd5="4cc7540a85b5b6cf4ba14e9f4ae08b7c" androidlen="102357" s60v3md5="4cc7540a85b5b6cf4ba14e9f4ae08b7c" s60v3len="102357" s60v5md5="4cc7540a85b5b6cf4ba14e9f4ae08b7c" s60v5len="102357" cdnurl="http://wxapp.tc.qq.com/262/20304/stodownload?m=4cc7540a85b5b6cf4ba14e9f4ae08b7c&amp;filekey=30350201&amp;hy=SH&amp;storeid=32303231&amp;bizid=1023" designerid="" thumburl="" encrypturl="http://wxapp.tc.qq.com/262/20304/stodownload?m=0a1b&amp;filekey=3035" aeskey="5f4dcc3b5aa765d61d8327deb882cf99" externurl="" externmd5="" width="240" height="240" tpurl="" tpauthkey="" attachedtext="" attachedtextcolor="" lensid="" emojiattr="" linkid="" desc=""></emoji><gameext type="0" content="0"></gameext></msg>`;

const LOCATION = `<?xml version="1.0"?>
<msg>
	<location x="22.540503" y="113.934528" scale="15" label="广东省深圳市南山区科技园" maptype="roadmap" poiname="腾讯大厦" poiid="nearby_123" buildingId="" floorName="" poiCategoryTips="" poiBusinessHour="" poiPhone="" poiPriceTips="0.0" isFromPoiList="true" adcode="440305" cityname="深圳市" />
</msg>`;

const CONTACT_CARD = `<?xml version="1.0"?>
<msg bigheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/abc/0" smallheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/abc/132" username="wxid_friend42" nickname="小明 &amp; Co" fullpy="xiaoming" shortpy="" alias="xiaoming_88" imagestatus="3" scene="17" province="广东" city="深圳" sign="" sex="1" certflag="0" certinfo="" brandIconUrl="" brandHomeUrl="" brandSubscriptConfigUrl="" brandFlags="0" regionCode="CN_Guangdong_Shenzhen" antispamticket="v2_0123456789abcdef@stranger" />`;

describe("each received media kind's own fields", () => {
	it('image', () => {
		expect(parseReceivedMedia('image', IMAGE)).toEqual({
			md5: 'e3b0c44298fc1c149afbf4c8996fb924',
			length: 98304,
			hdLength: 402112,
			aesKey: '6c2f3b7e0d9a4e1f8b5c2a7d9e0f1a2b',
			cdnThumbUrl: '3057020100044b304902010002049a1b2c3d02032f5a0b0204b0e5a2dc020465c8f1a1042434',
			cdnMidImgUrl: '3057020100044b304902010002049a1b2c3d02032f5a0b0204b0e5a2dc020465c8f1a1042435',
			cdnBigImgUrl: '3057020100044b304902010002049a1b2c3d02032f5a0b0204b0e5a2dc020465c8f1a1042436',
			thumbWidth: 90,
			thumbHeight: 120,
		});
	});

	it('voice: voicelength is milliseconds', () => {
		expect(parseReceivedMedia('voice', VOICE)).toEqual({
			durationMs: 2700,
			length: 5095,
			format: 4,
			aesKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
			voiceUrl: '3052020100044b30490201000204b0e5a2dc02032f5a0b0204',
		});
	});

	it('video: playlength is seconds', () => {
		expect(parseReceivedMedia('video', VIDEO)).toEqual({
			durationSec: 12,
			length: 1534298,
			md5: '9e107d9d372bb6826bd81d3542a419d6',
			aesKey: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
			cdnVideoUrl: '3057020100044b304902010002040',
			cdnThumbUrl: '3057020100044b304902010002041',
		});
	});

	it('emoji: the cdnurl with its entities decoded', () => {
		expect(parseReceivedMedia('emoji', EMOJI)).toEqual({
			md5: '4cc7540a85b5b6cf4ba14e9f4ae08b7c',
			size: 102357,
			cdnUrl:
				'http://wxapp.tc.qq.com/262/20304/stodownload?m=4cc7540a85b5b6cf4ba14e9f4ae08b7c&filekey=30350201&hy=SH&storeid=32303231&bizid=1023',
			width: 240,
			height: 240,
		});
	});

	it('location: x is the latitude, y the longitude', () => {
		expect(parseReceivedMedia('location', LOCATION)).toEqual({
			latitude: 22.540503,
			longitude: 113.934528,
			label: '广东省深圳市南山区科技园',
			poiName: '腾讯大厦',
			scale: 15,
		});
	});

	it('contact card: the attributes of <msg> itself', () => {
		expect(parseReceivedMedia('contactCard', CONTACT_CARD)).toEqual({
			wxid: 'wxid_friend42',
			nickname: '小明 & Co',
			alias: 'xiaoming_88',
			avatarUrl: 'http://wx.qlogo.cn/mmhead/ver_1/abc/0',
		});
	});

	it('a contact card without a big avatar takes the small one', () => {
		const card = CONTACT_CARD.replace(/bigheadimgurl="[^"]*"/, 'bigheadimgurl=""');
		expect(parseReceivedMedia('contactCard', card).avatarUrl).toBe(
			'http://wx.qlogo.cn/mmhead/ver_1/abc/132',
		);
	});

	it("a group message's speaker prefix is skipped", () => {
		expect(parseReceivedMedia('voice', `wxid_speaker7:\n${VOICE}`).durationMs).toBe(2700);
		expect(parseReceivedMedia('image', `wxid_speaker7:\n${IMAGE}`).hdLength).toBe(402112);
	});

	it('a 64-bit number stays its exact digits; text where a number belongs is left out', () => {
		const video = VIDEO.replace('length="1534298"', 'length="18446744073709551615"').replace(
			'playlength="12"',
			'playlength="twelve"',
		);
		const fields = parseReceivedMedia('video', video);
		expect(fields.length).toBe('18446744073709551615');
		expect(fields).not.toHaveProperty('durationSec');
	});

	it('absent attributes are left out, not guessed', () => {
		expect(parseReceivedMedia('emoji', '<msg><emoji md5="abc"/></msg>')).toEqual({ md5: 'abc' });
	});
});

describe('hostile or foreign Content is a clear error', () => {
	it.each([
		[
			'a DOCTYPE in an image message',
			'image',
			`<!DOCTYPE msg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${IMAGE.replace('<?xml version="1.0"?>', '')}`,
			'contains a DOCTYPE or ENTITY declaration',
		],
		[
			'a sticker with a 1 MB attribute',
			'emoji',
			EMOJI.replace('desc=""', `desc="${'A'.repeat(1024 * 1024)}"`),
			`characters long; this kind of message's XML is at most ${MAX_RECEIVED_XML_CHARS}`,
		],
		['unclosed tags', 'voice', '<msg><voicemsg voicelength="2700">', 'is never closed'],
		['an unclosed attribute', 'image', '<msg><img md5="abc /></msg>', 'is never closed'],
		['a reserved name', 'image', '<msg><img __proto__="x"/></msg>', 'a reserved name'],
		['plain text', 'image', 'just some text', 'text outside the root element'],
		['empty content', 'image', '   ', 'is empty'],
		['not a string', 'image', 42, 'is empty'],
		[
			'another kind',
			'image',
			VOICE,
			'is not the XML of a received image message (expected <msg><img …/></msg>)',
		],
	])('%s', (_name, kind, content, message) => {
		const parse = () => parseReceivedMedia(kind as 'image', content, 'Content');
		expect(parse).toThrow(message);
		expect(parse).toThrow(/^"Content"/);
	});

	it('an entity no XML predefines stays as written: nothing else ever expands', () => {
		expect(parseReceivedMedia('location', '<msg><location label="&x; &#x41;"/></msg>')).toEqual({
			label: '&x; A',
		});
	});
});

describe('the kind of a received message, from its XML alone', () => {
	it.each([
		['image', IMAGE],
		['voice', VOICE],
		['video', VIDEO],
		['emoji', EMOJI],
		['location', LOCATION],
		['contactCard', CONTACT_CARD],
	])('%s', (kind, content) => {
		expect(receivedMediaKindOf(content)).toBe(kind);
	});

	it.each([
		['an app message', '<msg><appmsg appid=""><title>t</title><type>5</type></appmsg></msg>'],
		['two media elements at once', '<msg><img md5="a"/><emoji md5="b"/></msg>'],
		['another root', '<sysmsg type="revokemsg"/>'],
	])('none for %s', (_name, content) => {
		expect(receivedMediaKindOf(content)).toBeUndefined();
	});

	it('hostile XML is a clear error naming the field', () => {
		expect(() => receivedMediaKindOf('<!DOCTYPE msg><msg/>')).toThrow(
			'"messageXml" contains a DOCTYPE or ENTITY declaration',
		);
	});
});

describe("a received image's thumbnail from AddMsg.ImgBuf", () => {
	const PNG_BASE64 =
		'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

	it('base64 of a picture, line breaks and all', () => {
		const thumbnail = imageThumbnail(`${PNG_BASE64.slice(0, 40)}\n${PNG_BASE64.slice(40)}`);
		expect(thumbnail).toMatchObject({ mime: 'image/png', extension: 'png' });
		expect(thumbnail?.bytes.equals(Buffer.from(PNG_BASE64, 'base64'))).toBe(true);
	});

	it.each([
		['null', null],
		['an empty buffer', ''],
		['an object', { iLen: 0 }],
		['not base64', 'not base64 at all!'],
		['base64 of text', Buffer.from('hello, not a picture').toString('base64')],
	])('nothing for %s', (_name, imgBuf) => {
		expect(imageThumbnail(imgBuf)).toBeUndefined();
	});
});
