import type { ParameterReader } from '../../nodes/WeChatGateway/actions/operation';

/** Parameters as n8n would hand them to an operation for one item, after expressions resolved. */
export function parameters(values: Record<string, unknown>, itemIndex = 0): ParameterReader {
	return {
		itemIndex,
		get: (name, fallback) => (name in values ? values[name] : fallback),
		binary: async (property) => {
			throw new Error(`No binary property "${property}" in these test parameters`);
		},
	};
}
