import type { Deps } from "../app/deps.js";
import { type Viewer, requirePermission, visible } from "../auth/viewer.js";
import { badInput, conflict, forbidden, notFound } from "../domain/errors.js";
import { fieldPath } from "../domain/field-path.js";
import { validateApiName } from "../domain/names.js";
import { INPUT_LIMITS, limitCount, limitList, limitText } from "../domain/input-limits.js";
import { validateConnection, type ConnectionInput } from "../domain/connection-rules.js";
import { SECRET_NAMES, requireSecretsForNewHosts } from "../domain/secret-destination.js";
import { validateMailboxInputs, type MailboxInputValues } from "../domain/mailbox-rules.js";
import { validateEmailAddress } from "../domain/email-address.js";
import {
  applyCredentialCheck,
  enableRefusal,
  initialState,
  setEnabledByUser,
  type IntegrationEventKind,
} from "../domain/integration-state.js";
import type { IntegrationRow, ProjectRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import {
  deleteIntegrationRow,
  insertIntegration,
  integrationById,
  integrationByName,
  integrationNameTaken,
  projectIntegrations,
  requireIntegration,
  saveIntegration,
} from "../storage/integration-store.js";
import { integrationMailboxes } from "../storage/mailbox-store.js";
import { projectById, projectByIdOrFail, requireVisibleProject } from "../storage/project-store.js";
import { forgetRemoteState, mailboxIdsOfIntegration } from "../storage/sync-store.js";
import { projectBudget } from "../storage/usage-store.js";
import {
  nextSecretExpiry,
  secretExpiryWarning,
  validateSecretExpiry,
} from "../domain/secret-expiry.js";
import { openSecrets, resolveConnection, sealSecrets } from "./connection-secrets.js";
import type {
  CredentialChecker,
  CredentialCheckResult,
  ResolvedConnection,
} from "./credential-checker.js";
import { createMailboxIn } from "./mailbox-service.js";
import type { SyncControl } from "../sync/sync-control.js";
import { type AuditTrail, audited } from "../audit/audit-trail.js";

export interface CreateIntegration {
  project: string;
  name: string;
  title?: string | null;
  connection: ConnectionInput;
  mailboxes?: MailboxInputValues[] | null;
  enabled?: boolean | null;
}

export class IntegrationService {
  constructor(
    private readonly deps: Deps,
    private readonly checker: CredentialChecker,
    private readonly sync: SyncControl,
  ) {}

  /** The integration by id with `permission` on its project, else NOT_FOUND / FORBIDDEN. */
  async findById(viewer: Viewer, id: string): Promise<IntegrationRow | null> {
    const row = await this.deps.db.read((m) => integrationById(m, id));
    return visible(viewer, row, row?.projectId, "integrations-read", `Integration '${id}'`);
  }

  async list(viewer: Viewer, projectId: string): Promise<IntegrationRow[]> {
    requirePermission(viewer, projectId, "integrations-read", "The project");
    return this.deps.db.read((m) => projectIntegrations(m, projectId));
  }

  async findByName(
    viewer: Viewer,
    projectId: string,
    name: string,
  ): Promise<IntegrationRow | null> {
    requirePermission(viewer, projectId, "integrations-read", "The project");
    return this.deps.db.read((m) => integrationByName(m, projectId, name));
  }

  /**
   * Creates the integration with its mailboxes in one transaction, then validates its credentials
   * at once: credentials that get no token leave it created but disabled with SYNC_ERROR.
   */
  create(viewer: Viewer, input: CreateIntegration): Promise<IntegrationRow> {
    const target = { type: "Integration", name: input.name, projectName: input.project };
    return audited(this.deps, viewer, "createIntegration", target, async (trail) => {
      trail.note({
        ...connectionSummary(input.connection),
        mailboxes: input.mailboxes?.length ?? 0,
        enabled: input.enabled ?? true,
      });
      validateApiName("input.name", input.name);
      limitText("input.title", input.title);
      limitCount("input.mailboxes", input.mailboxes?.length ?? 0, INPUT_LIMITS.maxMailboxesPerCall);
      const { connection, secrets, warnings } = validateConnection(
        input.connection,
        "input.connection",
      );
      const mailboxes = validateMailboxInputs(input.mailboxes ?? [], "input.mailboxes");
      const secretExpiresAt = validateSecretExpiry(
        input.connection.secretExpiresAt,
        "input.connection.secretExpiresAt",
      );
      await this.requireReachable(connection, "input.connection");
      const now = this.deps.now();
      const created = await trail.transaction(async (m) => {
        const project = await requireVisibleProject(m, viewer, input.project);
        requirePermission(viewer, project.id, "integrations-write", `Project '${input.project}'`);
        if (await integrationNameTaken(m, project.id, input.name)) {
          throw conflict(
            `Project '${project.name}' already has an integration named '${input.name}'.`,
          );
        }
        const id = newId();
        trail.about({ id, projectId: project.id });
        const enabled = input.enabled ?? true;
        const row = await insertIntegration(m, {
          id,
          projectId: project.id,
          name: input.name,
          title: input.title ?? input.name,
          ...connection,
          secretEnvelope: sealSecrets(this.deps.secrets, id, secrets),
          ...initialState(enabled),
          credentialStatus: "UNVALIDATED",
          credentialCheckedAt: null,
          credentialError: null,
          credentialMailboxes: [],
          warnings,
          secretExpiresAt: secretExpiresAt ?? null,
          createdAt: now,
          updatedAt: now,
        });
        for (const [i, mb] of mailboxes.entries()) {
          await createMailboxIn(m, viewer, row, project, mb, `input.mailboxes.${i}`, now);
        }
        return { row, project };
      });
      this.publish(created.row, created.project, "CREATED");
      return this.validateStored(created.row, created.project, trail);
    });
  }

  update(viewer: Viewer, id: string, input: { title?: string | null }): Promise<IntegrationRow> {
    return audited(
      this.deps,
      viewer,
      "updateIntegration",
      { type: "Integration", id },
      async (trail) => {
        trail.note({ title: input.title ?? undefined });
        limitText("input.title", input.title);
        const result = await trail.transaction(async (m) => {
          const row = await requireIntegration(m, viewer, id, "integrations-write");
          trail.about({ name: row.name, projectId: row.projectId });
          if (input.title !== undefined && input.title !== null) row.title = input.title;
          row.updatedAt = this.deps.now();
          return saveIntegration(m, row);
        });
        await this.publishById(result, "UPDATED");
        return result;
      },
    );
  }

  /**
   * New credentials are saved only when a token was acquired with them; otherwise the answer is
   * BAD_USER_INPUT with the identity platform's error and the stored connection is untouched.
   * Changing `api` migrates the integration (DOMAIN.md, Migration from EWS to Graph): mailboxes,
   * filters, buckets, messages and usage stay; the old API's checkpoints go, so every mailbox is
   * enumerated again through the new API and its messages matched by Message-ID.
   * A secret left out keeps the stored one when the method still needs it, unless the change
   * moves the sign-in, Graph or EWS host (then the secret must be sent again).
   */
  updateConnection(viewer: Viewer, id: string, input: ConnectionInput): Promise<IntegrationRow> {
    const target = { type: "Integration", id };
    return audited(this.deps, viewer, "updateIntegrationConnection", target, async (trail) => {
      trail.note(connectionSummary(input));
      const existing = await this.deps.db.read((m) =>
        requireIntegration(m, viewer, id, "integrations-write"),
      );
      trail.about({ name: existing.name, projectId: existing.projectId });
      const stored = openSecrets(this.deps.secrets, existing);
      const withStored: ConnectionInput = {
        ...input,
        clientSecret:
          input.clientSecret ??
          (input.authMethod === existing.authMethod ? stored.clientSecret : undefined),
        privateKey:
          input.privateKey ??
          (input.authMethod === existing.authMethod ? stored.privateKey : undefined),
        servicePassword:
          input.servicePassword ??
          (input.access === existing.access ? stored.servicePassword : undefined),
      };
      const { connection, secrets, warnings } = validateConnection(withStored, "connection");
      const givenExpiry = validateSecretExpiry(input.secretExpiresAt, "connection.secretExpiresAt");
      const reused = SECRET_NAMES.filter((k) => input[k] == null && secrets[k] !== undefined);
      requireSecretsForNewHosts(existing, connection, reused, "connection");
      await this.requireReachable(connection, "connection");
      const emails = await this.mailboxEmails(existing.id);
      const check = await this.runCheck({ ...connection, ...secrets }, emails);
      if (check.status !== "VALID") {
        throw badInput(
          "connection",
          `No token could be acquired with these credentials, so they were not saved: ${check.error ?? "unknown error"}`,
        );
      }
      // A migration (EWS ⇄ GRAPH): no round of the old API may run on, nor start, past the save.
      const migrating = connection.api !== existing.api;
      if (migrating) {
        trail.note({ migratedFrom: existing.api });
        await this.sync.abortIntegration(id);
      }
      const saved = await trail.transaction(async (m) => {
        const row = await requireIntegration(m, viewer, id, "integrations-write");
        if (migrating) await forgetRemoteState(m, id);
        Object.assign(row, connection);
        row.secretEnvelope = sealSecrets(this.deps.secrets, row.id, secrets);
        row.warnings = warnings;
        row.secretExpiresAt = nextSecretExpiry(
          givenExpiry,
          input.clientSecret != null || input.privateKey != null,
          row.secretExpiresAt,
        );
        this.applyCheck(row, check);
        row.updatedAt = this.deps.now();
        return saveIntegration(m, row);
      });
      if (migrating) {
        // A round the scheduler started meanwhile still held the old connection: stop it too.
        await this.sync.abortIntegration(id);
        // Then enumerate through the new API at once: the next due time was set for the old one
        // (15 minutes ahead for a mailbox whose change notifications were active).
        const mailboxIds = await this.deps.db.read((m) => mailboxIdsOfIntegration(m, id));
        for (const mailboxId of mailboxIds) await this.sync.request(mailboxId);
      }
      await this.publishById(saved, "CONNECTION_UPDATED");
      return saved;
    });
  }

  /** Checks a connection without saving anything (the wizard's "Validate" before create). */
  validateAdHoc(
    viewer: Viewer,
    input: ConnectionInput,
    mailboxes: string[],
  ): Promise<CredentialCheckResult & { checkedAt: Date }> {
    return audited(this.deps, viewer, "validateCredentials", {}, async (trail) => {
      trail.note({ ...connectionSummary(input), mailboxes: mailboxes.length });
      const writable =
        viewer.admin || [...viewer.grants.values()].some((p) => p.has("integrations-write"));
      if (!writable)
        throw forbidden(
          "Validating credentials needs the 'integrations-write' permission on some project.",
        );
      const { connection, secrets } = validateConnection(input, "connection");
      limitList("mailboxes", mailboxes, INPUT_LIMITS.maxMailboxesPerCall);
      // Same address rule as a mailbox: anything else would be sent to Graph as a user name.
      const addresses = mailboxes.map((email, i) => validateEmailAddress(`mailboxes.${i}`, email));
      await this.requireReachable(connection, "connection");
      const result = await this.runCheck({ ...connection, ...secrets }, addresses);
      const check = { ...result, checkedAt: this.deps.now() };
      trail.note({ status: check.status });
      // Nothing is saved: the transaction holds only the entry.
      return trail.transaction(() => Promise.resolve(check));
    });
  }

  validateById(viewer: Viewer, id: string): Promise<IntegrationRow> {
    const target = { type: "Integration", id };
    return audited(this.deps, viewer, "validateIntegrationCredentials", target, async (trail) => {
      const row = await this.deps.db.read((m) =>
        requireIntegration(m, viewer, id, "integrations-write"),
      );
      trail.about({ name: row.name, projectId: row.projectId });
      const project = await this.deps.db.read((m) => projectByIdOrFail(m, row.projectId));
      return this.validateStored(row, project, trail);
    });
  }

  /**
   * The toggle. Switching on an integration whose credentials get no token is refused: only
   * integrations with VALID credentials sync, so it would look enabled, with its reason and error
   * cleared, yet never sync. Fixing the connection (or re-checking it) re-enables it instead.
   */
  setEnabled(viewer: Viewer, id: string, enabled: boolean): Promise<IntegrationRow> {
    const target = { type: "Integration", id };
    return audited(this.deps, viewer, "setIntegrationEnabled", target, async (trail) => {
      trail.note({ enabled });
      const row = await trail.transaction(async (m) => {
        const row = await requireIntegration(m, viewer, id, "integrations-write");
        trail.about({ name: row.name, projectId: row.projectId });
        if (enabled) {
          const project = await projectBudget(m, row.projectId);
          const refusal = enableRefusal(row, project);
          if (refusal === "CREDENTIALS") {
            throw conflict(
              `Integration '${row.name}' cannot be switched on while its credentials are refused (${row.credentialError ?? row.lastError ?? "no token"}): only integrations with valid credentials sync. Save working credentials with updateIntegrationConnection, or re-check them with validateIntegrationCredentials once fixed in Azure.`,
            );
          }
          if (refusal === "QUOTA") {
            throw conflict(
              `Integration '${row.name}' cannot be switched on: project '${project.name}' has used its whole unit budget (${project.unitsCharged} of ${project.unitBudget} units), so it would pause again at once. Raise the budget on the Usage page (or remove it); integrations paused by the budget then resume by themselves.`,
              "QUOTA",
            );
          }
        }
        Object.assign(row, setEnabledByUser(row, enabled));
        row.updatedAt = this.deps.now();
        return saveIntegration(m, row);
      });
      if (!enabled) await this.sync.abortIntegration(id);
      await this.publishById(row, enabled ? "ENABLED" : "DISABLED");
      return row;
    });
  }

  /** The recorded secret expiry's warning (within 30 days, or past), or null. */
  secretExpiryWarning(row: IntegrationRow): string | null {
    return secretExpiryWarning(row.secretExpiresAt, this.deps.now());
  }

  /** Removes the configuration and secrets; buckets and their messages stay. */
  delete(viewer: Viewer, id: string): Promise<boolean> {
    return audited(
      this.deps,
      viewer,
      "deleteIntegration",
      { type: "Integration", id },
      async (trail) => {
        await this.deps.db.read((m) => requireIntegration(m, viewer, id, "integrations-write"));
        await this.sync.abortIntegration(id);
        const row = await trail.transaction(async (m) => {
          const row = await requireIntegration(m, viewer, id, "integrations-write");
          trail.about({ name: row.name, projectId: row.projectId });
          await deleteIntegrationRow(m, id);
          return row;
        });
        await this.publishById(row, "DELETED");
        return true;
      },
    );
  }

  /** The connection with its secrets opened, for the sync engine and validation. */
  resolveConnection(row: IntegrationRow): ResolvedConnection {
    return resolveConnection(this.deps.secrets, row);
  }

  private async validateStored(
    row: IntegrationRow,
    project: ProjectRow,
    trail: AuditTrail,
  ): Promise<IntegrationRow> {
    const check = await this.runCheck(
      this.resolveConnection(row),
      await this.mailboxEmails(row.id),
    );
    trail.note({ status: check.status });
    // Audited here when this check is the mutation (validateIntegrationCredentials); after
    // createIntegration, whose entry already committed, it is a plain transaction.
    const saved = await trail.transaction(async (m) => {
      const current = await integrationById(m, row.id);
      if (!current) throw notFound(`Integration '${row.id}' was not found.`);
      this.applyCheck(current, check);
      current.updatedAt = this.deps.now();
      return saveIntegration(m, current);
    });
    this.publish(saved, project, "CREDENTIALS_CHECKED");
    return saved;
  }

  /** Credentials that get no token disable the integration (SYNC_ERROR); a fixed one resumes. */
  private applyCheck(row: IntegrationRow, check: CredentialCheckResult): void {
    Object.assign(row, applyCredentialCheck(row, check, this.deps.now()));
  }

  /**
   * Rule "integrations reach public addresses only" (MAILSTREAM_ALLOWED_HOSTS), checked before
   * anything is saved or sent: BAD_USER_INPUT naming the field, the host and the setting. The
   * connection itself is checked again on every address it connects to (server/exchange).
   */
  private async requireReachable(
    connection: Pick<ResolvedConnection, "api" | "authorityUrl" | "graphEndpoint" | "ewsUrl">,
    fieldPrefix: string,
  ): Promise<void> {
    const refusal = await this.checker.refusedDestination(connection);
    if (refusal) throw badInput(fieldPath(fieldPrefix, refusal.field), refusal.message);
  }

  private async runCheck(
    connection: ResolvedConnection,
    mailboxes: string[],
  ): Promise<CredentialCheckResult> {
    const result = await this.checker.check(connection, mailboxes);
    this.deps.log.info(
      { clientId: connection.clientId, status: result.status, mailboxes: result.mailboxes.length },
      "credentials checked",
    );
    return result;
  }

  private async mailboxEmails(integrationId: string): Promise<string[]> {
    const rows = await this.deps.db.read((m) => integrationMailboxes(m, integrationId));
    return rows.map((r) => r.email);
  }

  private async publishById(row: IntegrationRow, kind: IntegrationEventKind): Promise<void> {
    const project = await this.deps.db.read((m) => projectById(m, row.projectId));
    if (project) this.publish(row, project, kind);
  }

  private publish(row: IntegrationRow, project: ProjectRow, kind: IntegrationEventKind): void {
    this.deps.events.publish("integrationEvents", {
      kind,
      integrationId: row.id,
      projectId: project.id,
      projectName: project.name,
      at: this.deps.now(),
    });
  }
}

/** What the audit log says of a connection: its kind and public identifiers, never a secret. */
function connectionSummary(input: ConnectionInput): Record<string, string | undefined> {
  return {
    api: input.api,
    authMethod: input.authMethod,
    access: input.access,
    clientId: input.clientId ?? undefined,
    authorityUrl: input.authorityUrl ?? undefined,
    serviceUsername: input.serviceUsername ?? undefined,
    secretExpiresAt:
      input.secretExpiresAt && !Number.isNaN(input.secretExpiresAt.getTime())
        ? input.secretExpiresAt.toISOString().slice(0, 10)
        : undefined,
  };
}
