import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { DomainError, ErrorCode } from "../domain/errors.js";

/** The one place a domain refusal becomes a GraphQL error (`extensions.code`, `extensions.field`). */
export function toGraphQLError(error: DomainError): GraphQLError {
  const extensions: Record<string, unknown> = { code: codeFor(error.code) };
  if (error.field) extensions.field = error.field;
  if (error.reason) extensions.reason = error.reason;
  return new GraphQLError(error.message, { extensions });
}

function codeFor(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.BadUserInput:
      return "BAD_USER_INPUT";
    case ErrorCode.Unauthenticated:
      return "UNAUTHENTICATED";
    case ErrorCode.Forbidden:
      return "FORBIDDEN";
    case ErrorCode.NotFound:
      return "NOT_FOUND";
    case ErrorCode.Conflict:
      return "CONFLICT";
    case ErrorCode.Unavailable:
      return "SERVICE_UNAVAILABLE";
    case ErrorCode.EventsUnavailable:
      return "EVENTS_UNAVAILABLE";
  }
}

/** graphql-js's suggestion suffix, e.g. ` Did you mean "project" or "projects"?`. */
const DID_YOU_MEAN = /\s*Did you mean [^?]*\?$/;

/**
 * Apollo's formatError (and graphql-ws's, through the same function): domain errors keep their
 * code and message; GraphQL's own validation errors pass through (in production without
 * graphql-js's "Did you mean" suggestions); anything unexpected is masked as
 * INTERNAL_SERVER_ERROR (details only outside production, never a stack trace in production).
 */
export function createErrorFormatter(production: boolean, onUnexpected: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof DomainError) {
      const mapped = toGraphQLError(original);
      return { ...formatted, message: mapped.message, extensions: { ...mapped.extensions } };
    }
    if (original instanceof ArgumentValidationError) {
      return { ...formatted, extensions: { code: "BAD_USER_INPUT" } };
    }
    const code = formatted.extensions?.code;
    if (!original || (typeof code === "string" && code !== "INTERNAL_SERVER_ERROR")) {
      if (production)
        return {
          // graphql-js suggests names ("Did you mean …?"): in production they map the schema out.
          message: formatted.message.replace(DID_YOU_MEAN, ""),
          locations: formatted.locations,
          path: formatted.path,
          extensions: { code },
        };
      return formatted;
    }
    onUnexpected(original);
    if (!production) {
      // Development: the real message and Apollo's stack trace, where they help most.
      return {
        ...formatted,
        extensions: { ...formatted.extensions, code: "INTERNAL_SERVER_ERROR" },
      };
    }
    return {
      message: "Internal server error",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}
