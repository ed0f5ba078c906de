import type { AttachmentSpec, EmailAddress, MessageContent } from "./mail-types.js";
import { Rng, deterministicBytes, hash32 } from "./prng.js";

/**
 * Deterministic message contents. A seeded message is never stored: its subject, participants,
 * body and attachments are recomputed from (seed, source) whenever Graph or the ground truth needs
 * them. A "source" is either private to one mailbox or one of a tenant-wide pool of shared
 * messages, which is how the same internet Message-ID shows up in several mailboxes. Nothing here
 * may depend on state that changes later (other mailboxes, the clock), or the ground truth and
 * what Graph serves would drift apart.
 */
export type MessageRole = "received" | "sent" | "draft" | "self";

export interface ContentSource {
  kind: "private" | "shared";
  /** Mailbox number for private sources; 0 for shared ones. */
  mailbox: number;
  /** Message key for private sources; pool index for shared ones. */
  index: number;
}

export interface ContentContext {
  seed: number;
  owner: EmailAddress;
  tenantDomain: string;
}

const FIRST = [
  ["Alice", "alice"],
  ["Bob", "bob"],
  ["Zoë", "zoe"],
  ["Søren", "soren"],
  ["José", "jose"],
  ["Amélie", "amelie"],
  ["Łukasz", "lukasz"],
  ["Ngozi", "ngozi"],
  ["Hiroshi", "hiroshi"],
  ["李", "li"],
  ["Ольга", "olga"],
  ["Mohammed", "mohammed"],
  ["Priya", "priya"],
  ["Chloé", "chloe"],
  ["Björn", "bjorn"],
  ["Ana", "ana"],
  ["Dmitri", "dmitri"],
  ["Fatima", "fatima"],
  ["Mateo", "mateo"],
  ["Yuki", "yuki"],
] as const;

const LAST = [
  ["Smith", "smith"],
  ["Jones", "jones"],
  ["Ångström", "angstrom"],
  ["Müller", "mueller"],
  ["García", "garcia"],
  ["O'Brien", "obrien"],
  ["Nguyen", "nguyen"],
  ["Kowalski", "kowalski"],
  ["Tanaka", "tanaka"],
  ["王", "wang"],
  ["Иванова", "ivanova"],
  ["Haddad", "haddad"],
  ["Patel", "patel"],
  ["Dubois", "dubois"],
  ["Eriksson", "eriksson"],
  ["Silva", "silva"],
] as const;

/**
 * Participant domains: registrable names under one- and multi-part public suffixes, subdomains,
 * and near-misses for wildcard rules (`reinfer.*` must match reinfer.co.uk, not mail.reinfer.com).
 */
export const EXTERNAL_DOMAINS: readonly (readonly [string, number])[] = [
  ["fabrikam.com", 8],
  ["sales.fabrikam.com", 4],
  ["fabrikam.co.uk", 4],
  ["reinfer.com", 4],
  ["reinfer.dev", 3],
  ["reinfer.co.uk", 2],
  ["mail.reinfer.com", 2],
  ["reinfer.example.com", 1],
  ["example.org", 3],
  ["gmail.com", 6],
  ["outlook.com", 4],
  ["yahoo.co.jp", 2],
  ["northwind.com.au", 3],
  ["tailspintoys.org.uk", 2],
  ["litware.ltd.uk", 1],
  ["wingtiptoys.io", 2],
  ["adatum.de", 2],
  ["xn--mnchen-3ya.de", 1],
  ["eu.mail.adventure-works.com", 1],
];

const SUBJECTS = [
  "Order #{n} confirmation",
  "Your order {n} has shipped",
  "Invoice INV-{n}",
  "Facture n° {n}",
  "Rechnung {n} – Zahlungserinnerung",
  "Project Alpha status – week {w}",
  "Re: Design review 📐",
  "Lunch on Friday?",
  "Réunion demain à 10h",
  "会議の議事録 {n}",
  "Quarterly report Q{q}",
  "FW: Contract draft v{w}",
  "Re: Re: Budget {y}",
  "Привет из Москвы",
  "Newsletter: edition {n}",
  "Shipment {n} delayed ⚠️",
  "Ticket [#{n}] updated",
  "Ünïcödé subject ✓ {n}",
];

const SENTENCES = [
  "Please find the details below.",
  "Could you confirm the figures by Thursday?",
  "The shipment left our warehouse this morning.",
  "Merci pour votre retour rapide.",
  "Vielen Dank für Ihre Bestellung.",
  "ご確認のほどよろしくお願いいたします。",
  "Let me know if anything is unclear.",
  "The attached report covers the last quarter.",
  "We will discuss this at the next meeting.",
  "Спасибо, всё получили.",
];

const FILE_TYPES = [
  ["report.pdf", "application/pdf"],
  ["data.csv", "text/csv"],
  ["photo.jpg", "image/jpeg"],
  ["contract.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
  ["budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
  ["archive.zip", "application/zip"],
  ["notes.txt", "text/plain"],
  ["résumé – 2024.pdf", "application/pdf"],
] as const;

/** The one attachment whose bytes are identical wherever it appears (content-addressed storage). */
export const SHARED_LOGO = { name: "logo.png", contentType: "image/png", size: 4096 } as const;

const ROLE_SALT = 11;
const SHARED_SALT = 12;
const CONTENT_SALT = 13;

export function seededRole(seed: number, mailbox: number, key: number): MessageRole {
  const x = hash32(seed, mailbox, key, ROLE_SALT) / 4294967296;
  if (x < 0.16) return "sent";
  if (x < 0.19) return "draft";
  if (x < 0.21) return "self";
  return "received";
}

/** Roughly one received message in 20 is a copy of a tenant-wide shared message. */
export function seededSource(
  seed: number,
  mailbox: number,
  key: number,
  role: MessageRole,
  sharedPoolSize: number,
): ContentSource {
  if (
    role === "received" &&
    sharedPoolSize > 0 &&
    hash32(seed, mailbox, key, SHARED_SALT) % 20 === 0
  ) {
    return {
      kind: "shared",
      mailbox: 0,
      index: hash32(seed, key, SHARED_SALT + 1) % sharedPoolSize,
    };
  }
  return { kind: "private", mailbox, index: key };
}

export function generateContent(
  ctx: ContentContext,
  source: ContentSource,
  role: MessageRole,
): MessageContent {
  const sourceTag = source.kind === "shared" ? 2 : 1;
  const rng = new Rng(ctx.seed, sourceTag, source.mailbox, source.index, CONTENT_SALT);
  const n = 10000 + rng.int(90000);
  const subject =
    rng.chance(0.01) && role !== "sent"
      ? ""
      : rng
          .pick(SUBJECTS)
          .replace("{n}", String(n))
          .replace("{w}", String(1 + rng.int(52)))
          .replace("{q}", String(1 + rng.int(4)))
          .replace("{y}", String(2020 + rng.int(6)));

  const external = (): EmailAddress => person(rng, rng.weighted(EXTERNAL_DOMAINS));
  const internal = (): EmailAddress => person(rng, ctx.tenantDomain);
  const anyone = (): EmailAddress => (rng.chance(0.35) ? internal() : external());
  const several = (max: number, p: number): EmailAddress[] => {
    const out: EmailAddress[] = [];
    while (out.length < max && rng.chance(p)) out.push(anyone());
    return out;
  };

  let from: EmailAddress;
  let to: EmailAddress[];
  let cc: EmailAddress[];
  let bcc: EmailAddress[] = [];
  if (source.kind === "shared") {
    from = external();
    to = [{ name: "Team", address: `team@${ctx.tenantDomain}` }];
    cc = several(2, 0.4);
  } else if (role === "self") {
    from = ctx.owner;
    to = [ctx.owner];
    cc = [];
  } else if (role === "sent" || role === "draft") {
    from = ctx.owner;
    to = [anyone(), ...several(2, 0.3)];
    cc = several(3, 0.35);
    // Only the sender's copy of a message carries its Bcc line.
    bcc = several(2, 0.15);
  } else {
    from = anyone();
    to = rng.chance(0.85) ? [ctx.owner, ...several(2, 0.25)] : [anyone()];
    cc = several(3, 0.3);
  }
  // "Sent on behalf of": the sender differs from the author now and then.
  const sender = role === "received" && rng.chance(0.05) ? anyone() : from;

  const firstLine = `Hi ${to[0]?.name.split(" ")[0] ?? "there"},`;
  const lines = [firstLine, rng.pick(SENTENCES), rng.pick(SENTENCES)];
  const attachments = generateAttachments(rng, ctx.seed, sourceTag, source, subject, from, to);
  const inline = attachments.filter((a) => a.isInline && a.contentId);
  const html = rng.chance(0.9);
  const body = html
    ? `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${lines
        .map((l) => `<p>${escapeHtml(l)}</p>`)
        .join("")}${inline.map((a) => `<img src="cid:${a.contentId}">`).join("")}<p>${escapeHtml(
        from.name,
      )}</p></body></html>`
    : `${lines.join("\r\n\r\n")}\r\n\r\n${from.name}`;

  const domain = from.address.split("@")[1] ?? ctx.tenantDomain;
  return {
    internetMessageId: `<${source.kind === "shared" ? "S" : "P"}${rng.hex(10)}.${source.mailbox}.${source.index}@${domain.toLowerCase()}>`,
    conversationId: `AAQkAD${Buffer.from(`${ctx.seed}:${sourceTag}:${source.mailbox}:${Math.floor(source.index / 3)}`).toString("base64url")}`,
    subject,
    body: { contentType: html ? "html" : "text", content: body },
    from,
    sender,
    toRecipients: to,
    ccRecipients: cc,
    bccRecipients: bcc,
    sentBeforeReceivedMs: role === "draft" ? 0 : 1000 * (1 + rng.int(600)),
    importance: rng.chance(0.1) ? "high" : rng.chance(0.05) ? "low" : "normal",
    isRead: role !== "received" || rng.chance(0.7),
    isDraft: role === "draft",
    attachments,
  };
}

function person(rng: Rng, domain: string): EmailAddress {
  const [first, firstAscii] = rng.pick(FIRST);
  const [last, lastAscii] = rng.pick(LAST);
  let local = `${firstAscii}.${lastAscii}`;
  let host = domain;
  // Addresses compare case-insensitively; make sure some arrive in odd case.
  if (rng.chance(0.05))
    local = `${firstAscii[0]?.toUpperCase()}${firstAscii.slice(1)}.${lastAscii.toUpperCase()}`;
  if (rng.chance(0.04)) host = domain.toUpperCase();
  const address = `${local}@${host}`;
  // Graph shows the address as the name when the message carries no display name.
  return { name: rng.chance(0.05) ? address : `${first} ${last}`, address };
}

function generateAttachments(
  rng: Rng,
  seed: number,
  sourceTag: number,
  source: ContentSource,
  subject: string,
  from: EmailAddress,
  to: readonly EmailAddress[],
): AttachmentSpec[] {
  const out: AttachmentSpec[] = [];
  const contentSeed = (i: number): number[] => [seed, sourceTag, source.mailbox, source.index, i];
  if (rng.chance(0.14)) {
    const count = 1 + rng.int(3);
    for (let i = 0; i < count; i++) {
      const [name, type] = rng.pick(FILE_TYPES);
      const size = 300 + rng.int(40000);
      const index = out.length;
      const textual = type.startsWith("text/");
      out.push({
        kind: "file",
        name: count > 1 && i > 0 ? name.replace(/(\.[a-z]+)$/, ` (${i})$1`) : name,
        // Now and then a sender's client states no content type at all.
        contentType: rng.chance(0.07) ? null : type,
        size,
        isInline: false,
        content: () => fileBytes(size, textual, contentSeed(index)),
      });
    }
  }
  if (rng.chance(0.05)) {
    const size = 1500 + rng.int(12000);
    const index = out.length;
    const cid = `image${String(index + 1).padStart(3, "0")}.png@01DA${rng.hex(4).toUpperCase()}`;
    out.push({
      kind: "file",
      name: `image${String(index + 1).padStart(3, "0")}.png`,
      contentType: "image/png",
      size,
      isInline: true,
      contentId: cid,
      content: () => deterministicBytes(size, ...contentSeed(index)),
    });
  }
  if (rng.chance(0.04)) {
    out.push({
      kind: "file",
      name: SHARED_LOGO.name,
      contentType: SHARED_LOGO.contentType,
      size: SHARED_LOGO.size,
      isInline: rng.chance(0.5),
      contentId: `logo.png@01DA0000`,
      content: () => deterministicBytes(SHARED_LOGO.size, seed, 0x10605),
    });
  }
  if (rng.chance(0.03)) {
    const attachedSubject = `Original: ${subject || "(no subject)"}`;
    const mime = Buffer.from(
      [
        `From: ${to[0]?.name ?? "Someone"} <${to[0]?.address ?? "someone@example.org"}>`,
        `To: ${from.name} <${from.address}>`,
        `Subject: ${attachedSubject}`,
        `Message-ID: <item.${rng.hex(6)}@example.org>`,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "This is the attached message.",
        "",
      ].join("\r\n"),
      "utf8",
    );
    out.push({
      kind: "item",
      name: attachedSubject,
      contentType: null,
      size: mime.length,
      isInline: false,
      content: () => mime,
    });
  }
  if (rng.chance(0.02)) {
    out.push({
      kind: "reference",
      name: "Quarterly plan.docx",
      contentType: null,
      size: 512,
      isInline: false,
    });
  }
  return out;
}

function fileBytes(size: number, textual: boolean, seedParts: number[]): Buffer {
  const bytes = deterministicBytes(size, ...seedParts);
  if (!textual) return bytes;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    bytes[i] = b % 17 === 0 ? 0x0a : 0x20 + (b % 95);
  }
  return bytes;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
