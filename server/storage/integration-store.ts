import type { EntityManager } from "typeorm";
import { type Viewer, found, visible } from "../auth/viewer.js";
import type { DisabledReason, EnabledState } from "../domain/integration-state.js";
import { IntegrationRow } from "./entities/index.js";

/**
 * Guarded lookup: the integration, if the viewer holds `permission` on its project; NOT_FOUND
 * when it does not exist or lives in a project the viewer cannot read, FORBIDDEN otherwise.
 */
export async function requireIntegration(
  m: EntityManager,
  viewer: Viewer,
  id: string,
  permission: "integrations-read" | "integrations-write",
): Promise<IntegrationRow> {
  const row = await m.findOneBy(IntegrationRow, { id });
  const what = `Integration '${id}'`;
  return found(visible(viewer, row, row?.projectId, permission, what), what);
}

/** Gives the project's integrations disabled for `reason` the state `next`. */
export async function changeDisabledIntegrations(
  m: EntityManager,
  projectId: string,
  reason: DisabledReason,
  next: EnabledState,
  now: Date,
): Promise<void> {
  await m.update(
    IntegrationRow,
    { projectId, disabledReason: reason },
    { ...next, updatedAt: now },
  );
}

export const integrationById = (m: EntityManager, id: string): Promise<IntegrationRow | null> =>
  m.findOneBy(IntegrationRow, { id });

export const integrationByName = (
  m: EntityManager,
  projectId: string,
  name: string,
): Promise<IntegrationRow | null> => m.findOneBy(IntegrationRow, { projectId, name });

/** A project's integrations by name. */
export const projectIntegrations = (
  m: EntityManager,
  projectId: string,
): Promise<IntegrationRow[]> =>
  m.find(IntegrationRow, { where: { projectId }, order: { name: "ASC" } });

export const integrationNameTaken = (
  m: EntityManager,
  projectId: string,
  name: string,
): Promise<boolean> => m.existsBy(IntegrationRow, { projectId, name });

export const insertIntegration = (m: EntityManager, row: IntegrationRow): Promise<IntegrationRow> =>
  m.save(m.create(IntegrationRow, row));

export const saveIntegration = (m: EntityManager, row: IntegrationRow): Promise<IntegrationRow> =>
  m.save(row);

/** Deletes the integration; its mailboxes and their checkpoints go with it (foreign keys cascade). */
export async function deleteIntegrationRow(m: EntityManager, id: string): Promise<void> {
  await m.delete(IntegrationRow, { id });
}
