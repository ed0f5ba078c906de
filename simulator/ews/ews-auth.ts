import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TokenService } from "../access-tokens.js";
import type { AppRegistration, Directory, Tenant, TenantUser } from "../tenant-directory.js";
import type { EwsRecord, NtlmFailureReason } from "./ews-record.js";
import {
  SPNEGO_ACCEPTED,
  createChallenge,
  decodeNtlm,
  spnegoChallenge,
  unwrapToken,
  verifyNtlmV2,
} from "./ntlm.js";

/**
 * Who is calling EWS. NTLM authenticates a connection: a NEGOTIATE on a socket gets a CHALLENGE,
 * the AUTHENTICATE on the same socket is verified, and from then on every request on that socket
 * is the account's until the socket closes (no Authorization header needed). A new socket must
 * handshake again. Bearer tokens (the identity platform's, audience = the EWS host) authenticate
 * each request: app-only tokens (role `full_access_as_app`, used with Exchange impersonation) and
 * service-user tokens (scope `EWS.AccessAsUser.All`, delegate access).
 */
export type EwsPrincipal =
  | { kind: "user"; key: string; tenant: Tenant; user: TenantUser; via: "ntlm" | "bearer" }
  | { kind: "app"; key: string; tenant: Tenant; app: AppRegistration; roles: Set<string> };

export const EWS_APP_ROLE = "full_access_as_app";
export const EWS_USER_SCOPE = "EWS.AccessAsUser.All";

interface ConnectionState {
  id: number;
  challenge?: { serverChallenge: Buffer; scheme: string; spnego: boolean };
  principal?: EwsPrincipal;
}

export interface EwsAuthDeps {
  directory: Directory;
  tokens: TokenService;
  record: EwsRecord;
  now: () => number;
  /** Audiences a bearer token for this EWS host may carry. */
  audiences: () => string[];
  loginUrl: () => string;
}

export class EwsAuthenticator {
  private readonly connections = new WeakMap<Socket, ConnectionState>();
  private nextConnection = 1;

  constructor(private readonly deps: EwsAuthDeps) {}

  connectionOf(socket: Socket): ConnectionState {
    let state = this.connections.get(socket);
    if (!state) {
      state = { id: this.nextConnection++ };
      this.connections.set(socket, state);
      this.deps.record.connection(state.id);
    }
    return state;
  }

  /**
   * The request's principal, or undefined when a 401 (challenge or refusal) was sent instead.
   * Never logs or keeps an AUTHENTICATE message; only the user and domain it names.
   */
  authenticate(req: IncomingMessage, res: ServerResponse): EwsPrincipal | undefined {
    const conn = this.connectionOf(req.socket);
    const header = req.headers.authorization ?? "";
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) return this.bearer(header, conn, res);
    const ntlm = /^(NTLM|Negotiate)\s+(\S+)$/i.exec(header);
    if (ntlm) return this.ntlm(ntlm[1] ?? "NTLM", ntlm[2] ?? "", conn, res);
    if (header === "" && conn.principal) return conn.principal;
    this.unauthorized(res);
    return undefined;
  }

  private ntlm(
    scheme: string,
    token: string,
    conn: ConnectionState,
    res: ServerResponse,
  ): EwsPrincipal | undefined {
    const unwrapped = unwrapToken(token);
    const message = unwrapped && decodeNtlm(unwrapped.ntlm);
    if (!unwrapped || !message) {
      // A SPNEGO (Kerberos) token, or garbage: this server only speaks raw NTLMSSP.
      this.fail(conn, "", "", "unsupportedToken", res);
      return undefined;
    }
    if (message.type === 1) {
      this.deps.record.negotiated(conn.id);
      conn.principal = undefined;
      const names = this.targetNames();
      const challenge = createChallenge({
        ...names,
        now: this.deps.now(),
        clientFlags: message.flags,
      });
      conn.challenge = {
        serverChallenge: challenge.serverChallenge,
        scheme,
        spnego: unwrapped.spnego,
      };
      const answer = unwrapped.spnego ? spnegoChallenge(challenge.message) : challenge.message;
      this.unauthorized(res, `${scheme} ${answer.toString("base64")}`);
      return undefined;
    }
    const pending = conn.challenge;
    conn.challenge = undefined;
    if (!pending) {
      this.fail(conn, message.user, message.domain, "noChallengeOnConnection", res);
      return undefined;
    }
    const account = findAccount(this.deps.directory, message.user, message.domain);
    if (!account?.user.password) {
      this.fail(conn, message.user, message.domain, "unknownUser", res);
      return undefined;
    }
    if (account.user.locked) {
      this.fail(conn, message.user, message.domain, "lockedAccount", res);
      return undefined;
    }
    const verdict = verifyNtlmV2(message, pending.serverChallenge, account.user.password);
    if (verdict !== "ok") {
      this.fail(conn, message.user, message.domain, verdict, res);
      return undefined;
    }
    const principal: EwsPrincipal = {
      kind: "user",
      key: `user:${account.user.upn}`,
      tenant: account.tenant,
      user: account.user,
      via: "ntlm",
    };
    conn.principal = principal;
    if (pending.spnego)
      res.setHeader("www-authenticate", `${scheme} ${SPNEGO_ACCEPTED.toString("base64")}`);
    this.deps.record.handshake(conn.id, principal.key);
    return principal;
  }

  private bearer(
    header: string,
    conn: ConnectionState,
    res: ServerResponse,
  ): EwsPrincipal | undefined {
    const result = this.deps.tokens.verify(header, this.deps.audiences());
    if (!("kind" in result)) {
      this.deps.record.bearerFailure(conn.id, result.reason);
      const diagnostics: Record<typeof result.reason, string> = {
        missing: 'The token is missing."',
        malformed: 'The token signature is invalid."',
        audience: 'The audience claim value is invalid for current resource."',
        expired: 'The token has expired."',
        revoked: 'The token has been revoked."',
        unknown: 'The token is not issued by a known tenant or app."',
      };
      this.unauthorized(res, undefined, {
        "x-ms-diagnostics": `2000003;reason="${diagnostics[result.reason]};error_category="invalid_token"`,
      });
      return undefined;
    }
    if (result.kind === "user") {
      if (!result.scopes.has(EWS_USER_SCOPE) && !result.scopes.has("full_access_as_user")) {
        this.deps.record.bearerFailure(conn.id, "scope");
        this.unauthorized(res, undefined, {
          "x-ms-diagnostics": `2000008;reason="The token does not have the scope required by the service.";error_category="invalid_grant"`,
        });
        return undefined;
      }
      return {
        kind: "user",
        key: `user:${result.user.upn}`,
        tenant: result.tenant,
        user: result.user,
        via: "bearer",
      };
    }
    return {
      kind: "app",
      key: `app:${result.app.clientId}`,
      tenant: result.tenant,
      app: result.app,
      roles: result.roles,
    };
  }

  private fail(
    conn: ConnectionState,
    user: string,
    domain: string,
    reason: NtlmFailureReason,
    res: ServerResponse,
  ): void {
    conn.principal = undefined;
    this.deps.record.ntlmFailure({ connection: conn.id, user, domain, reason });
    this.unauthorized(res);
  }

  /** 401 with the schemes IIS offers (or the CHALLENGE); the connection is kept open. */
  private unauthorized(
    res: ServerResponse,
    challenge?: string,
    extra: Record<string, string> = {},
  ): void {
    res.writeHead(401, {
      "www-authenticate": challenge
        ? [challenge]
        : [
            "Negotiate",
            "NTLM",
            `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="${this.deps.loginUrl()}/common/oauth2/authorize"`,
          ],
      "content-length": "0",
      ...extra,
    });
    res.end();
  }

  private targetNames(): {
    netbiosDomain: string;
    netbiosComputer: string;
    dnsDomain: string;
    dnsComputer: string;
  } {
    const tenant = this.deps.directory.tenants[0];
    const dnsDomain = tenant?.defaultDomain ?? "workgroup.local";
    return {
      netbiosDomain: netbiosName(tenant),
      netbiosComputer: "EXCH01",
      dnsDomain,
      dnsComputer: `exch01.${dnsDomain}`,
    };
  }
}

/** A tenant's NetBIOS domain: its short name in capitals ("CONTOSO"). */
export function netbiosName(tenant: Tenant | undefined): string {
  return (tenant?.name ?? "WORKGROUP").toUpperCase().slice(0, 15);
}

/**
 * The account an NTLM user/domain pair names: a UPN (`svc@contoso.com`, any domain field), or a
 * down-level name (`CONTOSO` + `svc`, the domain being the NetBIOS name or a DNS domain).
 */
export function findAccount(
  directory: Directory,
  user: string,
  domain: string,
): { tenant: Tenant; user: TenantUser } | undefined {
  const name = user.toLowerCase();
  if (name.includes("@")) {
    for (const tenant of directory.tenants) {
      const found = tenant.users.get(name);
      if (found) return { tenant, user: found };
    }
    return undefined;
  }
  const dom = domain.toLowerCase();
  for (const tenant of directory.tenants) {
    const named =
      dom === "" || netbiosName(tenant).toLowerCase() === dom || tenant.domains.includes(dom);
    if (!named) continue;
    for (const d of tenant.domains) {
      const found = tenant.users.get(`${name}@${d}`);
      if (found) return { tenant, user: found };
    }
  }
  return undefined;
}
