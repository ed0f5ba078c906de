import { badInput } from "./errors.js";
import { fieldPath } from "./field-path.js";

/** The hosts a connection sends credentials or tokens to (the stored, normalized columns). */
export interface ConnectionHosts {
  authorityUrl: string | null;
  graphEndpoint: string;
  ewsUrl: string | null;
}

export const SECRET_NAMES = ["clientSecret", "privateKey", "servicePassword"] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

const ROLES: readonly { key: keyof ConnectionHosts; what: string }[] = [
  { key: "authorityUrl", what: "sign-in (authority) host" },
  { key: "graphEndpoint", what: "Graph host" },
  { key: "ewsUrl", what: "EWS host" },
];

const hostOf = (url: string | null): string | null => {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return url;
  }
};

/**
 * Rule "a stored secret only goes where it was entered for": a connection change that moves the
 * sign-in, Graph or EWS host must come with its secret again. Otherwise anyone allowed to edit an
 * integration could point it at a host of their choosing and have the server send the stored
 * secret there (or a token obtained with it). `reused` are the secrets the change keeps from
 * storage instead of sending them; the first of them is named in the refusal.
 */
export function requireSecretsForNewHosts(
  stored: ConnectionHosts,
  next: ConnectionHosts,
  reused: readonly SecretName[],
  fieldPrefix: string,
): void {
  if (reused.length === 0) return;
  const moved = ROLES.filter(({ key }) => hostOf(stored[key]) !== hostOf(next[key]));
  if (moved.length === 0) return;
  const secret = reused[0]!;
  const changes = moved
    .map(
      ({ key, what }) =>
        `the ${what} from ${hostOf(stored[key]) ?? "none"} to ${hostOf(next[key]) ?? "none"}`,
    )
    .join(" and ");
  throw badInput(
    fieldPath(fieldPrefix, secret),
    `This change moves ${changes}: send ${secret} again with it. A stored secret is only ever sent to the host it was entered for, so it is not reused for another one.`,
  );
}
