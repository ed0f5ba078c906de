import { useState } from "preact/hooks";
import { checkToken } from "../../api/session";
import { SecretField } from "../../ui/controls";
import { Icon, Logo } from "../../ui/icons";
import "./sign-in.css";

export function SignIn({
  onSignedIn,
  notice,
}: {
  onSignedIn: (token: string) => void;
  notice?: string | null;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError("Paste an API token to sign in.");
      return;
    }
    setBusy(true);
    setError(null);
    const result = await checkToken(value);
    setBusy(false);
    if (result.ok) onSignedIn(value);
    else setError(result.error ?? "Sign-in failed.");
  };

  return (
    <div class="sign-in">
      <main class="sign-in-card" aria-labelledby="sign-in-title">
        <div class="sign-in-brand">
          <Logo size={40} />
          <div>
            <h1 id="sign-in-title">Sign in to Mailstream</h1>
            <p class="muted">Exchange mailboxes, synced into buckets and streams.</p>
          </div>
        </div>
        {notice && (
          <p class="callout callout-info" role="status">
            <Icon name="info" size={18} />
            <span class="callout-body">{notice}</span>
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <SecretField
            label="API token"
            name="token"
            value={token}
            onValue={setToken}
            error={error}
            required
            autoComplete="current-password"
            hint={
              <>
                The admin token is printed once when the server first starts; more are made on the
                API tokens page or with <code>npm run create-token</code>. It is kept for this
                browser tab only.
              </>
            }
          />
          <button type="submit" class="btn btn-primary btn-block" disabled={busy} aria-busy={busy}>
            {busy ? "Checking token…" : "Sign in"}
          </button>
        </form>
      </main>
    </div>
  );
}
