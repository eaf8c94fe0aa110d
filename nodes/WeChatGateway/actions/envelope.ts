import type { CgiReply } from '../transport/reply';

/**
 * Ret, ErrMsg and the whole ResponseData, a list as a list: the output of a command whose answer
 * holds no ids. Integers above 2^53 are exact strings of digits.
 */
export function readEnvelope(reply: CgiReply): Record<string, unknown> {
	return {
		Ret: reply.Ret,
		ErrMsg: reply.ErrMsg,
		ResponseData: reply.ResponseList ?? reply.ResponseData,
	};
}
