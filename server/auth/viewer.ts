import { forbidden, notFound, unauthenticated } from "../domain/errors.js";
import type { PermissionName } from "./permissions.js";

/** Who is calling: an API token, resolved once per request (or per WebSocket connection). */
export interface Viewer {
  tokenId: string;
  name: string;
  admin: boolean;
  /** Project id → permissions held on it. */
  grants: ReadonlyMap<string, ReadonlySet<PermissionName>>;
}

/** Who sent the request, as far as authentication goes (a GraphQL context is one). */
export interface Caller {
  viewer: Viewer | null;
  /** A bearer token was sent but is unknown or revoked (as opposed to none sent at all). */
  tokenRejected?: boolean;
}

/** The answer to a request that sent no token (HTTP and WebSocket say the same). */
export const MISSING_TOKEN_MESSAGE =
  "No API token was sent: send one as 'Authorization: Bearer <token>' (on a WebSocket, connectionParams.authorization). Create one with createApiToken or npm run create-token.";
/** The answer to a token that is unknown (mistyped, from another server) or revoked. */
export const INVALID_TOKEN_MESSAGE =
  "This API token is not valid (revoked, or mistyped): create a new one with createApiToken or npm run create-token, and send it as 'Authorization: Bearer <token>'.";

export const unauthenticatedMessage = (tokenRejected: boolean | undefined): string =>
  tokenRejected ? INVALID_TOKEN_MESSAGE : MISSING_TOKEN_MESSAGE;

export function requireViewer(caller: Caller): Viewer {
  if (!caller.viewer) throw unauthenticated(unauthenticatedMessage(caller.tokenRejected));
  return caller.viewer;
}

/** A token "can read" a project when it holds any permission on it (or is admin). */
export const canSeeProject = (viewer: Viewer, projectId: string): boolean =>
  viewer.admin || (viewer.grants.get(projectId)?.size ?? 0) > 0;

export const hasPermission = (
  viewer: Viewer,
  projectId: string,
  permission: PermissionName,
): boolean => viewer.admin || (viewer.grants.get(projectId)?.has(permission) ?? false);

/**
 * The access rule of DOMAIN.md: objects of a project the token cannot see answer NOT_FOUND (the
 * caller never learns they exist); a visible project without the permission answers FORBIDDEN.
 */
export function requirePermission(
  viewer: Viewer,
  projectId: string,
  permission: PermissionName,
  what: string,
): void {
  if (!canSeeProject(viewer, projectId)) throw notFound(`${what} was not found.`);
  if (!hasPermission(viewer, projectId, permission)) {
    throw forbidden(
      `This token lacks the '${permission}' permission on the project, needed to ${describe(permission)}.`,
    );
  }
}

/**
 * The access rule on a row that may not exist: null when it is missing or lives in a project the
 * viewer cannot see (the two are never told apart); FORBIDDEN when it is visible but the viewer
 * lacks `permission`.
 */
export function visible<T>(
  viewer: Viewer,
  row: T | null | undefined,
  projectId: string | undefined,
  permission: PermissionName,
  what: string,
): T | null {
  if (!row || projectId === undefined || !canSeeProject(viewer, projectId)) return null;
  requirePermission(viewer, projectId, permission, what);
  return row;
}

/** NOT_FOUND for a row `visible` did not return. */
export function found<T>(row: T | null, what: string): T {
  if (row === null) throw notFound(`${what} was not found.`);
  return row;
}

export function requireAdmin(viewer: Viewer, action: string): void {
  if (!viewer.admin) throw forbidden(`Only an admin token may ${action}.`);
}

function describe(permission: PermissionName): string {
  switch (permission) {
    case "integrations-read":
      return "read integrations";
    case "integrations-write":
      return "change integrations and mailboxes";
    case "buckets-read":
      return "read buckets";
    case "buckets-write":
      return "create or delete buckets";
    case "streams-read":
      return "read streams";
    case "streams-admin":
      return "create or delete streams";
    case "streams-consume":
      return "fetch, advance or reset streams";
    case "messages-read":
      return "read message contents and attachments";
  }
}
