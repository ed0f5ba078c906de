import { IsNull, Not, type EntityManager } from "typeorm";
import { IntegrationRow } from "./entities/index.js";

/** Every integration that holds a sealed secret: its id (the envelope's binding) and envelope. */
export async function sealedEnvelopes(
  m: EntityManager,
): Promise<{ id: string; secretEnvelope: string }[]> {
  const rows = await m.find(IntegrationRow, {
    select: { id: true, secretEnvelope: true },
    where: { secretEnvelope: Not(IsNull()) },
    order: { id: "ASC" },
  });
  return rows as { id: string; secretEnvelope: string }[];
}
