/**
 * The credential type both nodes use. Its one home, below both the credential class and the
 * transport that reads it, so the transport need not load the credential's definition.
 */
export const CREDENTIAL_NAME = 'weChatGatewayApi';
