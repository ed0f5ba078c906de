/** The token from `Authorization: Bearer <token>` (HTTP) or the same string in connectionParams. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  return match ? match[1]! : null;
}

/**
 * The one check of an `Authorization` value (an HTTP header or graphql-ws connectionParams),
 * used by `/graphql` over HTTP and WebSocket and by `/attachments`: null without a bearer token
 * or with one that is unknown or revoked.
 */
export function headerAuthenticator<V>(
  authenticate: (token: string) => Promise<V | null>,
): (header: unknown) => Promise<V | null> {
  return async (header) => {
    const token = bearerToken(header);
    return token ? authenticate(token) : null;
  };
}
