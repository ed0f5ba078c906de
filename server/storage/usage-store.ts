import type { EntityManager } from "typeorm";
import { ProjectRow } from "./entities/index.js";

/** A project's name, budget and units charged so far (server/domain/unit-budget.ts). */
export async function projectBudget(
  m: EntityManager,
  projectId: string,
): Promise<{ name: string; unitBudget: number | null; unitsCharged: number }> {
  const row = await m.findOneOrFail(ProjectRow, {
    where: { id: projectId },
    select: { name: true, unitBudget: true, unitsCharged: true },
  });
  return { name: row.name, unitBudget: row.unitBudget, unitsCharged: Number(row.unitsCharged) };
}
