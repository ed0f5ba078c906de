import type { EntityManager } from "typeorm";
import { AuditLogRow, ProjectRow } from "./entities/index.js";
import { selectRow } from "./plain-select.js";

export type NewAuditEntry = Omit<AuditLogRow, "seq">;

/** Appends one entry in `m`'s transaction (so it commits, or rolls back, with the change). */
export async function appendAuditEntry(m: EntityManager, entry: NewAuditEntry): Promise<void> {
  await m.insert(AuditLogRow, entry);
}

/** The name of a project by id, when it still exists (for entries that know only the id). */
export async function projectNameOf(m: EntityManager, projectId: string): Promise<string | null> {
  return (await selectRow(m, ProjectRow, { id: projectId }))?.name ?? null;
}

/**
 * A page of the log, newest first: entries before `beforeSeq` (a cursor), of one project by
 * name or of all; one row more than asked, so the caller knows whether more follow.
 */
export function listAuditEntries(
  m: EntityManager,
  options: { projectName: string | null; beforeSeq: number | null; first: number },
): Promise<AuditLogRow[]> {
  const query = m
    .createQueryBuilder(AuditLogRow, "a")
    .orderBy("a.seq", "DESC")
    .limit(options.first + 1);
  if (options.projectName !== null)
    query.andWhere("a.project_name = :project", { project: options.projectName });
  if (options.beforeSeq !== null) query.andWhere("a.seq < :before", { before: options.beforeSeq });
  return query.getMany();
}
