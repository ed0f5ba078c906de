import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { decodeJwt, signRs256, verifySignature } from "./jwt.js";
import { Rng } from "./prng.js";
import type { AppRegistration, Directory, Tenant, TenantUser } from "./tenant-directory.js";

/**
 * Issues the identity platform's tokens and verifies them at Graph. Access tokens are real
 * RS256 JWTs with Entra-shaped claims (aud, iss, tid, appid, roles or scp, exp). Each carries a
 * serial number in `uti`, which is how revoking or expiring "all tokens issued so far" works
 * without keeping every token.
 */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export type Principal =
  | { kind: "app"; tenant: Tenant; app: AppRegistration; roles: Set<string> }
  | { kind: "user"; tenant: Tenant; app: AppRegistration; user: TenantUser; scopes: Set<string> };

export type TokenRejection = {
  reason: "missing" | "malformed" | "audience" | "expired" | "revoked" | "unknown";
};

export interface IssuedUserTokens {
  accessToken: string;
  idToken: string;
  clientInfo: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

export class TokenService {
  private serial = 0;
  private readonly rng = new Rng(Date.now() & 0x7fffffff, process.pid);

  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    readonly kid: string,
    private readonly directory: Directory,
    private readonly now: () => number,
    /** Read on every issue, so tests can shorten it at run time. */
    readonly lifetime: { seconds: number },
  ) {}

  static async create(
    directory: Directory,
    now: () => number,
    lifetime: { seconds: number },
  ): Promise<TokenService> {
    const { privateKey, publicKey } = await generateKeyPairAsync("rsa", { modulusLength: 2048 });
    const kid = Buffer.from(String(Date.now())).toString("base64url");
    return new TokenService(privateKey, publicKey, kid, directory, now, lifetime);
  }

  /** Serial that the next token will get: tokens below it count as issued "so far". */
  get nextSerial(): number {
    return this.serial + 1;
  }

  issueAppToken(
    tenant: Tenant,
    app: AppRegistration,
    audience: string,
    credential: "secret" | "certificate",
    roles: readonly string[] = [...app.roles],
  ): { accessToken: string; expiresIn: number } {
    const iat = Math.floor(this.now() / 1000);
    const expiresIn = this.lifetime.seconds;
    const exp = this.expiry(expiresIn);
    const accessToken = signRs256(
      { kid: this.kid, x5t: this.kid },
      {
        aud: audience,
        iss: `https://sts.windows.net/${tenant.id}/`,
        iat,
        nbf: iat,
        exp,
        app_displayname: app.displayName,
        appid: app.clientId,
        appidacr: credential === "secret" ? "1" : "2",
        idp: `https://sts.windows.net/${tenant.id}/`,
        idtyp: "app",
        oid: app.servicePrincipalId,
        roles: [...roles],
        sub: app.servicePrincipalId,
        tid: tenant.id,
        uti: this.nextUti(),
        ver: "1.0",
      },
      this.privateKey,
    );
    return { accessToken, expiresIn };
  }

  issueUserTokens(
    tenant: Tenant,
    app: AppRegistration,
    user: TenantUser,
    audience: string,
    issuerBase: string,
    scopes: readonly string[] = ["Mail.Read", "User.Read"],
  ): IssuedUserTokens {
    const iat = Math.floor(this.now() / 1000);
    const expiresIn = this.lifetime.seconds;
    const exp = this.expiry(expiresIn);
    const accessToken = signRs256(
      { kid: this.kid, x5t: this.kid },
      {
        aud: audience,
        iss: `https://sts.windows.net/${tenant.id}/`,
        iat,
        nbf: iat,
        exp,
        appid: app.clientId,
        appidacr: "1",
        name: user.displayName,
        oid: user.id,
        scp: scopes.join(" "),
        sub: user.id,
        tid: tenant.id,
        unique_name: user.upn,
        upn: user.upn,
        uti: this.nextUti(),
        ver: "1.0",
      },
      this.privateKey,
    );
    // MSAL builds its account from the id token and client_info; it does not verify the signature.
    const idToken = signRs256(
      { kid: this.kid },
      {
        aud: app.clientId,
        iss: `${issuerBase}/${tenant.id}/v2.0`,
        iat,
        nbf: iat,
        exp: iat + 3600,
        name: user.displayName,
        oid: user.id,
        preferred_username: user.upn,
        sub: user.id,
        tid: tenant.id,
        ver: "2.0",
      },
      this.privateKey,
    );
    const clientInfo = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString(
      "base64url",
    );
    return {
      accessToken,
      idToken,
      clientInfo,
      refreshToken: `0.A${this.rng.hex(24)}`,
      expiresIn,
      scope: [
        ...scopes.map((s) => `${audience.replace(/\/$/, "")}/${s}`),
        "openid",
        "profile",
        "offline_access",
      ].join(" "),
    };
  }

  /** Verifies a Graph bearer token: signature, audience, lifetime, tenant, app, revocation. */
  verify(
    authorization: string | undefined,
    audiences: readonly string[],
  ): Principal | TokenRejection {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    if (!match?.[1]) return { reason: "missing" };
    const jwt = decodeJwt(match[1]);
    if (!jwt || jwt.header.kid !== this.kid || !verifySignature(jwt, this.publicKey)) {
      return { reason: "malformed" };
    }
    const c = jwt.claims;
    if (typeof c.aud !== "string" || !audiences.includes(c.aud)) return { reason: "audience" };
    const tenant = typeof c.tid === "string" ? this.directory.findTenant(c.tid) : undefined;
    const app = typeof c.appid === "string" ? tenant?.apps.get(c.appid) : undefined;
    if (!tenant || !app) return { reason: "unknown" };
    const serial = Number.parseInt(String(c.uti).split(".")[0] ?? "", 36);
    if (!Number.isFinite(serial) || serial < app.revokedBeforeSerial) return { reason: "revoked" };
    if (
      typeof c.exp !== "number" ||
      c.exp * 1000 <= this.now() ||
      serial < app.expiredBeforeSerial
    ) {
      return { reason: "expired" };
    }
    if (typeof c.scp === "string") {
      const user = typeof c.oid === "string" ? tenant.userByIdOrUpn(c.oid) : undefined;
      if (!user) return { reason: "unknown" };
      return { kind: "user", tenant, app, user, scopes: new Set(c.scp.split(" ")) };
    }
    return {
      kind: "app",
      tenant,
      app,
      roles: new Set(Array.isArray(c.roles) ? c.roles.map(String) : []),
    };
  }

  /** Rounded up, so a token is good for at least expires_in seconds (short lifetimes in tests). */
  private expiry(expiresIn: number): number {
    return Math.ceil(this.now() / 1000 + expiresIn);
  }

  private nextUti(): string {
    this.serial++;
    return `${this.serial.toString(36)}.${this.rng.hex(6)}`;
  }
}
