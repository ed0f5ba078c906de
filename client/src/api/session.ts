/**
 * The signed-in API token, kept for the browser session only (sessionStorage: closing the tab signs
 * out, and the token never lands in localStorage where it would outlive the session).
 */
const TOKEN_KEY = "mailstream.token";
const PROJECT_KEY = "mailstream.project";

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function lastProject(): string | null {
  return sessionStorage.getItem(PROJECT_KEY);
}

export function rememberProject(name: string): void {
  sessionStorage.setItem(PROJECT_KEY, name);
}

export const authorizationHeader = (token: string): string => `Bearer ${token}`;

export interface SignInResult {
  ok: boolean;
  /** Set when the token was refused or the server could not be reached. */
  error?: string;
}

/** Checks a token with a plain `viewer` query before the GraphQL client is built around it. */
export async function checkToken(token: string): Promise<SignInResult> {
  try {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: authorizationHeader(token) },
      body: JSON.stringify({ query: "query SignIn { viewer { id } }" }),
    });
    const body = (await response.json()) as {
      data?: { viewer?: { id: string } } | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body.data?.viewer) return { ok: true };
    const code = body.errors?.[0]?.extensions?.code;
    if (code === "UNAUTHENTICATED") {
      return {
        ok: false,
        error:
          "This token was not accepted. Check that it was copied whole and has not been revoked.",
      };
    }
    return {
      ok: false,
      error: body.errors?.[0]?.message ?? `The server answered ${response.status}.`,
    };
  } catch {
    return { ok: false, error: "The server could not be reached. Is Mailstream running?" };
  }
}
