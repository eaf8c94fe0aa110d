/**
 * The WeChat node instance the engine harness and the direct runner use. n8n makes the node
 * without arguments; tests that provoke timeouts shorten the client's grace beyond the gateway's
 * timeout (5 s) through the node's constructor.
 */
import { WeChatGateway } from '../../nodes/WeChatGateway/WeChatGateway.node';

let node = new WeChatGateway();

export function weChatNode(): WeChatGateway {
	return node;
}

/** How long the client waits beyond the gateway's timeout; no argument restores the default. */
export function setClientGraceMs(ms?: number): void {
	node = new WeChatGateway(ms === undefined ? {} : { graceMs: ms });
}
