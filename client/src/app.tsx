import { Provider, useQuery } from "@urql/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { createApiClient, type ApiClient } from "./api/client";
import { errorMessage } from "./api/errors";
import { storedToken, storeToken } from "./api/session";
import { SessionContext, type Session } from "./features/session/session-context";
import { SignIn } from "./features/session/sign-in";
import { ViewerDocument } from "./gql/graphql";
import { Shell } from "./shell/shell";
import { ErrorState } from "./ui/feedback";
import { Logo } from "./ui/icons";

/** Signed out: the sign-in form; signed in: the viewer loaded, then the shell (shell/shell.tsx). */
export function App() {
  const [token, setToken] = useState<string | null>(storedToken());
  const [notice, setNotice] = useState<string | null>(null);
  const api = useMemo<ApiClient | null>(
    () =>
      token
        ? createApiClient(token, () => {
            storeToken(null);
            setToken(null);
            setNotice(
              "Your session ended: the token is no longer accepted (it may have been revoked).",
            );
          })
        : null,
    [token],
  );
  useEffect(() => () => api?.dispose(), [api]);

  if (!token || !api) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(value) => {
          storeToken(value);
          setNotice(null);
          setToken(value);
        }}
      />
    );
  }
  const signOut = () => {
    storeToken(null);
    setNotice("You are signed out.");
    setToken(null);
  };
  return (
    <Provider value={api.client}>
      <SignedIn token={token} api={api} signOut={signOut} />
    </Provider>
  );
}

function SignedIn({ token, api, signOut }: { token: string; api: ApiClient; signOut: () => void }) {
  const [viewer] = useQuery({ query: ViewerDocument });
  if (viewer.fetching && !viewer.data) {
    return (
      <div class="boot" aria-busy="true">
        <Logo size={36} />
        <p class="muted">Loading your workspace…</p>
      </div>
    );
  }
  if (!viewer.data) {
    return (
      <div class="boot">
        <ErrorState message={errorMessage(viewer.error) ?? "Unknown error"} />
        <button type="button" class="btn" onClick={signOut}>
          Sign out
        </button>
      </div>
    );
  }
  const session: Session = { token, viewer: viewer.data.viewer, live: api.live, signOut };
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}
