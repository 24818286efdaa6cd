/**
 * @module
 * Signed webhooks for engines without a dedicated adapter: `webhookSignals` POSTs each signal
 * following the Standard Webhooks specification, and `verifyWebhook` checks one on the receiving
 * side. Uses only `node:crypto` and the global `fetch`.
 */
export { webhookSignals, WebhookDeliveryError, type WebhookSignalsOptions, type WebhookTarget } from './deliver.js'
export type { WebhookSecret } from './secret.js'
export { signWebhook } from './sign.js'
export {
  isWebhookVerificationError,
  verifyWebhook,
  WebhookVerificationError,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookVerificationReason,
} from './verify.js'
