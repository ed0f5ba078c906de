import { IsNull, Not, type EntityManager } from "typeorm";
import { IntegrationRow } from "./entities/index.js";

/** Every integration that holds a sealed secret: its id (the envelope's binding) and envelope. */
export async function sealedEnvelopes(
  m: EntityManager,
  options: { lock?: boolean } = {},
): Promise<{ id: string; secretEnvelope: string }[]> {
  // With `lock` (PostgreSQL; SQLite has one writer at a time): every integration row is locked,
  // so a server saving new credentials meanwhile waits rather than have them overwritten.
  const lock = options.lock === true && m.connection.options.type === "postgres";
  const rows = await m.find(IntegrationRow, {
    select: { id: true, secretEnvelope: true },
    ...(lock
      ? { lock: { mode: "pessimistic_write" as const } }
      : { where: { secretEnvelope: Not(IsNull()) } }),
    order: { id: "ASC" },
  });
  return rows.filter((row): row is IntegrationRow & { secretEnvelope: string } =>
    Boolean(row.secretEnvelope),
  );
}

/** Replaces one integration's sealed secret. */
export async function replaceEnvelope(
  m: EntityManager,
  id: string,
  secretEnvelope: string,
): Promise<void> {
  await m.update(IntegrationRow, { id }, { secretEnvelope });
}
