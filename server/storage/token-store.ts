import type { EntityManager } from "typeorm";
import { ApiTokenGrantRow, ApiTokenRow, ProjectRow } from "./entities/index.js";
import { selectRow, selectRows } from "./plain-select.js";

// Every request reads its token and grants: plain SQL rather than the query builder.
export const tokenByHash = (m: EntityManager, tokenHash: string): Promise<ApiTokenRow | null> =>
  selectRow(m, ApiTokenRow, { tokenHash });

export const grantsOfToken = (m: EntityManager, tokenId: string): Promise<ApiTokenGrantRow[]> =>
  selectRows(m, ApiTokenGrantRow, { tokenId });

export async function touchToken(m: EntityManager, id: string, lastUsedAt: Date): Promise<void> {
  await m.update(ApiTokenRow, { id }, { lastUsedAt });
}

export const tokenById = (m: EntityManager, id: string): Promise<ApiTokenRow | null> =>
  m.findOneBy(ApiTokenRow, { id });

export const tokenByIdOrFail = (m: EntityManager, id: string): Promise<ApiTokenRow> =>
  m.findOneByOrFail(ApiTokenRow, { id });

export const anyToken = (m: EntityManager): Promise<boolean> => m.exists(ApiTokenRow);

/** Tokens oldest first: every one, or only `onlyId`. */
export const tokensByAge = (m: EntityManager, onlyId: string | null): Promise<ApiTokenRow[]> =>
  m.find(ApiTokenRow, {
    where: onlyId === null ? {} : { id: onlyId },
    order: { createdAt: "ASC" },
  });

export const insertToken = (m: EntityManager, row: ApiTokenRow): Promise<ApiTokenRow> =>
  m.save(m.create(ApiTokenRow, row));

export async function insertGrant(m: EntityManager, row: ApiTokenGrantRow): Promise<void> {
  await m.save(m.create(ApiTokenGrantRow, row));
}

export async function markTokenRevoked(
  m: EntityManager,
  row: ApiTokenRow,
  at: Date,
): Promise<void> {
  await m.update(ApiTokenRow, { id: row.id }, { revokedAt: at });
  row.revokedAt = at;
}

/** A token's grants with their projects' names, by project name. */
export async function namedGrantsOfToken(
  m: EntityManager,
  tokenId: string,
): Promise<{ projectName: string; permissions: string[] }[]> {
  const rows = await m
    .createQueryBuilder(ApiTokenGrantRow, "g")
    .innerJoin(ProjectRow, "p", "p.id = g.project_id")
    .select(["g.permissions AS permissions", "p.name AS name"])
    .where("g.token_id = :id", { id: tokenId })
    .orderBy("p.name")
    .getRawMany<{ permissions: string; name: string }>();
  return rows.map((g) => ({
    projectName: g.name,
    permissions: JSON.parse(g.permissions) as string[],
  }));
}
