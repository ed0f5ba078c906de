import { checkDomainName } from "./domain-name.js";
import { badInput } from "./errors.js";

/**
 * Microsoft Entra sign-in hosts: the global cloud, US Government, and China (21Vianet, old and new
 * names). An authority on one of these is "Microsoft's cloud", i.e. Exchange Online.
 */
export const MICROSOFT_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
]);

/** Tenant aliases that name no single directory. */
export const MULTI_TENANT_ALIASES: ReadonlySet<string> = new Set([
  "common",
  "organizations",
  "consumers",
]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXAMPLE = "https://login.microsoftonline.com/<Directory (tenant) ID>";

export interface Authority {
  /** Canonical `https://<host>/<tenant>`: lower-case host, default port dropped, no trailing `/`. */
  url: string;
  /** Host name with any non-default port, e.g. `localhost:8443`. */
  host: string;
  /** Lower-case tenant GUID or ASCII domain. */
  tenant: string;
  /** Whether the host is one of {@link MICROSOFT_AUTHORITY_HOSTS}. */
  microsoftCloud: boolean;
}

/** Whether a text is a GUID (8-4-4-4-12 hex digits), the form of client and tenant IDs. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Rule "authority URL" (DOMAIN.md Integrations; the guide's
 * `https://login.microsoftonline.com/{tenant_id}`): https (MSAL refuses anything else), no
 * credentials, query or fragment, and exactly one path segment, the tenant (a trailing `/` is
 * tolerated). The tenant is a GUID or a domain name on any
 * host — Microsoft's clouds or a test double. `common`, `organizations` and `consumers` are
 * refused: application (client-credential) tokens are issued by one specific directory, and a
 * service user must be resolved in the directory that consented to the app.
 */
export function parseAuthorityUrl(field: string, value: string): Authority {
  const text = value.trim();
  if (text === "") {
    throw badInput(field, `authorityUrl is required, in the form ${EXAMPLE}.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(field, `authorityUrl is not a URL; write it as ${EXAMPLE}.`);
  }
  if (url.protocol !== "https:") {
    throw badInput(
      field,
      `authorityUrl must use https (tokens are only requested over TLS), e.g. ${EXAMPLE}.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw badInput(field, "authorityUrl must not contain a user name or password.");
  }
  if (url.search !== "" || url.hash !== "") {
    throw badInput(
      field,
      `authorityUrl must not have a query or fragment; write it as ${EXAMPLE}.`,
    );
  }
  const segments = url.pathname.split("/").slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop();
  const [raw = ""] = segments;
  if (raw === "") {
    throw badInput(field, `authorityUrl has no tenant; write it as ${EXAMPLE}.`);
  }
  if (segments.length > 1) {
    throw badInput(
      field,
      `authorityUrl must end at the tenant, with nothing after it (not a token endpoint such as /oauth2/v2.0/token); write it as ${EXAMPLE}.`,
    );
  }
  const tenant = parseTenant(field, raw);
  return {
    url: `https://${url.host}/${tenant}`,
    host: url.host,
    tenant,
    microsoftCloud: MICROSOFT_AUTHORITY_HOSTS.has(url.hostname) && url.port === "",
  };
}

function parseTenant(field: string, raw: string): string {
  let tenant: string;
  try {
    tenant = decodeURIComponent(raw).toLowerCase();
  } catch {
    tenant = raw.toLowerCase();
  }
  if (MULTI_TENANT_ALIASES.has(tenant)) {
    throw badInput(
      field,
      `authorityUrl tenant "${tenant}" is a multi-tenant alias, but Mailstream signs in as one organisation's app (application access tokens are issued by a specific directory): use the Directory (tenant) ID from the app registration's Overview page, ${EXAMPLE}.`,
    );
  }
  if (isGuid(tenant)) return tenant;
  const domain = checkDomainName(tenant);
  if (!domain.ok) {
    throw badInput(
      field,
      "authorityUrl tenant must be the Directory (tenant) ID (a GUID) or one of the tenant's domain names, such as contoso.onmicrosoft.com.",
    );
  }
  return domain.ascii;
}
