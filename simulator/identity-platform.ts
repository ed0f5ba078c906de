import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { aadErrorBody, aadErrors, type AadError } from "./aadsts-errors.js";
import type { TokenService } from "./access-tokens.js";
import type { FaultInjector } from "./faults.js";
import { readBody, requestIdOf, resetConnection, sendJson, sleep } from "./http-io.js";
import { decodeJwt, verifySignature } from "./jwt.js";
import { EWS_USER_SCOPE } from "./ews/ews-auth.js";
import {
  EWS_ONLY_ROLES,
  type AppRegistration,
  type Directory,
  type Tenant,
} from "./tenant-directory.js";

/**
 * The Microsoft identity platform (v2.0 endpoints) of every simulated tenant: OpenID discovery,
 * instance discovery, JWKS, and the token endpoint with client credentials (secret or certificate
 * assertion) and the resource-owner password grant. Failures answer with Entra's AADSTS codes.
 */
export interface IdentityPlatformDeps {
  directory: Directory;
  tokens: TokenService;
  faults: FaultInjector;
  now: () => number;
  loginUrl: () => string;
  graphUrl: () => string;
  /** Origin of the EWS host (`https://host:port`); tokens for it have audience `<origin>/`. */
  ewsOrigin: () => string;
  latencyMs: () => number;
  onRequest: (entry: {
    target: "identity";
    method: string;
    path: string;
    status: number;
    clientId?: string;
  }) => void;
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const MULTI_TENANT_SEGMENTS = new Set(["common", "organizations", "consumers"]);

export class IdentityPlatform {
  constructor(private readonly deps: IdentityPlatformDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.deps.loginUrl());
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? "GET";
    const body = method === "POST" ? await readBody(req) : "";
    const form = new URLSearchParams(body);
    const clientId = form.get("client_id")?.toLowerCase() ?? undefined;
    let status = 200;
    try {
      await sleep(this.deps.latencyMs());
      const fault = this.deps.faults.take({
        target: "identity",
        path: url.pathname,
        method,
        clientId,
      });
      if (fault?.type === "reset") {
        status = 0;
        resetConnection(req);
        return;
      }
      if (fault?.type === "delay") await sleep(fault.ms);
      if (fault?.type === "status") {
        const err = {
          ...aadErrors.temporarilyUnavailable(fault.status),
          ...(fault.code && { error: fault.code }),
        };
        const retryAfter = fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds;
        status = this.sendError(
          req,
          res,
          err,
          retryAfter === null ? {} : { "retry-after": String(retryAfter) },
        );
        return;
      }
      status = this.route(req, res, segments, method, url, form);
    } finally {
      this.deps.onRequest({ target: "identity", method, path: url.pathname, status, clientId });
    }
  }

  private route(
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    method: string,
    url: URL,
    form: URLSearchParams,
  ): number {
    const [tenantSegment = "", ...rest] = segments;
    const tail = rest.join("/").toLowerCase();
    if (
      method === "GET" &&
      tenantSegment.toLowerCase() === "common" &&
      tail === "discovery/instance"
    ) {
      const host = new URL(this.deps.loginUrl()).host;
      sendJson(res, 200, {
        tenant_discovery_endpoint: `${this.deps.loginUrl()}/common/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
      return 200;
    }
    const tenant = this.deps.directory.findTenant(tenantSegment);
    if (
      method === "GET" &&
      (tail === "v2.0/.well-known/openid-configuration" ||
        tail === ".well-known/openid-configuration")
    ) {
      if (!tenant) return this.sendError(req, res, aadErrors.tenantNotFound(tenantSegment));
      sendJson(res, 200, this.openIdConfiguration(tenant));
      return 200;
    }
    if (method === "GET" && (tail === "discovery/v2.0/keys" || tail === "discovery/keys")) {
      const jwk = this.deps.tokens.publicKey.export({ format: "jwk" });
      sendJson(res, 200, {
        keys: [{ kty: "RSA", use: "sig", kid: this.deps.tokens.kid, n: jwk.n, e: jwk.e }],
      });
      return 200;
    }
    if (method === "POST" && (tail === "oauth2/v2.0/token" || tail === "oauth2/token")) {
      if (MULTI_TENANT_SEGMENTS.has(tenantSegment.toLowerCase())) {
        return this.sendError(req, res, aadErrors.noTenantInformation());
      }
      if (!tenant) return this.sendError(req, res, aadErrors.tenantNotFound(tenantSegment));
      const result = this.token(tenant, form);
      if ("error" in result && "code" in result)
        return this.sendError(req, res, result as AadError);
      sendJson(res, 200, result, { "cache-control": "no-store, no-cache", pragma: "no-cache" });
      return 200;
    }
    sendJson(res, 404, { error: "not_found", error_description: `No endpoint at ${url.pathname}` });
    return 404;
  }

  openIdConfiguration(tenant: Tenant): Record<string, unknown> {
    const base = `${this.deps.loginUrl()}/${tenant.id}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: [
        "client_secret_post",
        "private_key_jwt",
        "client_secret_basic",
      ],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.deps.graphUrl()}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "name",
        "tid",
        "ver",
        "oid",
        "preferred_username",
      ],
      tenant_region_scope: "EU",
      cloud_instance_name: "microsoftonline.com",
      msgraph_host: new URL(this.deps.graphUrl()).host,
    };
  }

  private token(tenant: Tenant, form: URLSearchParams): Record<string, unknown> | AadError {
    const clientId = (form.get("client_id") ?? "").toLowerCase();
    const app = tenant.apps.get(clientId);
    if (!app) return aadErrors.appNotFound(clientId, tenant.defaultDomain);
    const grant = form.get("grant_type") ?? "";
    if (grant !== "client_credentials" && grant !== "password")
      return aadErrors.unsupportedGrantType(grant);
    const credential = this.authenticateClient(tenant, app, form);
    if (typeof credential !== "string") return credential;

    const scopes = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
    const resourceScopes = scopes.filter((s) => s.includes("/"));
    const [resourceScope] = resourceScopes;
    if (
      grant === "client_credentials" &&
      (resourceScopes.length !== 1 || !resourceScope?.endsWith("/.default"))
    ) {
      return aadErrors.invalidClientCredentialsScope(scopes.join(" "));
    }
    const resource = (resourceScope ?? "").replace(/\/[^/]*$/, "");
    const ews = this.ewsAudiences().some((a) => a.toLowerCase() === resource.toLowerCase());
    const audience = ews
      ? `${this.deps.ewsOrigin()}/`
      : this.graphAudiences().find((a) => a.toLowerCase() === resource.toLowerCase());
    if (!audience) return aadErrors.resourceNotFound(resource, tenant.defaultDomain);
    // Exchange's roles (full_access_as_app) belong to the EWS resource, Graph's to Graph.
    const roles = [...app.roles].filter((r) => EWS_ONLY_ROLES.has(r) === ews);

    if (grant === "client_credentials") {
      const { accessToken, expiresIn } = this.deps.tokens.issueAppToken(
        tenant,
        app,
        audience,
        credential,
        roles,
      );
      return {
        token_type: "Bearer",
        expires_in: expiresIn,
        ext_expires_in: expiresIn,
        access_token: accessToken,
      };
    }
    const user = tenant.users.get((form.get("username") ?? "").toLowerCase());
    if (!user) return aadErrors.userNotFound(tenant.defaultDomain);
    if (user.locked) return aadErrors.accountLocked();
    if (user.password === undefined || user.password !== form.get("password"))
      return aadErrors.invalidPassword();
    const t = this.deps.tokens.issueUserTokens(
      tenant,
      app,
      user,
      audience,
      this.deps.loginUrl(),
      ews ? [EWS_USER_SCOPE] : undefined,
    );
    return {
      token_type: "Bearer",
      scope: t.scope,
      expires_in: t.expiresIn,
      ext_expires_in: t.expiresIn,
      access_token: t.accessToken,
      refresh_token: t.refreshToken,
      id_token: t.idToken,
      client_info: t.clientInfo,
    };
  }

  /** Client authentication of a confidential client: secret, or a certificate-signed assertion. */
  private authenticateClient(
    tenant: Tenant,
    app: AppRegistration,
    form: URLSearchParams,
  ): "secret" | "certificate" | AadError {
    const secret = form.get("client_secret");
    const assertion = form.get("client_assertion");
    if (secret !== null) {
      const matching = app.secrets.filter((s) => s.value === secret);
      if (matching.length === 0) return aadErrors.invalidClientSecret(app.clientId);
      if (matching.every((s) => s.expiresAt <= this.deps.now()))
        return aadErrors.expiredClientSecret(app.clientId);
      return "secret";
    }
    if (assertion === null) return aadErrors.missingClientCredential();
    if (form.get("client_assertion_type") !== JWT_BEARER) return aadErrors.malformedAssertion();
    const jwt = decodeJwt(assertion);
    if (!jwt) return aadErrors.malformedAssertion();
    const sha256 =
      typeof jwt.header["x5t#S256"] === "string"
        ? Buffer.from(jwt.header["x5t#S256"], "base64url")
        : undefined;
    const sha1 =
      typeof jwt.header.x5t === "string" ? Buffer.from(jwt.header.x5t, "base64url") : undefined;
    const cert = app.certificates.find((c) =>
      sha256 ? c.sha256.equals(sha256) : sha1 ? c.sha1.equals(sha1) : false,
    );
    if (!cert) {
      const shown = (sha256 ?? sha1 ?? Buffer.alloc(0)).toString("hex").toUpperCase();
      return aadErrors.certificateNotRegistered(app.clientId, shown);
    }
    if (!verifySignature(jwt, cert.publicKey)) return aadErrors.assertionSignatureInvalid();
    const c = jwt.claims;
    if (c.iss !== app.clientId && String(c.iss).toLowerCase() !== app.clientId)
      return aadErrors.assertionSubjectMismatch();
    if (String(c.sub).toLowerCase() !== app.clientId) return aadErrors.assertionSubjectMismatch();
    const audiences = this.tokenEndpoints(tenant);
    if (typeof c.aud !== "string" || !audiences.includes(c.aud.toLowerCase()))
      return aadErrors.assertionAudienceMismatch();
    if (typeof c.exp !== "number" || c.exp * 1000 <= this.deps.now()) {
      return aadErrors.assertionExpired(this.deps.now(), typeof c.exp === "number" ? c.exp : 0);
    }
    return "certificate";
  }

  /** Every URL a client assertion may name as audience for this tenant. */
  private tokenEndpoints(tenant: Tenant): string[] {
    const base = this.deps.loginUrl().toLowerCase();
    return [tenant.id, ...tenant.domains].flatMap((name) => [
      `${base}/${name}/oauth2/v2.0/token`,
      `${base}/${name}/oauth2/token`,
    ]);
  }

  /** The EWS host as a resource: its origin, with or without the trailing slash. */
  private ewsAudiences(): string[] {
    const origin = this.deps.ewsOrigin();
    return [origin, `${origin}/`];
  }

  private graphAudiences(): string[] {
    const graph = this.deps.graphUrl();
    return [graph, `${graph}/`];
  }

  private sendError(
    req: IncomingMessage,
    res: ServerResponse,
    err: AadError,
    headers: Record<string, string> = {},
  ): number {
    const body = aadErrorBody(
      err,
      this.deps.loginUrl(),
      requestIdOf(req),
      randomUUID(),
      this.deps.now(),
    );
    sendJson(res, err.status, body, headers);
    return err.status;
  }
}
