import type { EntityManager, SelectQueryBuilder } from "typeorm";
import { MessageRow } from "./entities/index.js";

export interface MessageFilter {
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
  /** A folder path: matches that folder and the folders below it, case-insensitively. */
  folder?: string | null;
  participant?: string | null;
  domain?: string | null;
  /** Case-insensitive substring of subject or body text. */
  search?: string | null;
}

export interface MessagePage {
  rows: MessageRow[];
  hasNextPage: boolean;
  totalCount: number;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function applyFilter(q: SelectQueryBuilder<MessageRow>, filter: MessageFilter): SelectQueryBuilder<MessageRow> {
  if (filter.receivedFrom) q.andWhere("m.received_at >= :receivedFrom", { receivedFrom: filter.receivedFrom });
  if (filter.receivedTo) q.andWhere("m.received_at < :receivedTo", { receivedTo: filter.receivedTo });
  if (filter.folder) {
    const folder = filter.folder.replace(/\/+$/, "").toLowerCase();
    q.andWhere("(LOWER(m.folder) = :folder OR LOWER(m.folder) LIKE :folderPrefix ESCAPE '\\')", {
      folder,
      folderPrefix: `${escapeLike(folder)}/%`,
    });
  }
  // participant_addresses is " a@x b@y " (space-padded), so whole-address matches need no parsing.
  if (filter.participant) {
    q.andWhere("(' ' || m.participant_addresses || ' ') LIKE :participant ESCAPE '\\'", {
      participant: `% ${escapeLike(filter.participant.trim().toLowerCase())} %`,
    });
  }
  if (filter.domain) {
    q.andWhere("(' ' || m.participant_addresses || ' ') LIKE :domain ESCAPE '\\'", {
      domain: `%@${escapeLike(filter.domain.trim().toLowerCase())} %`,
    });
  }
  if (filter.search) {
    q.andWhere("(LOWER(m.subject) LIKE :search ESCAPE '\\' OR LOWER(m.body_text) LIKE :search ESCAPE '\\')", {
      search: `%${escapeLike(filter.search.toLowerCase())}%`,
    });
  }
  return q;
}

/** Newest first, keyset-paged on the sequence id (stable while new messages arrive). */
export async function pageMessages(
  m: EntityManager,
  bucketId: string,
  first: number,
  after: string | null,
  filter: MessageFilter,
): Promise<MessagePage> {
  const base = () => applyFilter(m.createQueryBuilder(MessageRow, "m").where("m.bucket_id = :bucketId", { bucketId }), filter);
  const pageQuery = base();
  if (after) pageQuery.andWhere("m.sequence_id < :after", { after });
  const rows = await pageQuery.orderBy("m.sequence_id", "DESC").limit(first + 1).getMany();
  const totalCount = await base().getCount();
  return { rows: rows.slice(0, first).map(normalizeMessage), hasNextPage: rows.length > first, totalCount };
}

/** bigint columns come back as numbers from SQLite and strings from PostgreSQL. */
export function normalizeMessage(row: MessageRow): MessageRow {
  row.sequenceId = String(row.sequenceId);
  return row;
}
