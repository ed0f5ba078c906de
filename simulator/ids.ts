import { hash32 } from "./prng.js";

/**
 * Graph item ids. Real ids are opaque base64 blobs; ours carry what the simulator needs to find the
 * item again without an index: kind, mailbox number, item number and a generation, plus a checksum
 * so that a made-up or truncated id answers `ErrorInvalidIdMalformed` like Graph does.
 *
 * A REST id (the default) embeds the message's move generation: moving a message changes its id,
 * as Exchange does. An immutable id (`Prefer: IdType="ImmutableId"`) does not.
 */
export type IdKind = "message" | "immutableMessage" | "folder" | "attachment";

const TAGS: Record<IdKind, number> = { message: 1, immutableMessage: 2, folder: 3, attachment: 4 };
const PREFIX: Record<IdKind, string> = {
  message: "AAMkAGI2",
  immutableMessage: "AAkALgAA",
  folder: "AQMkAGI2",
  attachment: "AAMkAGI2AT",
};

export interface DecodedId {
  kind: IdKind;
  mailbox: number;
  item: number;
  extra: number;
}

export function encodeId(kind: IdKind, mailbox: number, item: number, extra = 0): string {
  const buf = Buffer.alloc(13);
  buf.writeUInt8(TAGS[kind], 0);
  buf.writeUInt32BE(mailbox >>> 0, 1);
  buf.writeUInt32BE(item >>> 0, 5);
  buf.writeUInt16BE(extra & 0xffff, 9);
  buf.writeUInt16BE(checksum(buf) & 0xffff, 11);
  return PREFIX[kind] + buf.toString("base64url");
}

/** Returns undefined for anything that is not an id we issued (Graph: ErrorInvalidIdMalformed). */
export function decodeId(id: string): DecodedId | undefined {
  for (const kind of ["attachment", "message", "immutableMessage", "folder"] as const) {
    const prefix = PREFIX[kind];
    if (!id.startsWith(prefix)) continue;
    const body = id.slice(prefix.length);
    if (!/^[A-Za-z0-9_-]{18}$/.test(body)) return undefined;
    const buf = Buffer.from(body, "base64url");
    if (buf.length !== 13 || buf.readUInt8(0) !== TAGS[kind]) continue;
    if (buf.readUInt16BE(11) !== (checksum(buf) & 0xffff)) return undefined;
    return {
      kind,
      mailbox: buf.readUInt32BE(1),
      item: buf.readUInt32BE(5),
      extra: buf.readUInt16BE(9),
    };
  }
  return undefined;
}

function checksum(buf: Buffer): number {
  return hash32(buf.readUInt8(0), buf.readUInt32BE(1), buf.readUInt32BE(5), buf.readUInt16BE(9));
}
