import type { ComponentChildren } from "preact";
import type {
  CredentialStatus,
  DisabledReason,
  MailboxAccess,
  SyncStatus,
} from "../../gql/graphql";
import { Icon, type IconName } from "../../ui/icons";

type Tone = "ok" | "accent" | "warn" | "danger" | "muted" | "info";

export function Badge({
  tone,
  children,
  icon,
}: {
  tone: Tone;
  children: ComponentChildren;
  icon?: IconName;
}) {
  return (
    <span class={`badge badge-${tone}`}>
      {icon && <Icon name={icon} size={12} />}
      {children}
    </span>
  );
}

const SYNC: Record<SyncStatus, { label: string; tone: Tone }> = {
  IDLE: { label: "Idle", tone: "muted" },
  QUEUED: { label: "Queued", tone: "info" },
  SYNCING: { label: "Syncing", tone: "accent" },
  UP_TO_DATE: { label: "Up to date", tone: "ok" },
  FAILED: { label: "Failed", tone: "danger" },
  DISABLED: { label: "Disabled", tone: "muted" },
};

export function SyncStatusPill({ status }: { status: SyncStatus }) {
  const { label, tone } = SYNC[status];
  return <StatusPill label={label} tone={tone} pulsing={status === "SYNCING"} />;
}

export function StatusPill({
  label,
  tone,
  pulsing,
}: {
  label: string;
  tone: Tone;
  pulsing?: boolean;
}) {
  return (
    <span class={`status status-${tone}${pulsing ? " is-pulsing" : ""}`}>
      <span class="status-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export const syncTone = (status: SyncStatus): Tone => SYNC[status].tone;

const CREDENTIALS: Record<CredentialStatus, { label: string; tone: Tone; icon: IconName }> = {
  VALID: { label: "Credentials valid", tone: "ok", icon: "check" },
  INVALID: { label: "Credentials rejected", tone: "danger", icon: "alert" },
  UNVALIDATED: { label: "Not validated", tone: "warn", icon: "info" },
};

export function CredentialBadge({ status }: { status: CredentialStatus }) {
  const { label, tone, icon } = CREDENTIALS[status];
  return (
    <Badge tone={tone} icon={icon}>
      {label}
    </Badge>
  );
}

export const DISABLED_REASON: Record<DisabledReason, string> = {
  USER: "Turned off",
  QUOTA: "Paused: unit budget reached",
  SYNC_ERROR: "Stopped by a sync error",
};

export const ACCESS: Record<MailboxAccess, { label: string; tone: Tone; icon: IconName }> = {
  ACCESSIBLE: { label: "Accessible", tone: "ok", icon: "check" },
  NOT_FOUND: { label: "Mailbox not found", tone: "danger", icon: "x" },
  NOT_ENABLED_FOR_REST: { label: "Not readable by Graph", tone: "danger", icon: "alert" },
  ACCESS_DENIED: { label: "Access denied", tone: "danger", icon: "lock" },
  ERROR: { label: "Check failed", tone: "warn", icon: "alert" },
};

export const API_LABEL = { GRAPH: "Graph API", EWS: "EWS API" } as const;
export const AUTH_LABEL = {
  CLIENT_SECRET: "Client secret",
  CERTIFICATE: "Private key & thumbprint",
  NTLM: "NTLM",
} as const;
export const ACCESS_MODE_LABEL = {
  APPLICATION: "Application access",
  SERVICE_USER: "Service user",
} as const;
