import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import { type Viewer, canSeeProject, hasPermission, requirePermission } from "../auth/viewer.js";
import { badInput, conflict, forbidden, notFound } from "../domain/errors.js";
import { validateApiName } from "../domain/names.js";
import { limitList, limitText } from "../domain/input-limits.js";
import { projectBucketsByIds } from "../storage/bucket-store.js";
import { projectByIdOrFail, requireVisibleProject } from "../storage/project-store.js";
import {
  deleteStreamRow,
  insertStream,
  projectStreams,
  saveStreamPosition,
  streamBucketIds,
  streamBuckets,
  streamByName,
  streamNameTaken,
} from "../storage/stream-store.js";
import { audited } from "../audit/audit-trail.js";
import type { BucketRow, MessageRow, ProjectRow, StreamRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import {
  countMessagesAfter,
  firstSequenceStoredFrom,
  hasMessagesAfter,
  messageHeadsAfter,
  messagesAfter,
  messagesByIds,
} from "../storage/message-queries.js";
import { compileStreamFilter, isEmptyStreamFilter } from "./stream-filter.js";
import { validateStreamFilter, type StreamFilterInput } from "./stream-filter-rules.js";

export const MIN_FETCH_SIZE = 1;
export const MAX_FETCH_SIZE = 1024;
/** Messages examined per query while skipping filtered ones (only their filter columns are read). */
const SCAN_CHUNK = 1024;
/** Most messages one fetch examines, so a very selective filter still answers promptly. */
const MAX_SCANNED_PER_FETCH = 20_000;
/** Sequence ids are positive 64-bit integers, written in decimal. */
const SEQUENCE_ID = /^(0|[1-9]\d{0,18})$/;

export interface CreateStream {
  project: string;
  name: string;
  title?: string | null;
  bucketIds: string[];
  filter?: StreamFilterInput | null;
  startAt?: Date | null;
}

export interface StreamBatch {
  results: { sequenceId: string; message: MessageRow }[];
  /** Sequence id to advance to: the last message examined, filtered ones included. */
  sequenceId: string;
  filtered: number;
  isEndSequence: boolean;
}

type StreamPermission = "streams-read" | "streams-admin" | "streams-consume";

/**
 * Seeing a stream (its definition and position) takes any of the stream permissions: an admin who
 * creates streams and a consumer who reads one both need to look it up. Per the access rule, a
 * project the token cannot see answers NOT_FOUND.
 */
function requireStreamAccess(viewer: Viewer, projectId: string, what: string): void {
  if (!canSeeProject(viewer, projectId)) throw notFound(`${what} was not found`);
  const allowed: StreamPermission[] = ["streams-read", "streams-admin", "streams-consume"];
  if (!allowed.some((p) => hasPermission(viewer, projectId, p))) {
    throw forbidden(
      "This token lacks the 'streams-read' permission on the project, needed to read streams.",
    );
  }
}

/**
 * Streams (DOMAIN.md, Streams): a position over the messages of some buckets, read with `fetch`
 * (read-only, so a consumer that crashes before `advance` gets the same batch again) and moved with
 * `advance`/`reset`. Sequence ids are allocated under the project row lock and so become visible in
 * order (storage/message-store.ts), which is what lets a keyset read after the position never skip
 * a message that commits later.
 */
export class StreamService {
  /** A stream's buckets never change after creation, so fetch reads them once per stream. */
  private readonly bucketIdsCache = new Map<string, readonly string[]>();

  constructor(private readonly deps: Deps) {}

  private async streamBucketIds(m: EntityManager, streamId: string): Promise<readonly string[]> {
    const known = this.bucketIdsCache.get(streamId);
    if (known) return known;
    const ids = await streamBucketIds(m, streamId);
    // An empty list would be a stream caught mid-creation or deleted: not worth remembering.
    if (ids.length > 0) this.bucketIdsCache.set(streamId, ids);
    return ids;
  }

  private static async requireByName(
    m: EntityManager,
    viewer: Viewer,
    projectName: string,
    name: string,
    permission: StreamPermission,
  ): Promise<{ stream: StreamRow; project: ProjectRow }> {
    const project = await requireVisibleProject(m, viewer, projectName);
    requirePermission(viewer, project.id, permission, `Stream '${name}'`);
    const stream = await streamByName(m, project.id, name);
    if (!stream) throw notFound(`Project '${projectName}' has no stream named '${name}'.`);
    return { stream, project };
  }

  async list(viewer: Viewer, projectId: string): Promise<StreamRow[]> {
    requireStreamAccess(viewer, projectId, "The project");
    return this.deps.db.read((m) => projectStreams(m, projectId));
  }

  async findByName(viewer: Viewer, projectId: string, name: string): Promise<StreamRow | null> {
    requireStreamAccess(viewer, projectId, "The project");
    return this.deps.db.read((m) => streamByName(m, projectId, name));
  }

  async bucketsOf(streamId: string): Promise<BucketRow[]> {
    return this.deps.db.read((m) => streamBuckets(m, streamId));
  }

  /** A new stream starts at its creation (or at `startAt`): it returns messages stored after that. */
  create(viewer: Viewer, input: CreateStream): Promise<StreamRow> {
    const target = { type: "Stream", name: input.name, projectName: input.project };
    return audited(this.deps, viewer, "createStream", target, async (trail) => {
      trail.note({ buckets: input.bucketIds.length });
      validateApiName("input.name", input.name);
      limitText("input.title", input.title);
      limitList("input.bucketIds", input.bucketIds);
      const filter = validateStreamFilter(input.filter ?? {}, "input.filter");
      const bucketIds = [...new Set(input.bucketIds)];
      if (bucketIds.length === 0)
        throw badInput(
          "input.bucketIds",
          "A stream reads at least one bucket; give its bucketIds.",
        );
      return trail.transaction(async (m) => {
        const project = await requireVisibleProject(m, viewer, input.project);
        trail.about({ projectId: project.id });
        requirePermission(viewer, project.id, "streams-admin", `Project '${input.project}'`);
        const buckets = await projectBucketsByIds(m, project.id, bucketIds);
        const missing = bucketIds.filter((id) => !buckets.some((b) => b.id === id));
        if (missing.length > 0) {
          throw badInput(
            "input.bucketIds",
            `Project '${project.name}' has no bucket with id ${missing.join(", ")}.`,
          );
        }
        if (await streamNameTaken(m, project.id, input.name)) {
          throw conflict(`Project '${project.name}' already has a stream named '${input.name}'.`);
        }
        const position = input.startAt
          ? await positionAt(m, project.id, bucketIds, input.startAt)
          : String(project.lastSequence);
        const row = await insertStream(
          m,
          {
            id: newId(),
            projectId: project.id,
            name: input.name,
            title: input.title ?? input.name,
            filter,
            position,
            createdAt: this.deps.now(),
          },
          bucketIds,
        );
        trail.about({ id: row.id });
        return row;
      });
    });
  }

  delete(viewer: Viewer, projectName: string, name: string): Promise<boolean> {
    const target = { type: "Stream", name, projectName };
    return audited(this.deps, viewer, "deleteStream", target, (trail) =>
      trail.transaction(async (m) => {
        const { stream } = await StreamService.requireByName(
          m,
          viewer,
          projectName,
          name,
          "streams-admin",
        );
        trail.about({ id: stream.id, projectId: stream.projectId });
        await deleteStreamRow(m, stream.id);
        this.bucketIdsCache.delete(stream.id);
        return true;
      }),
    );
  }

  /**
   * The next messages after the position, in sequence order; read-only, so the same batch comes
   * back until `advance` (at-least-once delivery). Filtered messages are skipped and counted, and
   * the batch's `sequenceId` moves past them, so advancing to it never re-examines them.
   */
  async fetch(viewer: Viewer, stream: StreamRow, size: number): Promise<StreamBatch> {
    if (!Number.isInteger(size) || size < MIN_FETCH_SIZE || size > MAX_FETCH_SIZE) {
      throw badInput("size", `size must be from ${MIN_FETCH_SIZE} to ${MAX_FETCH_SIZE}.`);
    }
    requirePermission(viewer, stream.projectId, "streams-consume", `Stream '${stream.name}'`);
    return this.deps.db.read(async (m) => {
      const bucketIds = await this.streamBucketIds(m, stream.id);
      if (bucketIds.length === 0)
        return { results: [], sequenceId: stream.position, filtered: 0, isEndSequence: true };
      if (isEmptyStreamFilter(stream.filter)) {
        // One keyset read; the extra row only says whether more lies beyond this batch.
        const rows = await messagesAfter(m, stream.projectId, bucketIds, stream.position, size + 1);
        const batch = rows.slice(0, size);
        return {
          results: batch.map((message) => ({ sequenceId: message.sequenceId, message })),
          sequenceId: batch.at(-1)?.sequenceId ?? stream.position,
          filtered: 0,
          isEndSequence: rows.length <= size,
        };
      }
      const passes = compileStreamFilter(stream.filter);
      const kept: string[] = [];
      let cursor = stream.position;
      let filtered = 0;
      let scanned = 0;
      let isEndSequence = false;
      scan: while (scanned < MAX_SCANNED_PER_FETCH) {
        const heads = await messageHeadsAfter(m, stream.projectId, bucketIds, cursor, SCAN_CHUNK);
        for (const head of heads) {
          if (kept.length === size) break scan;
          scanned++;
          cursor = head.sequenceId;
          if (passes(head)) kept.push(head.id);
          else filtered++;
        }
        if (heads.length < SCAN_CHUNK) {
          isEndSequence = true;
          break;
        }
      }
      if (!isEndSequence && kept.length < size) {
        isEndSequence = !(await hasMessagesAfter(m, stream.projectId, bucketIds, cursor));
      }
      const rows = await messagesByIds(m, kept);
      return {
        results: rows.map((message) => ({ sequenceId: message.sequenceId, message })),
        sequenceId: cursor,
        filtered,
        isEndSequence,
      };
    });
  }

  /**
   * Messages of the stream's buckets stored after its position: how far its consumer is behind.
   * The stream's filter is not applied (it would mean reading every message behind), so a
   * filtered stream's next batches may hold fewer.
   */
  lag(viewer: Viewer, stream: StreamRow): Promise<number> {
    requireStreamAccess(viewer, stream.projectId, `Stream '${stream.name}'`);
    return this.deps.db.read(async (m) =>
      countMessagesAfter(
        m,
        stream.projectId,
        await this.streamBucketIds(m, stream.id),
        stream.position,
      ),
    );
  }

  /**
   * Moves the position forward to `sequenceId` (normally a batch's `sequenceId`); the same position
   * is accepted (a consumer retrying its advance), a position behind it is refused: `reset` is the
   * way back (DOMAIN.md, Streams).
   * Not in the audit log: a consumer advances after every batch, like it fetches — routine
   * traffic that would bury the changes an admin looks for (resetStream is logged).
   */
  advance(
    viewer: Viewer,
    projectName: string,
    name: string,
    sequenceId: string,
  ): Promise<StreamRow> {
    if (!SEQUENCE_ID.test(sequenceId)) {
      throw badInput(
        "sequenceId",
        "sequenceId must be a sequence id returned by fetch (a whole number, as text).",
      );
    }
    return this.deps.db.transaction(async (m) => {
      const { stream, project } = await StreamService.requireByName(
        m,
        viewer,
        projectName,
        name,
        "streams-consume",
      );
      if (BigInt(sequenceId) > BigInt(project.lastSequence)) {
        throw badInput(
          "sequenceId",
          `sequenceId ${sequenceId} is beyond the last message stored in project '${projectName}' (${String(project.lastSequence)}).`,
        );
      }
      if (BigInt(sequenceId) < BigInt(stream.position)) {
        throw badInput(
          "sequenceId",
          `sequenceId ${sequenceId} is behind stream '${name}''s position (${stream.position}): advanceStream only moves forward. To read earlier messages again, use resetStream with the time to start from.`,
        );
      }
      stream.position = sequenceId;
      return saveStreamPosition(m, stream);
    });
  }

  /** Moves the position to just before the first message stored at or after `to`. */
  reset(viewer: Viewer, projectName: string, name: string, to: Date): Promise<StreamRow> {
    const target = { type: "Stream", name, projectName };
    return audited(this.deps, viewer, "resetStream", target, async (trail) => {
      trail.note({ to: Number.isNaN(to.getTime()) ? "invalid" : to.toISOString() });
      if (Number.isNaN(to.getTime())) throw badInput("to", "to must be a date-time.");
      return trail.transaction(async (m) => {
        const { stream, project } = await StreamService.requireByName(
          m,
          viewer,
          projectName,
          name,
          "streams-consume",
        );
        trail.about({ id: stream.id, projectId: project.id });
        const bucketIds = await streamBucketIds(m, stream.id);
        stream.position = await positionAt(m, project.id, bucketIds, to);
        return saveStreamPosition(m, stream);
      });
    });
  }
}

/**
 * The position whose next message is the first of `bucketIds` stored at or after `at`; with none,
 * the project's last sequence id (so only messages stored later follow). The last sequence id is
 * read first: a message committed between the two reads is then found by the second, never lost
 * between them.
 */
async function positionAt(
  m: EntityManager,
  projectId: string,
  bucketIds: readonly string[],
  at: Date,
): Promise<string> {
  const project = await projectByIdOrFail(m, projectId);
  const last = String(project.lastSequence);
  if (bucketIds.length === 0) return last;
  const first = await firstSequenceStoredFrom(m, projectId, bucketIds, at);
  return first === null ? last : String(BigInt(first) - 1n);
}
