import { In, type EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import { type Viewer, requirePermission } from "../auth/viewer.js";
import { badInput, conflict, notFound } from "../domain/errors.js";
import { validateApiName } from "../domain/names.js";
import { validateStreamFilter, type StreamFilterInput } from "./stream-filter-rules.js";
import { ProjectService } from "../projects/project-service.js";
import { BucketRow, MessageRow, StreamBucketRow, StreamRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import { normalizeMessage } from "../storage/message-queries.js";
import { compileStreamFilter } from "./stream-filter.js";

export const MAX_FETCH_SIZE = 1024;
/** Rows read per query while skipping filtered messages. */
const SCAN_CHUNK = 1024;
/** Most rows one fetch examines, so a very selective filter still answers promptly. */
const MAX_SCANNED_PER_FETCH = 20_000;

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

export class StreamService {
  constructor(private readonly deps: Deps) {}

  private static async requireByName(
    m: EntityManager,
    viewer: Viewer,
    projectName: string,
    name: string,
    permission: "streams-read" | "streams-admin" | "streams-consume",
  ): Promise<StreamRow> {
    const project = await ProjectService.requireVisible(m, viewer, projectName);
    requirePermission(viewer, project.id, permission, `Stream '${name}'`);
    const row = await m.findOneBy(StreamRow, { projectId: project.id, name });
    if (!row) throw notFound(`Project '${projectName}' has no stream named '${name}'.`);
    return normalizeStream(row);
  }

  async list(viewer: Viewer, projectId: string): Promise<StreamRow[]> {
    requirePermission(viewer, projectId, "streams-read", "The project");
    const rows = await this.deps.db.read((m) => m.find(StreamRow, { where: { projectId }, order: { name: "ASC" } }));
    return rows.map(normalizeStream);
  }

  async findByName(viewer: Viewer, projectId: string, name: string): Promise<StreamRow | null> {
    requirePermission(viewer, projectId, "streams-read", "The project");
    const row = await this.deps.db.read((m) => m.findOneBy(StreamRow, { projectId, name }));
    return row && normalizeStream(row);
  }

  async bucketsOf(streamId: string): Promise<BucketRow[]> {
    return this.deps.db.read(async (m) => {
      const links = await m.findBy(StreamBucketRow, { streamId });
      return m.find(BucketRow, { where: { id: In(links.map((l) => l.bucketId)) }, order: { name: "ASC" } });
    });
  }

  /** A new stream starts at its creation (or at `startAt`): it returns messages stored after that. */
  async create(viewer: Viewer, input: CreateStream): Promise<StreamRow> {
    validateApiName("input.name", input.name);
    const filter = validateStreamFilter(input.filter ?? {}, "input.filter");
    const bucketIds = [...new Set(input.bucketIds)];
    if (bucketIds.length === 0) throw badInput("input.bucketIds", "A stream reads at least one bucket.");
    return this.deps.db.transaction(async (m) => {
      const project = await ProjectService.requireVisible(m, viewer, input.project);
      requirePermission(viewer, project.id, "streams-admin", `Project '${input.project}'`);
      const buckets = await m.findBy(BucketRow, { id: In(bucketIds), projectId: project.id });
      const missing = bucketIds.filter((id) => !buckets.some((b) => b.id === id));
      if (missing.length > 0) {
        throw badInput("input.bucketIds", `Project '${project.name}' has no bucket with id ${missing.join(", ")}.`);
      }
      if (await m.existsBy(StreamRow, { projectId: project.id, name: input.name })) {
        throw conflict(`Project '${project.name}' already has a stream named '${input.name}'.`);
      }
      const position = input.startAt
        ? await positionBefore(m, bucketIds, input.startAt)
        : String(project.lastSequence);
      const row = await m.save(
        m.create(StreamRow, {
          id: newId(),
          projectId: project.id,
          name: input.name,
          title: input.title ?? input.name,
          filter,
          position,
          createdAt: this.deps.now(),
        }),
      );
      for (const bucketId of bucketIds) await m.save(m.create(StreamBucketRow, { streamId: row.id, bucketId }));
      return normalizeStream(row);
    });
  }

  async delete(viewer: Viewer, projectName: string, name: string): Promise<boolean> {
    return this.deps.db.transaction(async (m) => {
      const row = await StreamService.requireByName(m, viewer, projectName, name, "streams-admin");
      await m.delete(StreamRow, { id: row.id });
      return true;
    });
  }

  /**
   * The next messages after the position, in sequence order; read-only, so the same batch comes
   * back until `advance` (at-least-once delivery).
   */
  async fetch(viewer: Viewer, stream: StreamRow, size: number): Promise<StreamBatch> {
    if (!Number.isInteger(size) || size < 1 || size > MAX_FETCH_SIZE) {
      throw badInput("size", `size must be from 1 to ${MAX_FETCH_SIZE}.`);
    }
    requirePermission(viewer, stream.projectId, "streams-consume", `Stream '${stream.name}'`);
    requirePermission(viewer, stream.projectId, "messages-read", `Stream '${stream.name}'`);
    return this.deps.db.read(async (m) => {
      const bucketIds = (await m.findBy(StreamBucketRow, { streamId: stream.id })).map((l) => l.bucketId);
      const passes = compileStreamFilter(stream.filter);
      const results: StreamBatch["results"] = [];
      let cursor = stream.position;
      let filtered = 0;
      let scanned = 0;
      let exhausted = false;
      while (results.length < size && scanned < MAX_SCANNED_PER_FETCH) {
        const rows = (
          await m
            .createQueryBuilder(MessageRow, "m")
            .where("m.bucket_id IN (:...bucketIds)", { bucketIds })
            .andWhere("m.sequence_id > :cursor", { cursor })
            .orderBy("m.sequence_id", "ASC")
            .limit(SCAN_CHUNK)
            .getMany()
        ).map(normalizeMessage);
        for (const row of rows) {
          if (results.length === size) break;
          scanned++;
          cursor = row.sequenceId;
          if (passes(row)) results.push({ sequenceId: row.sequenceId, message: row });
          else filtered++;
        }
        if (rows.length < SCAN_CHUNK && results.length < size) {
          exhausted = true;
          break;
        }
      }
      if (!exhausted) {
        exhausted = !(await m
          .createQueryBuilder(MessageRow, "m")
          .where("m.bucket_id IN (:...bucketIds)", { bucketIds })
          .andWhere("m.sequence_id > :cursor", { cursor })
          .getExists());
      }
      return { results, sequenceId: cursor, filtered, isEndSequence: exhausted };
    });
  }

  async advance(viewer: Viewer, projectName: string, name: string, sequenceId: string): Promise<StreamRow> {
    if (!/^\d{1,19}$/.test(sequenceId)) {
      throw badInput("sequenceId", "sequenceId must be a sequence id returned by fetch.");
    }
    return this.deps.db.transaction(async (m) => {
      const row = await StreamService.requireByName(m, viewer, projectName, name, "streams-consume");
      const project = await ProjectService.requireVisible(m, viewer, projectName);
      if (BigInt(sequenceId) > BigInt(project.lastSequence)) {
        throw badInput("sequenceId", `sequenceId ${sequenceId} is beyond the last message stored (${project.lastSequence}).`);
      }
      row.position = sequenceId;
      return normalizeStream(await m.save(row));
    });
  }

  /** Moves the position to just before the first message stored at or after `to`. */
  async reset(viewer: Viewer, projectName: string, name: string, to: Date): Promise<StreamRow> {
    return this.deps.db.transaction(async (m) => {
      const row = await StreamService.requireByName(m, viewer, projectName, name, "streams-consume");
      const bucketIds = (await m.findBy(StreamBucketRow, { streamId: row.id })).map((l) => l.bucketId);
      row.position = await positionBefore(m, bucketIds, to);
      return normalizeStream(await m.save(row));
    });
  }
}

/** The largest sequence id among the buckets' messages stored before `at` ("0" when none). */
async function positionBefore(m: EntityManager, bucketIds: string[], at: Date): Promise<string> {
  const result = await m
    .createQueryBuilder(MessageRow, "m")
    .select("MAX(m.sequence_id)", "max")
    .where("m.bucket_id IN (:...bucketIds)", { bucketIds })
    .andWhere("m.stored_at < :at", { at })
    .getRawOne<{ max: string | number | null }>();
  return result?.max === null || result?.max === undefined ? "0" : String(result.max);
}

function normalizeStream(row: StreamRow): StreamRow {
  row.position = String(row.position);
  return row;
}
