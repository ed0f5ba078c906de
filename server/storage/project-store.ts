import type { EntityManager } from "typeorm";
import { type Viewer, canSeeProject } from "../auth/viewer.js";
import { notFound } from "../domain/errors.js";
import { IntegrationRow, ProjectRow } from "./entities/index.js";
import { selectRow } from "./plain-select.js";

/** Every project, by name. */
export const allProjects = (m: EntityManager): Promise<ProjectRow[]> =>
  m.find(ProjectRow, { order: { name: "ASC" } });

export const projectByName = (m: EntityManager, name: string): Promise<ProjectRow | null> =>
  m.findOneBy(ProjectRow, { name });

export const projectById = (m: EntityManager, id: string): Promise<ProjectRow | null> =>
  m.findOneBy(ProjectRow, { id });

/** Guarded lookup by API name: NOT_FOUND (the access rule) when absent or not visible. */
export async function requireVisibleProject(
  m: EntityManager,
  viewer: Viewer,
  name: string,
): Promise<ProjectRow> {
  const row = await selectRow(m, ProjectRow, { name });
  if (!row || !canSeeProject(viewer, row.id)) throw notFound(`Project '${name}' was not found.`);
  return row;
}

export const projectNameTaken = (m: EntityManager, name: string): Promise<boolean> =>
  m.existsBy(ProjectRow, { name });

export const insertProject = (m: EntityManager, row: ProjectRow): Promise<ProjectRow> =>
  m.save(m.create(ProjectRow, row));

/**
 * Writes only the given columns (the sync engine updates the usage and sequence columns
 * concurrently) and answers the row as it is now.
 */
export async function updateProjectColumns(
  m: EntityManager,
  id: string,
  change: Partial<ProjectRow>,
): Promise<ProjectRow> {
  await m.update(ProjectRow, { id }, change);
  return m.findOneByOrFail(ProjectRow, { id });
}

/** Deletes the project: its integrations first (a mailbox holds its bucket against deletion). */
export async function deleteProjectRows(m: EntityManager, id: string): Promise<void> {
  await m.delete(IntegrationRow, { projectId: id });
  await m.delete(ProjectRow, { id });
}

export const projectByIdOrFail = (m: EntityManager, id: string): Promise<ProjectRow> =>
  m.findOneByOrFail(ProjectRow, { id });
