import type { CgiReply } from '../transport/gateway';

/** Ret, ErrMsg and the whole ResponseData: the output of a command whose answer holds no ids. */
export function readEnvelope(reply: CgiReply): Record<string, unknown> {
	return { Ret: reply.Ret, ErrMsg: reply.ErrMsg, ResponseData: reply.ResponseData };
}
