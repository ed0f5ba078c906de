import type { Folder, Mailbox, MailboxSeed } from "./mailbox.js";
import { seededRole } from "./message-content.js";
import { hash32 } from "./prng.js";

/**
 * Where and when each seeded message was received: spread evenly over [receivedFrom, receivedTo)
 * (strictly increasing with the key, whole seconds), sent mail in Sent Items, drafts in Drafts,
 * received mail spread over the folders by the template's weights. Pure in (seed, mailbox, key).
 */
export function seededPlacement(
  mailbox: Mailbox,
  spec: MailboxSeed,
): (key: number) => { receivedAt: number; folder: Folder } {
  const inbox = mailbox.folderByWellKnownName("inbox") ?? mailbox.topOfStore;
  const sent = mailbox.folderByWellKnownName("sentitems") ?? inbox;
  const drafts = mailbox.folderByWellKnownName("drafts") ?? inbox;
  const weighted: [Folder, number][] = [];
  for (const t of spec.folders) {
    const f = t.weight ? mailbox.folderByPath(t.path) : undefined;
    if (f && t.weight) weighted.push([f, t.weight]);
  }
  let total = 0;
  for (const [, w] of weighted) total += w;
  const span = Math.max(0, spec.receivedTo - spec.receivedFrom);
  const n = Math.max(1, spec.messages);
  return (key) => {
    const jitter = hash32(spec.seed, spec.number, key, 31) / 4294967296;
    const receivedAt = spec.receivedFrom + Math.floor(((key + jitter) * span) / n / 1000) * 1000;
    const role = seededRole(spec.seed, spec.number, key);
    if (role === "sent") return { receivedAt, folder: sent };
    if (role === "draft") return { receivedAt, folder: drafts };
    if (role !== "received" || total === 0) return { receivedAt, folder: inbox };
    let x = (hash32(spec.seed, spec.number, key, 32) / 4294967296) * total;
    for (const [folder, w] of weighted) {
      x -= w;
      if (x < 0) return { receivedAt, folder };
    }
    return { receivedAt, folder: inbox };
  };
}
