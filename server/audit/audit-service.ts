import type { Deps } from "../app/deps.js";
import { type Viewer, requireAdmin } from "../auth/viewer.js";
import { validatePageArgs } from "../domain/page-args.js";
import { validateApiName } from "../domain/names.js";
import { listAuditEntries } from "../storage/audit-store.js";
import type { AuditLogRow } from "../storage/entities/index.js";

export const MAX_AUDIT_PAGE = 500;
const CURSOR = /^[1-9][0-9]{0,14}$/;

export interface AuditPage {
  rows: AuditLogRow[];
  hasNextPage: boolean;
}

/** Reading the audit log: admins only, newest first, by cursor. */
export class AuditService {
  constructor(private readonly deps: Deps) {}

  async list(
    viewer: Viewer,
    options: { project: string | null; first: number; after: string | null },
  ): Promise<AuditPage> {
    requireAdmin(viewer, "read the audit log");
    if (options.project !== null) validateApiName("project", options.project);
    const { first, after } = options;
    validatePageArgs(options, {
      max: MAX_AUDIT_PAGE,
      cursor: CURSOR,
      cursorHint: "an endCursor returned by auditLog",
    });
    const rows = await this.deps.db.read((m) =>
      listAuditEntries(m, {
        projectName: options.project,
        beforeSeq: after === null ? null : Number(after),
        first,
      }),
    );
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }
}
