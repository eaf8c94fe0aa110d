const { XMLParser } = require('fast-xml-parser');
const seen=[];
const p = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false, processEntities: false, htmlEntities: false, trimValues: false,
 tagValueProcessor: (name, val, jpath, hasAttr, isLeaf) => { seen.push([name,val]); return val; } });
console.log(p.parse('<a x="1&amp;2"><b>&#13;x&#x1F600;&amp;amp;</b><c><![CDATA[<x>&amp;]]></c><d/><e>pre<![CDATA[mid]]>post</e></a>'), seen);
try { console.log(p.parse('<a><__proto__><polluted>1</polluted></__proto__></a>'), ({}).polluted); } catch (e) { console.log('err', e.message); }
try { console.log(JSON.stringify(p.parse('<a><b>1</b><b>2</b></a>'))); } catch (e) { console.log('err', e.message); }
try { console.log(JSON.stringify(p.parse('<a><b>1</b><b>2</b></a>extra<c/>'))); } catch (e) { console.log('err', e.message); }
try { console.log(JSON.stringify(p.parse('<a><b>1</a>'))); } catch (e) { console.log('err', e.message); }
