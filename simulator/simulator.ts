import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { TokenService } from "./access-tokens.js";
import {
  createCertificateAuthority,
  issueServerCertificate,
  loadOrCreateCertificateAuthority,
  type CertificateAuthority,
} from "./certificates.js";
import { ControlApi } from "./control-api.js";
import type { EwsRecordSnapshot } from "./ews/ews-record.js";
import { EWS_PATH, EwsService } from "./ews/ews-service.js";
import { FaultInjector, type FaultRule } from "./faults.js";
import { GraphApi, type GraphRequestLogEntry } from "./graph-api.js";
import { GraphSubscriptions } from "./graph-subscriptions.js";
import { truthFolders, truthMessage, truthMessages } from "./ground-truth.js";
import { sendJson } from "./http-io.js";
import { IdentityPlatform } from "./identity-platform.js";
import type { TruthFolder, TruthMessage } from "./mail-types.js";
import { MailboxLimits, type LimitSettings, type MailboxStats } from "./mailbox-limits.js";
import type { DeliverySpec, Mailbox, MailboxKind } from "./mailbox.js";
import { RequestOrigins } from "./request-origins.js";
import {
  Directory,
  type AppRegistration,
  type Tenant,
  type TenantSpec,
} from "./tenant-directory.js";

/**
 * A Microsoft 365 tenant simulator: the identity platform and Microsoft Graph over HTTPS on
 * loopback (with a private CA), plus an optional plain-HTTP control API. Tests start it in-process
 * on port 0; `npm run simulator` starts it standalone.
 */
export interface SimulatorOptions {
  /** Directory holding ca.pem / ca-key.pem: loaded if present, created otherwise. */
  caDir?: string;
  /** A CA to use as is (takes precedence over caDir). */
  ca?: CertificateAuthority;
  /** Host name in the URLs (default "localhost"); the listeners bind loopback only. */
  hostname?: string;
  loginPort?: number;
  graphPort?: number;
  /** Port of the EWS host (Exchange Web Services at /EWS/Exchange.asmx). */
  ewsPort?: number;
  /** What EWS reports in ServerVersionInfo (default Exchange2019). */
  ewsVersion?: "Exchange2016" | "Exchange2019";
  /** EWSMaxConcurrency: requests one principal may have in flight (default 27). */
  ewsMaxConcurrency?: number;
  /** Port of the control API; false (the default) starts none. */
  controlPort?: number | false;
  /** Added to every request (identity and Graph), e.g. 150 ms for benchmarks. */
  latencyMs?: number;
  /** expires_in of issued access tokens (default 3599 s). */
  tokenLifetimeSeconds?: number;
  limits?: Partial<LimitSettings>;
  /** Clock for token lifetimes, secret expiry and deliveries (default Date.now). */
  now?: () => number;
  /** How many requests the log keeps (default 2000). */
  requestLogSize?: number;
}

export type RequestLogEntry =
  | GraphRequestLogEntry
  | { target: "identity"; method: string; path: string; status: number; clientId?: string };

export interface TokenFilter {
  /** Only tokens of this app (default: every app of every tenant). */
  clientId?: string;
}

interface SimulatorParts {
  loginUrl: string;
  graphUrl: string;
  ewsOrigin: string;
  ewsVersion: "Exchange2016" | "Exchange2019";
  ewsMaxConcurrency: number;
  controlUrl: string | undefined;
  ca: CertificateAuthority;
  servers: Server[];
  directory: Directory;
  tokens: TokenService;
  limits: MailboxLimits;
  tokenLifetime: { seconds: number };
  now: () => number;
  latencyMs: number;
  requestLogSize: number;
}

export class Simulator {
  readonly loginUrl: string;
  readonly graphUrl: string;
  /** The EWS endpoint: `https://<host>:<port>/EWS/Exchange.asmx`. */
  readonly ewsUrl: string;
  /** The EWS host's origin; bearer tokens for it are asked for as `<origin>/.default`. */
  readonly ewsOrigin: string;
  /** Plain-HTTP control API, when started with `controlPort`. */
  readonly controlUrl: string | undefined;
  readonly ca: CertificateAuthority;
  readonly directory: Directory;
  readonly faults = new FaultInjector();
  readonly now: () => number;
  /** Change-notification subscriptions, what was sent to subscribers, and the switches. */
  readonly subscriptions: GraphSubscriptions;
  /** Requests seen, oldest first (bounded). */
  readonly requestLog: RequestLogEntry[] = [];
  /** Which client (User-Agent) had Graph requests in flight for each mailbox, and overlaps. */
  readonly origins = new RequestOrigins();
  private readonly servers: Server[];
  private readonly tokens: TokenService;
  private readonly limits: MailboxLimits;
  private readonly tokenLifetime: { seconds: number };
  private readonly requestLogSize: number;
  private readonly settings: { latencyMs: number; deltaReplayOverlap: number };
  private identity?: IdentityPlatform;
  private graph?: GraphApi;
  private control?: ControlApi;
  private readonly ewsService: EwsService;

  private constructor(parts: SimulatorParts) {
    this.loginUrl = parts.loginUrl;
    this.graphUrl = parts.graphUrl;
    this.ewsOrigin = parts.ewsOrigin;
    this.ewsUrl = `${parts.ewsOrigin}${EWS_PATH}`;
    this.controlUrl = parts.controlUrl;
    this.ca = parts.ca;
    this.servers = parts.servers;
    this.directory = parts.directory;
    this.tokens = parts.tokens;
    this.limits = parts.limits;
    this.tokenLifetime = parts.tokenLifetime;
    this.now = parts.now;
    this.subscriptions = new GraphSubscriptions(parts.directory, parts.now);
    this.requestLogSize = parts.requestLogSize;
    this.settings = { latencyMs: parts.latencyMs, deltaReplayOverlap: 0 };
    this.ewsService = new EwsService({
      directory: this.directory,
      tokens: this.tokens,
      faults: this.faults,
      now: this.now,
      latencyMs: () => this.settings.latencyMs,
      ewsOrigin: () => this.ewsOrigin,
      loginUrl: () => this.loginUrl,
      serverVersion: parts.ewsVersion,
      maxConcurrency: parts.ewsMaxConcurrency,
    });
  }

  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const ca =
      options.ca ??
      (options.caDir
        ? await loadOrCreateCertificateAuthority(options.caDir)
        : await createCertificateAuthority());
    const hostname = options.hostname ?? "localhost";
    const tls = await issueServerCertificate(ca, [
      ...new Set([hostname, "localhost", "127.0.0.1", "::1"]),
    ]);
    const now = options.now ?? Date.now;
    const directory = new Directory();
    const tokenLifetime = { seconds: options.tokenLifetimeSeconds ?? 3599 };
    const tokens = await TokenService.create(directory, now, tokenLifetime);
    const limits = new MailboxLimits(
      {
        concurrency: 4,
        budgetRequests: 10_000,
        budgetWindowMs: 10 * 60 * 1000,
        concurrencyRetryAfterSeconds: 1,
        ...options.limits,
      },
      now,
    );
    // The handlers are bound late: the servers exist before the simulator that serves them.
    const bound: { sim?: Simulator } = {};
    const dispatch =
      (kind: "login" | "graph" | "ews" | "control") =>
      (req: IncomingMessage, res: ServerResponse) => {
        const sim = bound.sim;
        if (!sim) {
          sendJson(res, 503, { error: "starting" });
          return;
        }
        sim.dispatch(kind, req, res).catch((error: unknown) => {
          if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: String(error) });
        });
      };
    const loginServer = createHttpsServer(
      { key: tls.keyPem, cert: tls.certPem },
      dispatch("login"),
    );
    const graphServer = createHttpsServer(
      { key: tls.keyPem, cert: tls.certPem },
      dispatch("graph"),
    );
    const ewsServer = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, dispatch("ews"));
    // IIS keeps an idle connection (and its NTLM authentication) for 120 s.
    ewsServer.keepAliveTimeout = 120_000;
    const servers: Server[] = [loginServer, graphServer, ewsServer];
    const loginPort = await listen(loginServer, options.loginPort ?? 0);
    const graphPort = await listen(graphServer, options.graphPort ?? 0);
    const ewsPort = await listen(ewsServer, options.ewsPort ?? 0);
    let controlUrl: string | undefined;
    if (options.controlPort !== undefined && options.controlPort !== false) {
      const controlServer = createHttpServer(dispatch("control"));
      servers.push(controlServer);
      controlUrl = `http://127.0.0.1:${await listen(controlServer, options.controlPort)}`;
    }
    const sim = new Simulator({
      loginUrl: `https://${hostname}:${loginPort}`,
      graphUrl: `https://${hostname}:${graphPort}`,
      ewsOrigin: `https://${hostname}:${ewsPort}`,
      ewsVersion: options.ewsVersion ?? "Exchange2019",
      ewsMaxConcurrency: options.ewsMaxConcurrency ?? 27,
      controlUrl,
      ca,
      servers,
      directory,
      tokens,
      limits,
      tokenLifetime,
      now,
      latencyMs: options.latencyMs ?? 0,
      requestLogSize: options.requestLogSize ?? 2000,
    });
    bound.sim = sim;
    return sim;
  }

  private async dispatch(
    kind: "login" | "graph" | "ews" | "control",
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const onRequest = (entry: RequestLogEntry): void => {
      this.requestLog.push(entry);
      if (this.requestLog.length > this.requestLogSize)
        this.requestLog.splice(0, this.requestLog.length - this.requestLogSize);
    };
    if (kind === "login") {
      this.identity ??= new IdentityPlatform({
        directory: this.directory,
        tokens: this.tokens,
        faults: this.faults,
        now: this.now,
        loginUrl: () => this.loginUrl,
        graphUrl: () => this.graphUrl,
        ewsOrigin: () => this.ewsOrigin,
        latencyMs: () => this.settings.latencyMs,
        onRequest,
      });
      return this.identity.handle(req, res);
    }
    if (kind === "graph") {
      this.graph ??= new GraphApi({
        directory: this.directory,
        tokens: this.tokens,
        faults: this.faults,
        limits: this.limits,
        origins: this.origins,
        now: this.now,
        graphUrl: () => this.graphUrl,
        loginUrl: () => this.loginUrl,
        latencyMs: () => this.settings.latencyMs,
        deltaReplayOverlap: () => this.settings.deltaReplayOverlap,
        subscriptions: this.subscriptions,
        onRequest,
      });
      return this.graph.handle(req, res);
    }
    if (kind === "ews") return this.ewsService.handle(req, res);
    this.control ??= new ControlApi(this);
    return this.control.handle(req, res);
  }

  // ---- tenants -------------------------------------------------------------------------------

  addTenant(spec: TenantSpec = {}): Tenant {
    return this.directory.addTenant(spec);
  }

  tenant(idOrDomain: string): Tenant {
    const tenant = this.directory.findTenant(idOrDomain);
    if (!tenant) throw new Error(`no tenant ${idOrDomain}`);
    return tenant;
  }

  /** The authority URL for a tenant (`https://<login host>/<tenant id>`). */
  authorityUrl(tenant: Tenant | string): string {
    return `${this.loginUrl}/${typeof tenant === "string" ? tenant : tenant.id}`;
  }

  mailbox(email: string): Mailbox {
    const mailbox = this.directory.mailbox(email);
    if (!mailbox) throw new Error(`no mailbox ${email}`);
    return mailbox;
  }

  // ---- ground truth --------------------------------------------------------------------------

  /** Every message in the mailbox now, with its folder path (search folders excluded). Lazy. */
  groundTruth(email: string): Generator<TruthMessage> {
    return truthMessages(this.mailbox(email));
  }

  folders(email: string): TruthFolder[] {
    return truthFolders(this.mailbox(email));
  }

  message(email: string, messageId: string): TruthMessage {
    const mailbox = this.mailbox(email);
    return truthMessage(mailbox, this.keyOf(mailbox, messageId));
  }

  attachmentContent(email: string, messageId: string, attachmentId: string): Buffer {
    const mailbox = this.mailbox(email);
    const found = mailbox.resolveAttachment(this.keyOf(mailbox, messageId), attachmentId);
    if (typeof found === "string" || !found.spec.content)
      throw new Error(`no content for attachment ${attachmentId}`);
    return found.spec.content();
  }

  // ---- mail that lives -----------------------------------------------------------------------

  deliver(email: string, spec: DeliverySpec = {}): TruthMessage {
    const mailbox = this.mailbox(email);
    const truth = truthMessage(mailbox, mailbox.deliver(spec, this.now()));
    this.notify(mailbox, "created", truth);
    return truth;
  }

  /** Moves a message (by REST or immutable id) to a folder (id, well-known name or path). */
  moveMessage(email: string, messageId: string, folder: string | readonly string[]): TruthMessage {
    const mailbox = this.mailbox(email);
    const key = this.keyOf(mailbox, messageId);
    const target = mailbox.resolveFolder(folder);
    if (!target) throw new Error(`no folder ${String(folder)}`);
    const before = truthMessage(mailbox, key);
    mailbox.move(key, target);
    const after = truthMessage(mailbox, key);
    if (before.folderId !== after.folderId) {
      this.notify(mailbox, "deleted", before);
      this.notify(mailbox, "created", after);
    }
    return after;
  }

  /** Permanently deletes a message (moving it to Deleted Items is `moveMessage`). */
  deleteMessage(email: string, messageId: string): void {
    const mailbox = this.mailbox(email);
    const key = this.keyOf(mailbox, messageId);
    const before = truthMessage(mailbox, key);
    mailbox.delete(key);
    this.notify(mailbox, "deleted", before);
  }

  markRead(email: string, messageId: string, isRead = true): void {
    const mailbox = this.mailbox(email);
    const key = this.keyOf(mailbox, messageId);
    mailbox.markRead(key, isRead, this.now());
    this.notify(mailbox, "updated", truthMessage(mailbox, key));
  }

  private notify(
    mailbox: Mailbox,
    kind: "created" | "updated" | "deleted",
    message: TruthMessage,
  ): void {
    if (this.subscriptions.subscriptions.size === 0) return;
    this.subscriptions.mailChanged(mailbox, {
      kind,
      messageId: message.restId,
      folderId: message.folderId,
    });
  }

  createFolder(
    email: string,
    parent: string | readonly string[],
    name: string,
    opts: { hidden?: boolean } = {},
  ): TruthFolder {
    const mailbox = this.mailbox(email);
    const parentFolder = mailbox.resolveFolder(parent);
    if (!parentFolder) throw new Error(`no folder ${String(parent)}`);
    const folder = mailbox.addFolder(parentFolder, name, { hidden: opts.hidden });
    const truth = truthFolders(mailbox).find((f) => f.id === folder.id);
    if (!truth) throw new Error("folder vanished");
    return truth;
  }

  // ---- faults and conditions -----------------------------------------------------------------

  addFault(rule: FaultRule): string {
    return this.faults.add(rule);
  }

  setLatency(ms: number): void {
    this.settings.latencyMs = ms;
  }

  /** Makes delta pages repeat this many items of the previous page (Graph may replay items). */
  setDeltaReplayOverlap(items: number): void {
    this.settings.deltaReplayOverlap = items;
  }

  setTokenLifetime(seconds: number): void {
    this.tokenLifetime.seconds = seconds;
  }

  /** Every delta token of the mailbox (or one folder) answers 410 SyncStateNotFound from now on. */
  expireDeltaTokens(email: string, folder?: string | readonly string[]): void {
    const mailbox = this.mailbox(email);
    const f = folder === undefined ? undefined : mailbox.resolveFolder(folder);
    if (folder !== undefined && !f) throw new Error(`no folder ${String(folder)}`);
    mailbox.expireDeltaTokens(f);
  }

  /** Tokens issued so far answer 401 "revoked" on Graph. */
  revokeTokens(filter: TokenFilter = {}): void {
    for (const app of this.apps(filter)) app.revokedBeforeSerial = this.tokens.nextSerial;
  }

  /** Tokens issued so far answer 401 "expired" on Graph, as if their lifetime had run out. */
  expireAccessTokens(filter: TokenFilter = {}): void {
    for (const app of this.apps(filter)) app.expiredBeforeSerial = this.tokens.nextSerial;
  }

  /** The mailbox (and its user) disappears: 404 ErrorInvalidUser from now on. */
  deleteMailbox(email: string): void {
    this.mailbox(email).deleted = true;
  }

  setMailboxKind(email: string, kind: MailboxKind): void {
    this.mailbox(email).kind = kind;
  }

  // ---- EWS -----------------------------------------------------------------------------------

  /** What the EWS endpoint saw: per principal, per connection, back-off violations, failures. */
  ewsRecord(): EwsRecordSnapshot {
    return this.ewsService.record.snapshot();
  }

  resetEwsRecord(): void {
    this.ewsService.record.reset();
  }

  /** Every EWS SyncState of the mailbox (or one folder) answers ErrorInvalidSyncStateData. */
  expireEwsSyncStates(email: string, folder?: string | readonly string[]): void {
    const mailbox = this.mailbox(email);
    const f = folder === undefined ? undefined : mailbox.resolveFolder(folder);
    if (folder !== undefined && !f) throw new Error(`no folder ${String(folder)}`);
    for (const target of f ? [f] : mailbox.folders) target.ewsSyncGeneration++;
  }

  /** Locks (or unlocks) an account: NTLM refuses it with 401. */
  setAccountLocked(upn: string, locked: boolean): void {
    const user = this.directory.tenants
      .map((t) => t.userByIdOrUpn(upn))
      .find((u) => u !== undefined);
    if (!user) throw new Error(`no user ${upn}`);
    user.locked = locked;
  }

  setEwsMaxConcurrency(n: number): void {
    this.ewsService.record.settings.maxConcurrency = n;
  }

  mailboxStats(email: string): MailboxStats {
    return this.limits.stats(email.toLowerCase());
  }

  resetStats(): void {
    this.limits.resetStats();
    this.origins.reset();
    this.requestLog.length = 0;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }

  private apps(filter: TokenFilter): AppRegistration[] {
    return this.directory.tenants.flatMap((t) =>
      [...t.apps.values()].filter(
        (a) => !filter.clientId || a.clientId === filter.clientId.toLowerCase(),
      ),
    );
  }

  private keyOf(mailbox: Mailbox, messageId: string): number {
    const found = mailbox.resolveMessage(messageId);
    if (typeof found === "string") throw new Error(`no message ${messageId} in ${mailbox.email}`);
    return found.key;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return Simulator.start(options);
}
