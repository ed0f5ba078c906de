import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { LiveStatus } from "../../api/client";
import type { Store } from "../../api/store";
import type { Permission, ViewerQuery } from "../../gql/graphql";

export type Viewer = ViewerQuery["viewer"];

export interface Session {
  token: string;
  viewer: Viewer;
  live: Store<LiveStatus>;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in session");
  return session;
}

/** Mirrors the server's rule: admins may do anything; others need the permission on the project. */
export function can(viewer: Viewer, project: string, permission: Permission): boolean {
  if (viewer.admin) return true;
  return viewer.grants.some((g) => g.project === project && g.permissions.includes(permission));
}
