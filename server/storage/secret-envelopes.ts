import { IsNull, Not, type EntityManager } from "typeorm";
import { IntegrationRow } from "./entities/index.js";
import { sealedClientStates } from "./graph-subscription-store.js";

/**
 * Every sealed secret: integrations' credentials and change-notification client states, each with
 * the id its envelope is bound to.
 */
export async function sealedEnvelopes(
  m: EntityManager,
): Promise<{ id: string; secretEnvelope: string }[]> {
  const rows = await m.find(IntegrationRow, {
    select: { id: true, secretEnvelope: true },
    where: { secretEnvelope: Not(IsNull()) },
    order: { id: "ASC" },
  });
  const clientStates = await sealedClientStates(m);
  return [
    ...(rows as { id: string; secretEnvelope: string }[]),
    ...clientStates.map((r) => ({ id: r.id, secretEnvelope: r.clientStateEnvelope })),
  ];
}
