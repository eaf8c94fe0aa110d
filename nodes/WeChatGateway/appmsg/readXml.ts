import { assertXmlText } from './build';
import { AppMsgInputError, type XmlElement } from './model';
import { scanWellFormed } from './wellFormed';
import { XmlTreeBuilder, type XmlShape } from './xmlTree';

export type { XmlShape } from './xmlTree';

/**
 * A reader of untrusted XML in the given shape: one linear pass that refuses DOCTYPE, entity
 * declarations and runaway nesting and builds the tree as it goes, values kept as text (64-bit
 * ids and leading zeros survive exactly), and only the predefined entities and character
 * references decoded, so a DOCTYPE can never define one. Every refusal is an AppMsgInputError
 * naming `field`.
 */
export function wellFormedXmlReader(shape: XmlShape): (xml: string, field: string) => XmlElement {
	return (xml, field) => {
		assertXmlText(xml, field);
		const tree = new XmlTreeBuilder(xml, shape);
		scanWellFormed(xml, field, tree);
		if (tree.refusal !== undefined)
			throw new AppMsgInputError(`"${field}" could not be read as XML: ${tree.refusal}`, field);
		return tree.result();
	};
}
