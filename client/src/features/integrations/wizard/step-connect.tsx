import { useId } from "preact/hooks";
import { errorFor, type FormErrors } from "../../../api/errors";
import type { CredentialCheckFieldsFragment } from "../../../gql/graphql";
import { ChoiceGroup, SecretField, TextField } from "../../../ui/controls";
import { Callout } from "../../../ui/feedback";
import { formatDateTime } from "../../../ui/format";
import { Icon } from "../../../ui/icons";
import {
  accessUnavailable,
  authMethodUnavailable,
  nearestAllowed,
  type ExchangeApi,
} from "../connection-rules";
import { CredentialFields } from "../credential-fields";
import { plainError } from "../plain-error";
import type { ConnectionDraft } from "./connection-draft";

export function ConnectForm({
  draft,
  onChange,
  errors,
}: {
  draft: ConnectionDraft;
  onChange: (draft: ConnectionDraft) => void;
  errors: FormErrors;
}) {
  const ids = useId();
  const set = <K extends keyof ConnectionDraft>(key: K, value: ConnectionDraft[K]) => {
    const next = { ...draft, [key]: value };
    onChange({ ...next, ...nearestAllowed(next.api, next.authMethod, next.access) });
  };

  return (
    <div class="form">
      <ChoiceGroup<ExchangeApi>
        legend="API type"
        name={`${ids}-api`}
        value={draft.api}
        onChange={(v) => set("api", v)}
        error={errorFor(errors, "api")}
        choices={[
          { value: "GRAPH", label: "Graph API", description: "Recommended for Exchange Online." },
          {
            value: "EWS",
            label: "EWS API",
            description: "Exchange Web Services; Exchange Online retires it on 1 October 2026.",
          },
        ]}
      />
      <ChoiceGroup
        legend="Authentication method"
        name={`${ids}-auth`}
        value={draft.authMethod}
        onChange={(v) => set("authMethod", v)}
        error={errorFor(errors, "authMethod")}
        choices={[
          { value: "CLIENT_SECRET", label: "With client secret" },
          { value: "CERTIFICATE", label: "With private key & thumbprint" },
          {
            value: "NTLM",
            label: "With NTLM",
            description: "Delegate access only, for self-hosted Exchange.",
            unavailable: authMethodUnavailable(draft.api, "NTLM"),
          },
        ]}
      />
      {draft.authMethod === "NTLM" && (
        <p class="section-note">
          NTLM signs in to your Exchange server itself with the service user below: no app
          registration, authority URL or client ID.
        </p>
      )}
      {draft.authMethod !== "NTLM" && (
        <div class="form-grid">
          <TextField
            label="OAuth authority URL"
            value={draft.authorityUrl}
            onValue={(v) => set("authorityUrl", v)}
            required
            type="url"
            spellcheck={false}
            mono
            placeholder="https://login.microsoftonline.com/{tenant_id}"
            hint="The Directory (tenant) ID from the app registration, after https://login.microsoftonline.com/."
            error={errorFor(errors, "authorityUrl")}
          />
          <TextField
            label="OAuth client ID"
            value={draft.clientId}
            onValue={(v) => set("clientId", v)}
            required
            spellcheck={false}
            mono
            placeholder="00000000-0000-0000-0000-000000000000"
            hint="The Application (client) ID from the app registration's overview."
            error={errorFor(errors, "clientId")}
          />
        </div>
      )}
      <CredentialFields draft={draft} onChange={set} errors={errors} guided />
      <ChoiceGroup
        legend="Access"
        name={`${ids}-access`}
        value={draft.access}
        onChange={(v) => set("access", v)}
        error={errorFor(errors, "access")}
        choices={[
          {
            value: "SERVICE_USER",
            label: "With service user access",
            description: "Sign in as a service account that can open the mailboxes.",
            unavailable: accessUnavailable(draft.api, draft.authMethod, "SERVICE_USER"),
          },
          {
            value: "APPLICATION",
            label: "With application access",
            description:
              "The app reads mailboxes with its own permission (full_access_as_app / Mail.Read).",
            unavailable: accessUnavailable(draft.api, draft.authMethod, "APPLICATION"),
          },
        ]}
      />
      {draft.access === "SERVICE_USER" && (
        <div class="form-grid">
          <TextField
            label="Service user"
            value={draft.serviceUsername}
            onValue={(v) => set("serviceUsername", v)}
            required
            autoComplete="off"
            spellcheck={false}
            placeholder={
              draft.authMethod === "NTLM" ? "CONTOSO\\svc-mailstream" : "svc-mailstream@contoso.com"
            }
            error={errorFor(errors, "serviceUsername")}
          />
          <SecretField
            label="Service user password"
            value={draft.servicePassword}
            onValue={(v) => set("servicePassword", v)}
            required
            autoComplete="new-password"
            error={errorFor(errors, "servicePassword")}
          />
        </div>
      )}
      {draft.api === "EWS" && (
        <TextField
          label="EWS URL"
          value={draft.ewsUrl}
          onValue={(v) => set("ewsUrl", v)}
          required
          type="url"
          mono
          spellcheck={false}
          placeholder="https://mail.contoso.com/EWS/Exchange.asmx"
          error={errorFor(errors, "ewsUrl")}
        />
      )}
      {draft.api === "GRAPH" && (
        <details class="advanced" open={Boolean(errorFor(errors, "graphEndpoint"))}>
          <summary>National cloud</summary>
          <TextField
            label="Graph endpoint"
            value={draft.graphEndpoint}
            onValue={(v) => set("graphEndpoint", v)}
            type="url"
            mono
            spellcheck={false}
            placeholder="https://graph.microsoft.com"
            hint="Leave empty for the global cloud; e.g. https://graph.microsoft.us for US Government."
            error={errorFor(errors, "graphEndpoint")}
          />
        </details>
      )}
    </div>
  );
}

export type CheckState =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "refused"; message: string }
  | {
      kind: "checked";
      check: CredentialCheckFieldsFragment;
      saved: "saved" | "failed" | "skipped";
      saveError?: string;
      warnings: string[];
    };

/** "Validate & save credentials": one line per check, with the identity platform's answer. */
export function CheckResults({ state, authorityUrl }: { state: CheckState; authorityUrl: string }) {
  if (state.kind === "idle") {
    return (
      <p class="muted check-placeholder">
        Validating acquires a token with these settings and saves them (encrypted) when it works.
        Mailboxes are checked when you add them in the next step.
      </p>
    );
  }
  if (state.kind === "running") {
    return (
      <ul class="checks" aria-busy="true">
        <CheckLine status="running" title="Checking settings and acquiring a token…" />
      </ul>
    );
  }
  if (state.kind === "refused") {
    return (
      <ul class="checks">
        <CheckLine status="fail" title="Settings refused" detail={state.message} />
      </ul>
    );
  }
  const { check } = state;
  const host = hostOf(authorityUrl);
  const problem = plainError(check.error);
  return (
    <>
      <ul class="checks">
        <CheckLine status="ok" title="Settings accepted" />
        {check.status === "VALID" ? (
          <CheckLine
            status="ok"
            title={`Access token acquired${host ? ` from ${host}` : ""}`}
            detail={`Checked ${formatDateTime(check.checkedAt)}`}
          />
        ) : (
          <CheckLine
            status="fail"
            title="No access token"
            detail={problem?.summary}
            raw={problem?.detail}
          />
        )}
        {check.mailboxes.map((m) => (
          <CheckLine
            key={m.email}
            status={m.access === "ACCESSIBLE" ? "ok" : "fail"}
            title={`${m.email}: ${m.access === "ACCESSIBLE" ? "accessible" : m.access.toLowerCase().replace("_", " ")}`}
            detail={plainError(m.error)?.summary}
            raw={m.error ?? undefined}
          />
        ))}
        {state.saved === "saved" && (
          <CheckLine
            status="ok"
            title="Credentials saved"
            detail="Stored encrypted; secrets are never shown again."
          />
        )}
        {state.saved === "failed" && (
          <CheckLine status="fail" title="Not saved" detail={state.saveError} />
        )}
      </ul>
      {state.warnings.map((w) => (
        <Callout key={w} tone="warn">
          {w}
        </Callout>
      ))}
    </>
  );
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

function CheckLine({
  status,
  title,
  detail,
  raw,
}: {
  status: "ok" | "fail" | "running";
  title: string;
  detail?: string;
  raw?: string;
}) {
  return (
    <li class={`check check-${status}`}>
      <span class="check-icon" aria-hidden="true">
        {status === "running" ? (
          <span class="spinner" />
        ) : (
          <Icon name={status === "ok" ? "check" : "x"} size={14} />
        )}
      </span>
      <span class="check-text">
        <span class="check-title">
          <span class="visually-hidden">
            {status === "ok" ? "Passed: " : status === "fail" ? "Failed: " : ""}
          </span>
          {title}
        </span>
        {detail && <span class="check-detail">{detail}</span>}
        {raw && raw !== detail && (
          <details class="check-raw">
            <summary>Details from Microsoft</summary>
            <code>{raw}</code>
          </details>
        )}
      </span>
    </li>
  );
}
