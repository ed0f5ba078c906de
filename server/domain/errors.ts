/**
 * Every refusal the product makes is a DomainError with one of these codes. The GraphQL layer maps
 * them to `extensions.code` in one place (server/graphql/error-mapping.ts); services and pure rules
 * never build GraphQL errors themselves.
 */
export enum ErrorCode {
  /** Input breaks a rule; `field` names the input path (e.g. `input.connection.clientId`). */
  BadUserInput = "BAD_USER_INPUT",
  /** No (valid) credentials were presented. */
  Unauthenticated = "UNAUTHENTICATED",
  /** The caller can see the object but may not do this to it. */
  Forbidden = "FORBIDDEN",
  /** The object does not exist, or lives in a project the caller cannot read. */
  NotFound = "NOT_FOUND",
  /** A unique name is already taken, or the object's state does not allow the action. */
  Conflict = "CONFLICT",
  /** Microsoft did not answer in time or asked us to come back later; retrying may work. */
  Unavailable = "SERVICE_UNAVAILABLE",
  /**
   * Live events cannot be delivered now (the deployment's Redis is unreachable): a subscription
   * ends with it; re-subscribe, and catch up through the streams API, which loses nothing.
   */
  EventsUnavailable = "EVENTS_UNAVAILABLE",
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Dotted input path of the offending field, for BAD_USER_INPUT. */
    readonly field?: string,
    /** A finer reason within the code, for scripts (`extensions.reason`, e.g. QUOTA). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badInput = (field: string, message: string): DomainError =>
  new DomainError(ErrorCode.BadUserInput, message, field);
export const notFound = (message: string): DomainError =>
  new DomainError(ErrorCode.NotFound, message);
export const forbidden = (message: string): DomainError =>
  new DomainError(ErrorCode.Forbidden, message);
export const conflict = (message: string, reason?: string): DomainError =>
  new DomainError(ErrorCode.Conflict, message, undefined, reason);
export const unavailable = (message: string): DomainError =>
  new DomainError(ErrorCode.Unavailable, message);
export const unauthenticated = (message: string): DomainError =>
  new DomainError(ErrorCode.Unauthenticated, message);
export const eventsUnavailable = (message: string): DomainError =>
  new DomainError(ErrorCode.EventsUnavailable, message);
