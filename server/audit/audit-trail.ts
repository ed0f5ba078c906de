import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import type { Viewer } from "../auth/viewer.js";
import { DomainError } from "../domain/errors.js";
import { appendAuditEntry, projectNameOf } from "../storage/audit-store.js";
import { type AuditDetails, auditSummary } from "./audit-summary.js";

export interface AuditTarget {
  type?: string | null;
  id?: string | null;
  name?: string | null;
  projectId?: string | null;
  projectName?: string | null;
}

/**
 * The audit entry of one mutation while it runs. The service says what it touched (`about`,
 * `note`) and runs its change through `transaction`, which writes the OK entry inside that same
 * transaction: the entry commits with the change or not at all. A mutation with several
 * transactions is logged by its first; a mutation that changes nothing (a check, a sync request)
 * still runs one, holding only its entry.
 */
export class AuditTrail {
  private readonly target: AuditTarget;
  private details: AuditDetails = {};
  /** Set once the OK entry committed: a failure after that is not a refusal. */
  committed = false;

  constructor(
    private readonly deps: Deps,
    private readonly viewer: Viewer,
    readonly action: string,
    target: AuditTarget,
  ) {
    this.target = { ...target };
  }

  about(target: AuditTarget): void {
    for (const [key, value] of Object.entries(target)) {
      if (value !== undefined) (this.target as Record<string, unknown>)[key] = value;
    }
  }

  note(details: AuditDetails): void {
    this.details = { ...this.details, ...details };
  }

  /** `deps.db.transaction`, with the OK entry written in it the first time. */
  async transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    if (this.committed) return this.deps.db.transaction(work);
    const result = await this.deps.db.transaction(async (m) => {
      const value = await work(m);
      await this.write(m, "OK");
      return value;
    });
    this.committed = true;
    return result;
  }

  /** The refusal's entry, in a transaction of its own (the mutation's rolled back). */
  async refused(error: unknown): Promise<void> {
    // ErrorCode's values are the GraphQL codes (BAD_USER_INPUT, FORBIDDEN, …).
    const outcome = error instanceof DomainError ? error.code : "INTERNAL_SERVER_ERROR";
    try {
      await this.deps.db.transaction((m) => this.write(m, outcome));
    } catch (failure) {
      this.deps.log.error({ err: failure, action: this.action }, "could not log a refusal");
    }
  }

  private async write(m: EntityManager, outcome: string): Promise<void> {
    const { type, id, name, projectId } = this.target;
    let projectName = this.target.projectName ?? null;
    if (!projectName && projectId) projectName = await projectNameOf(m, projectId);
    await appendAuditEntry(m, {
      at: this.deps.now(),
      tokenId: this.viewer.tokenId,
      tokenName: this.viewer.name,
      action: this.action,
      projectId: projectId ?? null,
      projectName,
      targetType: type ?? null,
      targetId: id?.slice(0, 256) ?? null,
      targetName: name?.slice(0, 512) ?? null,
      outcome,
      summary: auditSummary(this.details),
    });
  }
}

/**
 * Rule "every mutation is audited": runs a service's mutation with its trail. Success is logged
 * by `trail.transaction`, atomically with the change; a refusal (any error before that commit) is
 * logged afterwards with its error code, in its own transaction, and rethrown. Requests without a
 * valid token never reach a service, so they are not logged (there is no "who").
 */
export async function audited<T>(
  deps: Deps,
  viewer: Viewer,
  action: string,
  target: AuditTarget,
  run: (trail: AuditTrail) => Promise<T>,
): Promise<T> {
  const trail = new AuditTrail(deps, viewer, action, target);
  try {
    return await run(trail);
  } catch (error) {
    if (!trail.committed) await trail.refused(error);
    throw error;
  }
}
