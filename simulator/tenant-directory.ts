import { X509Certificate, createHash, type KeyObject } from "node:crypto";
import { standardFolderTemplate, type FolderTemplate } from "./folder-template.js";
import { Mailbox, type MailboxKind } from "./mailbox.js";
import { Rng, hashString } from "./prng.js";

/**
 * The directory side of a Microsoft 365 tenant: app registrations with their credentials and
 * application access policies, users (service users with passwords, mailbox owners), and the
 * mailboxes. Ids are derived from the tenant's seed so a scenario prints the same GUIDs each run.
 */
export interface ClientSecret {
  id: string;
  value: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface AppCertificate {
  certPem: string;
  sha1: Buffer;
  sha256: Buffer;
  publicKey: KeyObject;
}

export type AccessPolicyMode = "RestrictAccess" | "DenyAccess";

export interface AccessPolicy {
  mode: AccessPolicyMode;
  /** Lower-case addresses (in Exchange: members of a mail-enabled security group). */
  mailboxes: Set<string>;
}

/** Application permissions granted with admin consent (Graph's and Exchange's). */
export const DEFAULT_APP_ROLES = ["Mail.Read", "User.Read.All", "full_access_as_app"] as const;

/** Roles of Exchange's own resource (EWS): in tokens for the EWS host only, never in Graph's. */
export const EWS_ONLY_ROLES: ReadonlySet<string> = new Set(["full_access_as_app"]);

const YEAR_MS = 365 * 24 * 3600 * 1000;
const SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-";

export class AppRegistration {
  readonly secrets: ClientSecret[] = [];
  readonly certificates: AppCertificate[] = [];
  readonly roles: Set<string>;
  readonly accessPolicies: AccessPolicy[] = [];
  /** Tokens with a smaller serial were revoked (401 on Graph). */
  revokedBeforeSerial = 0;
  /** Tokens with a smaller serial count as expired (401 on Graph, "Lifetime validation failed"). */
  expiredBeforeSerial = 0;

  constructor(
    readonly tenant: Tenant,
    readonly clientId: string,
    readonly displayName: string,
    readonly servicePrincipalId: string,
    roles: readonly string[],
    private readonly rng: Rng,
  ) {
    this.roles = new Set(roles);
  }

  /** Adds a client secret; returns it, since like the portal this is the one time it is shown. */
  addSecret(spec: { value?: string; expiresAt?: Date } = {}): ClientSecret {
    let value = spec.value;
    if (value === undefined) {
      value = `${this.randomChars(3)}8Q~${this.randomChars(34)}`;
    }
    const secret: ClientSecret = {
      id: this.rng.guid(),
      value,
      expiresAt: spec.expiresAt?.getTime() ?? Date.now() + YEAR_MS,
    };
    this.secrets.push(secret);
    return secret;
  }

  addCertificate(certPem: string): AppCertificate {
    const x509 = new X509Certificate(certPem);
    const cert: AppCertificate = {
      certPem,
      sha1: createHash("sha1").update(x509.raw).digest(),
      sha256: createHash("sha256").update(x509.raw).digest(),
      publicKey: x509.publicKey,
    };
    this.certificates.push(cert);
    return cert;
  }

  removeCredentials(): void {
    this.secrets.length = 0;
    this.certificates.length = 0;
  }

  /** Replaces the app's application access policies (Exchange New-ApplicationAccessPolicy). */
  setAccessPolicies(policies: { mode: AccessPolicyMode; mailboxes: readonly string[] }[]): void {
    this.accessPolicies.length = 0;
    for (const p of policies) {
      this.accessPolicies.push({
        mode: p.mode,
        mailboxes: new Set(p.mailboxes.map((m) => m.toLowerCase())),
      });
    }
  }

  /**
   * Application access policies: DenyAccess wins; with any RestrictAccess policy only its
   * mailboxes are allowed; without policies every mailbox is.
   */
  mayAccessMailbox(email: string): boolean {
    const address = email.toLowerCase();
    if (this.accessPolicies.some((p) => p.mode === "DenyAccess" && p.mailboxes.has(address)))
      return false;
    const restricts = this.accessPolicies.filter((p) => p.mode === "RestrictAccess");
    return restricts.length === 0 || restricts.some((p) => p.mailboxes.has(address));
  }

  private randomChars(n: number): string {
    let out = "";
    for (let i = 0; i < n; i++) out += SECRET_CHARS[this.rng.int(SECRET_CHARS.length)];
    return out;
  }
}

export interface TenantUser {
  id: string;
  /** Lower-case user principal name. */
  upn: string;
  displayName: string;
  password?: string;
  mailbox?: Mailbox;
  /** Mailboxes this user holds FullAccess on (delegated access for service users). */
  fullAccessTo: Set<string>;
  /** A locked-out account: NTLM sign-ins are refused (EWS). */
  locked?: boolean;
}

export interface MailboxSpec {
  email: string;
  displayName?: string;
  kind?: MailboxKind;
  /** Number of seeded messages (default 200). Big mailboxes are cheap: contents are computed lazily. */
  messages?: number;
  receivedFrom?: Date;
  receivedTo?: Date;
  /** Children of Inbox/Projects (default 12, more than Graph's default page of 10). */
  projectFolders?: number;
  /** Replaces the standard folder tree (paths below "Top of Information Store"). */
  folders?: FolderTemplate[];
  /** Seed for this mailbox (default: the tenant's). */
  seed?: number;
}

export interface ServiceUserSpec {
  upn: string;
  password: string;
  displayName?: string;
  /** Mailboxes (addresses) the user has FullAccess on; its own mailbox, if any, always. */
  fullAccessTo?: string[];
  /** Locked out (NTLM refuses it). */
  locked?: boolean;
}

export interface AppSpec {
  clientId?: string;
  displayName?: string;
  roles?: readonly string[];
}

const DEFAULT_FROM = Date.UTC(2023, 0, 1);
const DEFAULT_TO = Date.UTC(2025, 0, 1);
/** Size of the tenant-wide pool that shared (multi-mailbox) messages are drawn from. */
const SHARED_POOL_SIZE = 150;

export class Tenant {
  readonly apps = new Map<string, AppRegistration>();
  readonly users = new Map<string, TenantUser>();
  private readonly rng: Rng;

  constructor(
    private readonly directory: Directory,
    readonly id: string,
    readonly name: string,
    /** Verified domains; the first is the default, `<name>.onmicrosoft.com` is always there. */
    readonly domains: string[],
    readonly seed: number,
  ) {
    this.rng = new Rng(seed, hashString(id), 0x7e4a);
  }

  get defaultDomain(): string {
    return this.domains[0] ?? `${this.name}.onmicrosoft.com`;
  }

  addApp(spec: AppSpec = {}): AppRegistration {
    const clientId = (spec.clientId ?? this.rng.guid()).toLowerCase();
    if (this.apps.has(clientId)) throw new Error(`app ${clientId} already exists`);
    const app = new AppRegistration(
      this,
      clientId,
      spec.displayName ?? "Mailstream",
      this.rng.guid(),
      spec.roles ?? DEFAULT_APP_ROLES,
      new Rng(this.seed, hashString(clientId)),
    );
    this.apps.set(clientId, app);
    return app;
  }

  removeApp(clientId: string): void {
    this.apps.delete(clientId.toLowerCase());
  }

  addMailbox(spec: MailboxSpec): Mailbox {
    const email = spec.email.toLowerCase();
    if (this.users.get(email)?.mailbox) throw new Error(`mailbox ${email} already exists`);
    const existing = this.users.get(email);
    const userId = existing?.id ?? this.rng.guid();
    const displayName = spec.displayName ?? existing?.displayName ?? displayNameOf(email);
    const mailbox = new Mailbox({
      number: this.directory.nextMailboxNumber(),
      email,
      displayName,
      userId,
      kind: spec.kind ?? "licensed",
      seed: spec.seed ?? this.seed,
      tenantDomain: this.defaultDomain,
      messages: spec.messages ?? 200,
      receivedFrom: spec.receivedFrom?.getTime() ?? DEFAULT_FROM,
      receivedTo: spec.receivedTo?.getTime() ?? DEFAULT_TO,
      folders: spec.folders ?? standardFolderTemplate(spec.projectFolders ?? 12),
      sharedPoolSize: SHARED_POOL_SIZE,
    });
    const user: TenantUser = existing ?? {
      id: userId,
      upn: email,
      displayName,
      fullAccessTo: new Set(),
    };
    user.mailbox = mailbox;
    this.users.set(email, user);
    this.directory.registerMailbox(this, mailbox);
    return mailbox;
  }

  addServiceUser(spec: ServiceUserSpec): TenantUser {
    const upn = spec.upn.toLowerCase();
    const existing = this.users.get(upn);
    const user: TenantUser = existing ?? {
      id: this.rng.guid(),
      upn,
      displayName: spec.displayName ?? displayNameOf(upn),
      fullAccessTo: new Set(),
    };
    user.password = spec.password;
    user.locked = spec.locked ?? false;
    for (const m of spec.fullAccessTo ?? []) user.fullAccessTo.add(m.toLowerCase());
    this.users.set(upn, user);
    return user;
  }

  userByIdOrUpn(ref: string): TenantUser | undefined {
    const lower = ref.toLowerCase();
    const byUpn = this.users.get(lower);
    if (byUpn) return byUpn;
    for (const u of this.users.values()) if (u.id === lower) return u;
    return undefined;
  }

  /** True when `segment` (GUID or verified domain) names this tenant. */
  isNamedBy(segment: string): boolean {
    const lower = segment.toLowerCase();
    return lower === this.id || this.domains.includes(lower);
  }
}

export interface TenantSpec {
  /** Tenant (directory) id; derived from the seed when absent. */
  id?: string;
  /** Short name: `<name>.onmicrosoft.com` is added to the domains. */
  name?: string;
  domains?: string[];
  seed?: number;
}

export class Directory {
  readonly tenants: Tenant[] = [];
  readonly mailboxes: Mailbox[] = [];
  private readonly tenantOfMailbox = new Map<Mailbox, Tenant>();

  addTenant(spec: TenantSpec = {}): Tenant {
    const seed = spec.seed ?? 1;
    const name = (spec.name ?? "contoso").toLowerCase();
    const id = (spec.id ?? new Rng(seed, hashString(name), 0x1d).guid()).toLowerCase();
    const domains = [...(spec.domains ?? [`${name}.com`]), `${name}.onmicrosoft.com`].map((d) =>
      d.toLowerCase(),
    );
    if (this.findTenant(id) || domains.some((d) => this.findTenant(d))) {
      throw new Error(`tenant ${id} (${domains.join(", ")}) already exists`);
    }
    const tenant = new Tenant(this, id, name, [...new Set(domains)], seed);
    this.tenants.push(tenant);
    return tenant;
  }

  findTenant(segment: string): Tenant | undefined {
    return this.tenants.find((t) => t.isNamedBy(segment));
  }

  nextMailboxNumber(): number {
    return this.mailboxes.length + 1;
  }

  registerMailbox(tenant: Tenant, mailbox: Mailbox): void {
    this.mailboxes.push(mailbox);
    this.tenantOfMailbox.set(mailbox, tenant);
  }

  tenantOf(mailbox: Mailbox): Tenant {
    const tenant = this.tenantOfMailbox.get(mailbox);
    if (!tenant) throw new Error("mailbox without tenant");
    return tenant;
  }

  /** Any tenant's mailbox by address (addresses are unique across the simulator). */
  mailbox(email: string): Mailbox | undefined {
    const lower = email.toLowerCase();
    return this.mailboxes.find((m) => m.email === lower);
  }

  mailboxByNumber(n: number): Mailbox | undefined {
    return this.mailboxes[n - 1];
  }
}

function displayNameOf(email: string): string {
  const local = email.split("@")[0] ?? email;
  return local
    .split(/[._-]/)
    .filter(Boolean)
    .map((p) => p[0]?.toUpperCase() + p.slice(1))
    .join(" ");
}
