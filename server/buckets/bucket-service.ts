import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import type { PermissionName } from "../auth/permissions.js";
import { type Viewer, found, requirePermission, visible } from "../auth/viewer.js";
import { conflict } from "../domain/errors.js";
import { validateApiName } from "../domain/names.js";
import { limitText } from "../domain/input-limits.js";
import { BucketRow, MailboxRow, MessageRow, StreamBucketRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import { ProjectService } from "../projects/project-service.js";
import { audited } from "../audit/audit-trail.js";

export interface NewBucket {
  project: string;
  name: string;
  title?: string | null;
}

export class BucketService {
  constructor(private readonly deps: Deps) {}

  /** The bucket by id with `permission` on its project, else NOT_FOUND / FORBIDDEN per the access rule. */
  static async require(
    m: EntityManager,
    viewer: Viewer,
    id: string,
    permission: PermissionName,
  ): Promise<BucketRow> {
    const row = await m.findOneBy(BucketRow, { id });
    const what = `Bucket '${id}'`;
    return found(visible(viewer, row, row?.projectId, permission, what), what);
  }

  async list(viewer: Viewer, projectId: string): Promise<BucketRow[]> {
    requirePermission(viewer, projectId, "buckets-read", "The project");
    return this.deps.db.read((m) =>
      m.find(BucketRow, { where: { projectId }, order: { name: "ASC" } }),
    );
  }

  async findByName(viewer: Viewer, projectId: string, name: string): Promise<BucketRow | null> {
    requirePermission(viewer, projectId, "buckets-read", "The project");
    return this.deps.db.read((m) => m.findOneBy(BucketRow, { projectId, name }));
  }

  async findById(
    viewer: Viewer,
    id: string,
    permission: PermissionName = "buckets-read",
  ): Promise<BucketRow> {
    return this.deps.db.read((m) => BucketService.require(m, viewer, id, permission));
  }

  /** The bucket by id, or null when it does not exist or lives in a project the viewer cannot see. */
  async findVisibleById(viewer: Viewer, id: string): Promise<BucketRow | null> {
    const row = await this.deps.db.read((m) => m.findOneBy(BucketRow, { id }));
    return visible(viewer, row, row?.projectId, "buckets-read", `Bucket '${id}'`);
  }

  async messageCount(bucketId: string): Promise<number> {
    return this.deps.db.read((m) => m.countBy(MessageRow, { bucketId }));
  }

  create(viewer: Viewer, input: NewBucket, field = "input"): Promise<BucketRow> {
    const target = { type: "Bucket", name: input.name, projectName: input.project };
    return audited(this.deps, viewer, "createBucket", target, (trail) =>
      trail.transaction(async (m) => {
        const row = await BucketService.createIn(m, viewer, input, field, this.deps.now());
        trail.about({ id: row.id, projectId: row.projectId });
        return row;
      }),
    );
  }

  /** Creates a bucket inside a caller's transaction (used when a mailbox asks for a new bucket). */
  static async createIn(
    m: EntityManager,
    viewer: Viewer,
    input: NewBucket,
    field: string,
    now: Date,
  ): Promise<BucketRow> {
    validateApiName(`${field}.project`, input.project);
    validateApiName(`${field}.name`, input.name);
    limitText(`${field}.title`, input.title);
    const project = await ProjectService.requireVisible(m, viewer, input.project);
    requirePermission(viewer, project.id, "buckets-write", `Project '${input.project}'`);
    if (await m.existsBy(BucketRow, { projectId: project.id, name: input.name })) {
      throw conflict(
        `Project '${project.name}' already has a bucket named '${input.name}'; choose another name or use it as an existing bucket.`,
      );
    }
    return m.save(
      m.create(BucketRow, {
        id: newId(),
        projectId: project.id,
        name: input.name,
        title: input.title ?? input.name,
        createdAt: now,
      }),
    );
  }

  /** Deletes a bucket and its messages; refused while a mailbox syncs into it or a stream reads it. */
  delete(viewer: Viewer, id: string): Promise<boolean> {
    return audited(this.deps, viewer, "deleteBucket", { type: "Bucket", id }, (trail) =>
      trail.transaction(async (m) => {
        const bucket = await BucketService.require(m, viewer, id, "buckets-write");
        trail.about({ name: bucket.name, projectId: bucket.projectId });
        const mailboxes = await m.countBy(MailboxRow, { bucketId: id });
        if (mailboxes > 0) {
          throw conflict(
            `Bucket '${bucket.name}' is the target of ${mailboxes} mailbox(es); remove them or point them elsewhere first.`,
          );
        }
        const streams = await m.countBy(StreamBucketRow, { bucketId: id });
        if (streams > 0) {
          throw conflict(
            `Bucket '${bucket.name}' is read by ${streams} stream(s); delete those streams first.`,
          );
        }
        await m.delete(BucketRow, { id });
        return true;
      }),
    );
  }
}
