import type { ErrorRequestHandler } from "express";
import type { Logger } from "../observability/logger.js";

/** What body-parser (express.json) and http-errors attach to the errors they raise. */
interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const graphqlError = (message: string, code: string) => ({
  errors: [{ message, extensions: { code } }],
});

/**
 * Requests refused before GraphQL sees them (a body over MAILSTREAM_MAX_BODY_BYTES, malformed
 * JSON) answer with a GraphQL-shaped JSON error and the right status, never Express's HTML error
 * page, which carries a stack trace outside NODE_ENV=production.
 */
export function requestErrorHandler(maxBodyBytes: number, log: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const http = (typeof error === "object" && error !== null ? error : {}) as HttpError;
    const status = http.status ?? http.statusCode ?? 500;
    if (status === 413) {
      res
        .status(413)
        .json(
          graphqlError(
            `The request body is larger than ${maxBodyBytes} bytes.`,
            "PAYLOAD_TOO_LARGE",
          ),
        );
    } else if (http.type === "entity.parse.failed") {
      res.status(400).json(graphqlError("The request body is not valid JSON.", "BAD_REQUEST"));
    } else if (status >= 400 && status < 500) {
      res
        .status(status)
        .json(
          graphqlError(http.expose && http.message ? http.message : "Bad request", "BAD_REQUEST"),
        );
    } else {
      log.error({ err: error }, "unexpected error while handling an HTTP request");
      res.status(500).json(graphqlError("Internal server error", "INTERNAL_SERVER_ERROR"));
    }
  };
}
