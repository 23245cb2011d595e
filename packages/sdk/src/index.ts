export { type JoinLinkOptions, joinLink, signJoinLink } from "./join-link.js";
export {
  type IncomingHeaders,
  type VerifyOptions,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from "./verify-webhook.js";
export { type ConversionInput, VouchApiError, VouchClient, type VouchClientOptions } from "./vouch-client.js";
