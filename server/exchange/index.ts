/** The one module of the product that talks to Microsoft (identity platform, Graph and EWS). */
export { ExchangeClient, ROOT_FOLDER_NAME, TOP_OF_STORE_NAME } from "./exchange-client.js";
export type { GraphSubscription, GraphSubscriptionRequest } from "./exchange-client.js";
export type {
  DeltaPageRequest,
  ExchangeClientOptions,
  ExchangeDeltaPage,
  ExchangeListPage,
  ListMessagesRequest,
  MailboxAccess,
  MailboxCheck,
  TokenCheck,
} from "./exchange-client.js";
export type { ExchangeConnection } from "./connection.js";
export { ExchangeError, graphHttpError, identityError, kindOfHttpStatus } from "./graph-errors.js";
export type { ExchangeErrorKind } from "./graph-errors.js";
export type { ExchangeEvent, ExchangeMetrics } from "./graph-middleware.js";
export { isThrottled } from "./graph-middleware.js";
export type { AttachmentKind, ExchangeFolder } from "./graph-types.js";
export { MESSAGE_SELECT } from "./graph-types.js";
export { MailboxRequestLimiter, DEFAULT_LIMITER_OPTIONS } from "./mailbox-limiter.js";
export type { LimiterOptions, LimiterStats } from "./mailbox-limiter.js";
export { DEFAULT_RETRY_OPTIONS } from "./retry-policy.js";
export type { RetryOptions } from "./retry-policy.js";
export { TokenProvider } from "./token-provider.js";
export type { AccessToken, TokenProviderOptions } from "./token-provider.js";
export { GraphCredentialChecker } from "./credential-check.js";
export { GraphMailSource, createGraphMailSourceFactory } from "./graph-mail-source.js";
export { EgressRefusedError, OutboundHttp } from "./outbound-http.js";
export type { OutboundHttpOptions, OutboundTimeouts } from "./outbound-http.js";
export {
  createExchange,
  createMailSourceFactory,
  ExchangeCredentialChecker,
} from "./api-dispatch.js";
export type { ExchangeOptions, MailSourceFactoryWithEws } from "./api-dispatch.js";
export { createEwsMailSourceFactory, EwsMailSource } from "./ews/ews-mail-source.js";
export { EwsCredentialChecker } from "./ews/ews-credential-check.js";
export { EwsPrincipals } from "./ews/ews-principals.js";
export type { EwsOptions } from "./ews/ews-principals.js";
