import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import type { PermissionName } from "../auth/permissions.js";
import { type Viewer, requirePermission, visible } from "../auth/viewer.js";
import { conflict } from "../domain/errors.js";
import { validateApiName } from "../domain/names.js";
import { limitText } from "../domain/input-limits.js";
import type { BucketRow } from "../storage/entities/index.js";
import {
  bucketById,
  bucketByName,
  bucketMessageCount,
  bucketNameTaken,
  bucketUsers,
  deleteBucketRow,
  insertBucket,
  projectBuckets,
  requireBucket,
} from "../storage/bucket-store.js";
import { newId } from "../storage/ids.js";
import { requireVisibleProject } from "../storage/project-store.js";
import { audited } from "../audit/audit-trail.js";

export interface NewBucket {
  project: string;
  name: string;
  title?: string | null;
}

export class BucketService {
  constructor(private readonly deps: Deps) {}

  async list(viewer: Viewer, projectId: string): Promise<BucketRow[]> {
    requirePermission(viewer, projectId, "buckets-read", "The project");
    return this.deps.db.read((m) => projectBuckets(m, projectId));
  }

  async findByName(viewer: Viewer, projectId: string, name: string): Promise<BucketRow | null> {
    requirePermission(viewer, projectId, "buckets-read", "The project");
    return this.deps.db.read((m) => bucketByName(m, projectId, name));
  }

  async findById(
    viewer: Viewer,
    id: string,
    permission: PermissionName = "buckets-read",
  ): Promise<BucketRow> {
    return this.deps.db.read((m) => requireBucket(m, viewer, id, permission));
  }

  /** The bucket by id, or null when it does not exist or lives in a project the viewer cannot see. */
  async findVisibleById(viewer: Viewer, id: string): Promise<BucketRow | null> {
    const row = await this.deps.db.read((m) => bucketById(m, id));
    return visible(viewer, row, row?.projectId, "buckets-read", `Bucket '${id}'`);
  }

  async messageCount(bucketId: string): Promise<number> {
    return this.deps.db.read((m) => bucketMessageCount(m, bucketId));
  }

  create(viewer: Viewer, input: NewBucket, field = "input"): Promise<BucketRow> {
    const target = { type: "Bucket", name: input.name, projectName: input.project };
    return audited(this.deps, viewer, "createBucket", target, (trail) =>
      trail.transaction(async (m) => {
        const row = await createBucketIn(m, viewer, input, field, this.deps.now());
        trail.about({ id: row.id, projectId: row.projectId });
        return row;
      }),
    );
  }

  /** Deletes a bucket and its messages; refused while a mailbox syncs into it or a stream reads it. */
  delete(viewer: Viewer, id: string): Promise<boolean> {
    return audited(this.deps, viewer, "deleteBucket", { type: "Bucket", id }, (trail) =>
      trail.transaction(async (m) => {
        const bucket = await requireBucket(m, viewer, id, "buckets-write");
        trail.about({ name: bucket.name, projectId: bucket.projectId });
        const { mailboxes, streams } = await bucketUsers(m, id);
        if (mailboxes > 0) {
          throw conflict(
            `Bucket '${bucket.name}' is the target of ${mailboxes} mailbox(es); remove them or point them elsewhere first.`,
          );
        }
        if (streams > 0) {
          throw conflict(
            `Bucket '${bucket.name}' is read by ${streams} stream(s); delete those streams first.`,
          );
        }
        await deleteBucketRow(m, id);
        return true;
      }),
    );
  }
}

/** Creates a bucket inside a caller's transaction (used when a mailbox asks for a new bucket). */
export async function createBucketIn(
  m: EntityManager,
  viewer: Viewer,
  input: NewBucket,
  field: string,
  now: Date,
): Promise<BucketRow> {
  validateApiName(`${field}.project`, input.project);
  validateApiName(`${field}.name`, input.name);
  limitText(`${field}.title`, input.title);
  const project = await requireVisibleProject(m, viewer, input.project);
  requirePermission(viewer, project.id, "buckets-write", `Project '${input.project}'`);
  if (await bucketNameTaken(m, project.id, input.name)) {
    throw conflict(
      `Project '${project.name}' already has a bucket named '${input.name}'; choose another name or use it as an existing bucket.`,
    );
  }
  return insertBucket(m, {
    id: newId(),
    projectId: project.id,
    name: input.name,
    title: input.title ?? input.name,
    createdAt: now,
  });
}
