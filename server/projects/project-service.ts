import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import { type Viewer, canSeeProject, requireAdmin } from "../auth/viewer.js";
import { budgetUsedUp } from "../domain/unit-budget.js";
import { usageRange } from "../domain/usage-range.js";
import { type UsageDayView, usageDays } from "../storage/usage-store.js";
import { badInput, conflict, notFound } from "../domain/errors.js";
import { validateApiName } from "../domain/names.js";
import { limitText } from "../domain/input-limits.js";
import { IntegrationRow, ProjectRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import { selectRow } from "../storage/plain-select.js";
import { type AuditTrail, audited } from "../audit/audit-trail.js";

export interface CreateProject {
  name: string;
  title?: string | null;
  description?: string | null;
  unitBudget?: number | null;
}

export interface UpdateProject {
  title?: string | null;
  description?: string | null;
  unitBudget?: number | null;
}

function validateBudget(value: number | null | undefined, field: string): void {
  if (value !== null && value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw badInput(
      field,
      "The unit budget must be a whole number of units, 0 or more (or empty for no budget).",
    );
  }
}

export class ProjectService {
  constructor(private readonly deps: Deps) {}

  async list(viewer: Viewer): Promise<ProjectRow[]> {
    const rows = await this.deps.db.read((m) => m.find(ProjectRow, { order: { name: "ASC" } }));
    return rows.filter((row) => canSeeProject(viewer, row.id));
  }

  /** The project by API name, or null when it does not exist or the viewer cannot see it. */
  async findByName(viewer: Viewer, name: string): Promise<ProjectRow | null> {
    const row = await this.deps.db.read((m) => m.findOneBy(ProjectRow, { name }));
    return row && canSeeProject(viewer, row.id) ? row : null;
  }

  async findById(viewer: Viewer, id: string): Promise<ProjectRow | null> {
    const row = await this.deps.db.read((m) => m.findOneBy(ProjectRow, { id }));
    return row && canSeeProject(viewer, row.id) ? row : null;
  }

  /** The usage ledger of a project the viewer can see, per UTC day, integration and mailbox. */
  usageByDay(
    viewer: Viewer,
    project: ProjectRow,
    from: Date | null,
    to: Date | null,
  ): Promise<UsageDayView[]> {
    if (!canSeeProject(viewer, project.id))
      throw notFound(`Project '${project.name}' was not found.`);
    const { fromDay, toDay } = usageRange(from, to, this.deps.now());
    return this.deps.db.read((m) => usageDays(m, project.id, fromDay, toDay));
  }

  /** As findByName, inside a transaction, answering NOT_FOUND (the access rule) when absent. */
  static async requireVisible(m: EntityManager, viewer: Viewer, name: string): Promise<ProjectRow> {
    const row = await selectRow(m, ProjectRow, { name });
    if (!row || !canSeeProject(viewer, row.id)) throw notFound(`Project '${name}' was not found.`);
    return row;
  }

  create(viewer: Viewer, input: CreateProject): Promise<ProjectRow> {
    const target = { type: "Project", name: input.name, projectName: input.name };
    return audited(this.deps, viewer, "createProject", target, (trail) => {
      trail.note({ unitBudget: input.unitBudget ?? undefined });
      return this.createAudited(viewer, input, trail);
    });
  }

  private async createAudited(
    viewer: Viewer,
    input: CreateProject,
    trail: AuditTrail,
  ): Promise<ProjectRow> {
    requireAdmin(viewer, "create projects");
    validateApiName("input.name", input.name);
    limitText("input.title", input.title);
    limitText("input.description", input.description);
    validateBudget(input.unitBudget, "input.unitBudget");
    return trail.transaction(async (m) => {
      if (await m.existsBy(ProjectRow, { name: input.name })) {
        throw conflict(`A project named '${input.name}' already exists; choose another name.`);
      }
      const now = this.deps.now();
      const row = m.create(ProjectRow, {
        id: newId(),
        name: input.name,
        title: input.title ?? input.name,
        description: input.description ?? "",
        unitBudget: input.unitBudget ?? null,
        messagesCreated: 0,
        unitsCharged: 0,
        lastSequence: "0",
        createdAt: now,
        updatedAt: now,
      });
      trail.about({ id: row.id, projectId: row.id });
      return m.save(row);
    });
  }

  update(viewer: Viewer, name: string, input: UpdateProject): Promise<ProjectRow> {
    const target = { type: "Project", name, projectName: name };
    return audited(this.deps, viewer, "updateProject", target, (trail) => {
      trail.note({
        title: input.title ?? undefined,
        descriptionChanged: input.description != null || undefined,
        unitBudget: input.unitBudget,
      });
      return this.updateAudited(viewer, name, input, trail);
    });
  }

  private async updateAudited(
    viewer: Viewer,
    name: string,
    input: UpdateProject,
    trail: AuditTrail,
  ): Promise<ProjectRow> {
    limitText("input.title", input.title);
    limitText("input.description", input.description);
    validateBudget(input.unitBudget, "input.unitBudget");
    return trail.transaction(async (m) => {
      const row = await ProjectService.requireVisible(m, viewer, name);
      trail.about({ id: row.id, projectId: row.id });
      requireAdmin(viewer, "change a project");
      // Only the changed columns: the sync engine updates usage and sequence columns concurrently.
      const change: Partial<ProjectRow> = { updatedAt: this.deps.now() };
      if (input.title !== undefined && input.title !== null) change.title = input.title;
      if (input.description !== undefined && input.description !== null)
        change.description = input.description;
      if (input.unitBudget !== undefined) change.unitBudget = input.unitBudget;
      await m.update(ProjectRow, { id: row.id }, change);
      const saved = await m.findOneByOrFail(ProjectRow, { id: row.id });
      // A budget with room again resumes the integrations it paused.
      if (!budgetUsedUp(saved)) {
        await m.update(
          IntegrationRow,
          { projectId: saved.id, disabledReason: "QUOTA" },
          { enabled: true, disabledReason: null, lastError: null, updatedAt: this.deps.now() },
        );
      }
      return saved;
    });
  }

  delete(viewer: Viewer, name: string): Promise<boolean> {
    const target = { type: "Project", name, projectName: name };
    return audited(this.deps, viewer, "deleteProject", target, (trail) =>
      this.deleteAudited(viewer, name, trail),
    );
  }

  private async deleteAudited(viewer: Viewer, name: string, trail: AuditTrail): Promise<boolean> {
    const row = await trail.transaction(async (m) => {
      const row = await ProjectService.requireVisible(m, viewer, name);
      trail.about({ id: row.id, projectId: row.id });
      requireAdmin(viewer, "delete a project");
      // Integrations (and with them mailboxes) first: a mailbox holds its bucket against deletion.
      await m.delete(IntegrationRow, { projectId: row.id });
      await m.delete(ProjectRow, { id: row.id });
      return row;
    });
    // After the commit: the project's subscriptions end (no event of it will ever come again).
    this.deps.events.publish("accessRevoked", {
      kind: "PROJECT_DELETED",
      projectId: row.id,
      projectName: row.name,
    });
    return true;
  }
}
