// @ts-check
'use strict';
/** Facts of the wire the simulator checks everywhere: what an id looks like, and reading raw JSON. */

/** A wxid, a …@chatroom id or another WeChat user name. */
const WXID = /^[A-Za-z0-9_@.-]{1,128}$/;
/** A group's id. */
const GROUP_ID = /^[A-Za-z0-9_.-]+@chatroom$/;

/**
 * The raw text of a top-level member's value in a JSON object text, so a command's request can be
 * echoed back byte for byte (64-bit numbers included) without a lossy parse.
 * @returns {string | undefined}
 */
function rawMemberText(jsonText, name) {
	let depth = 0;
	let i = 0;
	let pendingKey;
	let valueStart = -1;
	while (i < jsonText.length) {
		const c = jsonText[i];
		if (c === '"') {
			const start = i;
			i++;
			while (i < jsonText.length && jsonText[i] !== '"') i += jsonText[i] === '\\' ? 2 : 1;
			i++;
			if (depth === 1 && valueStart < 0) {
				const after = jsonText.slice(i).match(/^\s*:/);
				if (after) {
					pendingKey = JSON.parse(jsonText.slice(start, i));
					i += after[0].length;
					while (/\s/.test(jsonText[i] ?? '')) i++;
					if (pendingKey === name) valueStart = i;
					continue;
				}
			}
			continue;
		}
		if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') depth--;
		if (valueStart >= 0 && ((depth === 1 && c === ',') || depth === 0))
			return jsonText.slice(valueStart, i).trim();
		i++;
	}
	return undefined;
}

/** A modelled command's refusal: the Ret and ErrMsg the gateway answers. */
const refuse = (ret, errMsg) => ({ ok: false, ret, errMsg });

module.exports = { rawMemberText, refuse, WXID, GROUP_ID };
