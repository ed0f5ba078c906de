import { IsNull, Not, type EntityManager } from "typeorm";
import { IntegrationRow } from "./entities/index.js";
import { sealedClientStates } from "./graph-subscription-store.js";

/**
 * Every integration's sealed credentials, with the id its envelope is bound to. With `lock`
 * (PostgreSQL; SQLite has one writer at a time): every integration row is locked, so a server
 * saving new credentials meanwhile waits rather than have them overwritten.
 */
export async function sealedIntegrationEnvelopes(
  m: EntityManager,
  options: { lock?: boolean } = {},
): Promise<{ id: string; secretEnvelope: string }[]> {
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

/**
 * Every sealed secret: integrations' credentials and change-notification client states, each with
 * the id its envelope is bound to.
 */
export async function sealedEnvelopes(
  m: EntityManager,
): Promise<{ id: string; secretEnvelope: string }[]> {
  const clientStates = await sealedClientStates(m);
  return [
    ...(await sealedIntegrationEnvelopes(m)),
    ...clientStates.map((r) => ({ id: r.id, secretEnvelope: r.clientStateEnvelope })),
  ];
}

/** Replaces one integration's sealed secret. */
export async function replaceEnvelope(
  m: EntityManager,
  id: string,
  secretEnvelope: string,
): Promise<void> {
  await m.update(IntegrationRow, { id }, { secretEnvelope });
}
