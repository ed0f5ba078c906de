import { In, type EntityManager } from "typeorm";
import { BucketRow, StreamBucketRow, StreamRow } from "./entities/index.js";
import { selectRow } from "./plain-select.js";

/** bigint columns come back as numbers from SQLite and strings from PostgreSQL. */
function normalizeStream(row: StreamRow): StreamRow {
  row.position = String(row.position);
  return row;
}

/** Plain SQL: every fetch and advance looks its stream up by name. */
export async function streamByName(
  m: EntityManager,
  projectId: string,
  name: string,
): Promise<StreamRow | null> {
  const row = await selectRow(m, StreamRow, { projectId, name });
  return row && normalizeStream(row);
}

/** A project's streams by name. */
export async function projectStreams(m: EntityManager, projectId: string): Promise<StreamRow[]> {
  const rows = await m.find(StreamRow, { where: { projectId }, order: { name: "ASC" } });
  return rows.map(normalizeStream);
}

export async function streamBucketIds(m: EntityManager, streamId: string): Promise<string[]> {
  return (await m.findBy(StreamBucketRow, { streamId })).map((l) => l.bucketId);
}

/** The buckets a stream reads, by name. */
export async function streamBuckets(m: EntityManager, streamId: string): Promise<BucketRow[]> {
  return m.find(BucketRow, {
    where: { id: In(await streamBucketIds(m, streamId)) },
    order: { name: "ASC" },
  });
}

export const streamNameTaken = (
  m: EntityManager,
  projectId: string,
  name: string,
): Promise<boolean> => m.existsBy(StreamRow, { projectId, name });

/** Inserts the stream with its bucket links. */
export async function insertStream(
  m: EntityManager,
  row: StreamRow,
  bucketIds: readonly string[],
): Promise<StreamRow> {
  const saved = await m.save(m.create(StreamRow, row));
  for (const bucketId of bucketIds)
    await m.save(m.create(StreamBucketRow, { streamId: saved.id, bucketId }));
  return normalizeStream(saved);
}

/** Stores the stream's position. */
export async function saveStreamPosition(m: EntityManager, stream: StreamRow): Promise<StreamRow> {
  return normalizeStream(await m.save(stream));
}

/** Deletes the stream and its bucket links (foreign keys cascade). */
export async function deleteStreamRow(m: EntityManager, id: string): Promise<void> {
  await m.delete(StreamRow, { id });
}
