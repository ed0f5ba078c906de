import type { Deps } from "../app/deps.js";
import { type Viewer, canSeeProject, requireAdmin } from "../auth/viewer.js";
import { budgetUsedUp } from "../domain/unit-budget.js";
import { usageRange } from "../domain/usage-range.js";
import { type UsageDayView, usageDays } from "../storage/usage-store.js";
import { badInput, conflict, notFound } from "../domain/errors.js";
import { validateApiName } from "../domain/names.js";
import { limitText } from "../domain/input-limits.js";
import type { ProjectRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import { resumeAfterQuota } from "../domain/integration-state.js";
import { changeDisabledIntegrations } from "../storage/integration-store.js";
import {
  allProjects,
  deleteProjectRows,
  insertProject,
  projectById,
  projectByName,
  projectNameTaken,
  requireVisibleProject,
  updateProjectColumns,
} from "../storage/project-store.js";
import { audited } from "../audit/audit-trail.js";

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
    const rows = await this.deps.db.read(allProjects);
    return rows.filter((row) => canSeeProject(viewer, row.id));
  }

  /** The project by API name, or null when it does not exist or the viewer cannot see it. */
  async findByName(viewer: Viewer, name: string): Promise<ProjectRow | null> {
    const row = await this.deps.db.read((m) => projectByName(m, name));
    return row && canSeeProject(viewer, row.id) ? row : null;
  }

  async findById(viewer: Viewer, id: string): Promise<ProjectRow | null> {
    const row = await this.deps.db.read((m) => projectById(m, id));
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

  create(viewer: Viewer, input: CreateProject): Promise<ProjectRow> {
    const target = { type: "Project", name: input.name, projectName: input.name };
    return audited(this.deps, viewer, "createProject", target, async (trail) => {
      trail.note({ unitBudget: input.unitBudget ?? undefined });
      requireAdmin(viewer, "create projects");
      validateApiName("input.name", input.name);
      limitText("input.title", input.title);
      limitText("input.description", input.description);
      validateBudget(input.unitBudget, "input.unitBudget");
      return trail.transaction(async (m) => {
        if (await projectNameTaken(m, input.name)) {
          throw conflict(`A project named '${input.name}' already exists; choose another name.`);
        }
        const now = this.deps.now();
        const row: ProjectRow = {
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
        };
        trail.about({ id: row.id, projectId: row.id });
        return insertProject(m, row);
      });
    });
  }

  update(viewer: Viewer, name: string, input: UpdateProject): Promise<ProjectRow> {
    const target = { type: "Project", name, projectName: name };
    return audited(this.deps, viewer, "updateProject", target, async (trail) => {
      trail.note({
        title: input.title ?? undefined,
        descriptionChanged: input.description != null || undefined,
        unitBudget: input.unitBudget,
      });
      limitText("input.title", input.title);
      limitText("input.description", input.description);
      validateBudget(input.unitBudget, "input.unitBudget");
      return trail.transaction(async (m) => {
        const row = await requireVisibleProject(m, viewer, name);
        trail.about({ id: row.id, projectId: row.id });
        requireAdmin(viewer, "change a project");
        // Only the changed columns: the sync engine updates usage and sequence columns concurrently.
        const change: Partial<ProjectRow> = { updatedAt: this.deps.now() };
        if (input.title !== undefined && input.title !== null) change.title = input.title;
        if (input.description !== undefined && input.description !== null)
          change.description = input.description;
        if (input.unitBudget !== undefined) change.unitBudget = input.unitBudget;
        const saved = await updateProjectColumns(m, row.id, change);
        // A budget with room again resumes the integrations it paused.
        if (!budgetUsedUp(saved)) {
          const resumed = resumeAfterQuota({
            enabled: false,
            disabledReason: "QUOTA",
            lastError: null,
          });
          await changeDisabledIntegrations(m, saved.id, "QUOTA", resumed, this.deps.now());
        }
        return saved;
      });
    });
  }

  delete(viewer: Viewer, name: string): Promise<boolean> {
    const target = { type: "Project", name, projectName: name };
    return audited(this.deps, viewer, "deleteProject", target, async (trail) => {
      const row = await trail.transaction(async (m) => {
        const row = await requireVisibleProject(m, viewer, name);
        trail.about({ id: row.id, projectId: row.id });
        requireAdmin(viewer, "delete a project");
        // Integrations (and with them mailboxes) go too.
        await deleteProjectRows(m, row.id);
        return row;
      });
      // After the commit: the project's subscriptions end (no event of it will ever come again).
      this.deps.events.publish("accessRevoked", {
        kind: "PROJECT_DELETED",
        projectId: row.id,
        projectName: row.name,
      });
      return true;
    });
  }
}
