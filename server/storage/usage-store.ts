import type { EntityManager } from "typeorm";
import { ProjectRow, UsageDayRow } from "./entities/index.js";

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

/** Who a charge is for in the usage ledger: the integration and mailbox that synced the mail. */
export interface UsageSource {
  integrationId: string;
  mailbox: string;
}

/** Adds `units` (for as many new messages) to the ledger's row of `day`, in the caller's transaction. */
export async function chargeUsageDay(
  m: EntityManager,
  projectId: string,
  source: UsageSource | null,
  day: string,
  units: number,
): Promise<void> {
  if (units <= 0) return;
  const p = (n: number) => (m.connection.options.type === "postgres" ? `$${n}` : "?");
  await m.query(
    `INSERT INTO "usage_day" ("project_id", "day", "integration_id", "mailbox", "units", "messages")
     VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})
     ON CONFLICT ("project_id", "day", "integration_id", "mailbox") DO UPDATE SET
       "units" = "usage_day"."units" + excluded."units",
       "messages" = "usage_day"."messages" + excluded."messages"`,
    [projectId, day, source?.integrationId ?? "", source?.mailbox ?? "", units, units],
  );
}

export interface UsageDayView {
  day: string;
  integrationId: string | null;
  integrationName: string | null;
  mailbox: string | null;
  units: number;
  messages: number;
}

/** The ledger rows of days [fromDay, toDay], oldest first, with the integration's name if it still exists. */
export async function usageDays(
  m: EntityManager,
  projectId: string,
  fromDay: string,
  toDay: string,
): Promise<UsageDayView[]> {
  const rows = await m
    .createQueryBuilder(UsageDayRow, "u")
    .leftJoin("integration", "i", "i.id = u.integration_id")
    .select("u.day", "day")
    .addSelect("u.integration_id", "integrationId")
    .addSelect("i.name", "integrationName")
    .addSelect("u.mailbox", "mailbox")
    .addSelect("u.units", "units")
    .addSelect("u.messages", "messages")
    .where("u.project_id = :projectId", { projectId })
    .andWhere("u.day >= :fromDay AND u.day <= :toDay", { fromDay, toDay })
    .orderBy("u.day", "ASC")
    .addOrderBy("u.integration_id", "ASC")
    .addOrderBy("u.mailbox", "ASC")
    .getRawMany<Record<string, unknown>>();
  return rows.map((r) => ({
    day: String(r.day),
    integrationId: r.integrationId ? String(r.integrationId) : null,
    integrationName: r.integrationName ? String(r.integrationName) : null,
    mailbox: r.mailbox ? String(r.mailbox) : null,
    units: Number(r.units),
    messages: Number(r.messages),
  }));
}
