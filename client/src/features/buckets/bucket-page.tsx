import { useQuery, useSubscription } from "@urql/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorMessage } from "../../api/errors";
import {
  BucketMessagesDocument,
  MessageAddedDocument,
  type MessageFilter,
  type MessageOrder,
  type MessageRowFragment,
} from "../../gql/graphql";
import { Link } from "../../router";
import { EmptyState, ErrorState, SkeletonRows } from "../../ui/feedback";
import { formatNumber, fromDateInput } from "../../ui/format";
import { displayFolder, folderName } from "../../ui/folder-path";
import { domainProblem, emailProblem } from "../integrations/filter-rules";
import { Icon } from "../../ui/icons";
import { PageHeader } from "../../ui/page";
import { can, useSession } from "../session/session-context";
import { MessageView } from "./message-view";
import { MailText } from "../../ui/mail-text";
import "./bucket-page.css";

const PAGE_SIZE = 50;

interface FilterDraft {
  search: string;
  folder: string;
  participant: string;
  domain: string;
  receivedFrom: string;
  receivedTo: string;
}

const emptyFilter: FilterDraft = {
  search: "",
  folder: "",
  participant: "",
  domain: "",
  receivedFrom: "",
  receivedTo: "",
};

function toFilter(d: FilterDraft): MessageFilter | null {
  const filter: MessageFilter = {};
  if (d.search.trim()) filter.search = d.search.trim();
  if (d.folder.trim()) filter.folder = d.folder.trim();
  if (d.participant.trim()) filter.participant = d.participant.trim();
  if (d.domain.trim()) filter.domain = d.domain.trim();
  if (d.receivedFrom) filter.receivedFrom = fromDateInput(d.receivedFrom);
  if (d.receivedTo) {
    // "to" is inclusive in the form and exclusive in the API: the end of that day.
    const end = fromDateInput(d.receivedTo);
    if (end) filter.receivedTo = new Date(new Date(end).getTime() + 24 * 3600 * 1000).toISOString();
  }
  return Object.keys(filter).length ? filter : null;
}

export default function BucketPage({
  project,
  bucket,
  messageId,
}: {
  project: string;
  bucket: string;
  messageId: string | null;
}) {
  const { viewer } = useSession();
  const [draft, setDraft] = useState<FilterDraft>(emptyFilter);
  const [filter, setFilter] = useState<MessageFilter | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [order, setOrder] = useState<MessageOrder>("NEWEST_FIRST");
  const problems = filterProblems(draft);
  const after = cursors[cursors.length - 1] ?? null;
  const [result, refetch] = useQuery({
    query: BucketMessagesDocument,
    variables: { project, bucket, first: PAGE_SIZE, after, filter, order },
    // Messages arrived while the page was not shown: the cached page is refreshed on return.
    requestPolicy: "cache-and-network",
  });
  const data = result.data?.project?.bucket ?? null;
  const firstPage = cursors.length === 1;
  const live = can(viewer, project, "MESSAGES_READ");

  // New messages: on the unfiltered first page, scrolled to the top and with no message open, they
  // slide in at the top; otherwise they wait behind a "new messages" button so the list never
  // moves under the reader (nor pushes the open message's row away).
  const [fresh, setFresh] = useState<MessageRowFragment[]>([]);
  const [waiting, setWaiting] = useState<MessageRowFragment[]>([]);
  const listRef = useRef<HTMLDivElement>(null);
  const [event] = useSubscription({
    query: MessageAddedDocument,
    variables: { project, bucketId: data?.id ?? null },
    pause: !data || !live,
  });
  useEffect(() => {
    const message = event.data?.messageAdded.message;
    if (!message) return;
    const atTop = (listRef.current?.scrollTop ?? 0) < 8;
    if (firstPage && !filter && atTop && !messageId && order === "NEWEST_FIRST")
      setFresh((list) => (list.some((m) => m.id === message.id) ? list : [message, ...list]));
    else setWaiting((list) => (list.some((m) => m.id === message.id) ? list : [message, ...list]));
  }, [event.data]);
  useEffect(() => {
    setFresh([]);
    setWaiting([]);
  }, [result.data]);

  const loaded = data?.messages.edges.map((e) => e.node) ?? [];
  const freshIds = new Set(fresh.map((m) => m.id));
  // The page keeps its size: live arrivals push the oldest rows to the next page.
  const merged = [...fresh, ...loaded.filter((m) => !freshIds.has(m.id))];
  const messages = merged.slice(0, PAGE_SIZE);
  const hasOlder = merged.length > PAGE_SIZE || (data?.messages.pageInfo.hasNextPage ?? false);
  // The next page starts after the last row shown (its edge's cursor; live arrivals have none).
  const cursorOf = new Map(data?.messages.edges.map((e) => [e.node.id, e.cursor]) ?? []);
  const lastShown = messages.at(-1);
  const olderCursor =
    (lastShown && cursorOf.get(lastShown.id)) ?? data?.messages.pageInfo.endCursor ?? null;
  const counted = data?.messages.countUpTo;
  const total = (counted?.count ?? 0) + fresh.length;
  const start = (cursors.length - 1) * PAGE_SIZE;
  // Beyond the count's limit: "of 10,000+" (or of the rows already passed, deep in the list).
  const totalText =
    counted && !counted.exact
      ? `${formatNumber(Math.max(total, start + messages.length))}+`
      : formatNumber(total);
  const base = `/p/${encodeURIComponent(project)}/buckets/${encodeURIComponent(bucket)}`;

  const apply = (next: FilterDraft) => {
    setDraft(next);
    if (Object.keys(filterProblems(next)).length > 0) return;
    setFilter(toFilter(next));
    setCursors([null]);
  };
  const showLatest = () => {
    setCursors([null]);
    setWaiting([]);
    listRef.current?.scrollTo({ top: 0 });
    refetch({ requestPolicy: "network-only" });
  };

  if (result.fetching && !result.data) return <SkeletonRows rows={6} height={56} />;
  if (result.error && !result.data)
    return (
      <ErrorState
        message={errorMessage(result.error) ?? ""}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  if (!data) {
    return (
      <EmptyState icon="bucket" title="Bucket not found">
        Project <code>{project}</code> has no bucket named <code>{bucket}</code>.
      </EmptyState>
    );
  }

  return (
    <>
      <PageHeader
        title={data.title || data.name}
        badges={<code class="api-name">{data.name}</code>}
        subtitle={`${formatNumber(data.messageCount + fresh.length)} messages, ${order === "NEWEST_FIRST" ? "newest" : "oldest"} first.`}
        actions={
          <div class="segmented" role="group" aria-label="Order">
            {(["NEWEST_FIRST", "OLDEST_FIRST"] as const).map((o) => (
              <button
                key={o}
                type="button"
                aria-pressed={order === o}
                onClick={() => {
                  setOrder(o);
                  setCursors([null]);
                }}
              >
                {o === "NEWEST_FIRST" ? "Newest first" : "Oldest first"}
              </button>
            ))}
          </div>
        }
      />
      <form
        class="filter-bar"
        role="search"
        aria-label="Filter messages"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <div class="filter-field filter-search">
          <Icon name="search" class="input-icon" />
          <input
            class="input"
            type="search"
            aria-label="Search subject and body"
            placeholder="Search subject and body"
            value={draft.search}
            onInput={(e) => setDraft({ ...draft, search: e.currentTarget.value })}
          />
        </div>
        <input
          class="input filter-field"
          aria-label="Folder"
          placeholder="Folder (and below)"
          list="bucket-folders"
          value={draft.folder}
          onInput={(e) => setDraft({ ...draft, folder: e.currentTarget.value })}
        />
        <datalist id="bucket-folders">
          {data.folders.map((f) => (
            <option key={f} value={f} label={displayFolder(f)} />
          ))}
        </datalist>
        <input
          class="input filter-field"
          aria-label="Participant address"
          aria-invalid={problems.participant ? true : undefined}
          aria-describedby={problems.participant ? "filter-problems" : undefined}
          placeholder="Participant address"
          value={draft.participant}
          onInput={(e) => setDraft({ ...draft, participant: e.currentTarget.value })}
        />
        <input
          class="input filter-field filter-narrow"
          aria-label="Participant domain"
          aria-invalid={problems.domain ? true : undefined}
          aria-describedby={problems.domain ? "filter-problems" : undefined}
          placeholder="Domain"
          value={draft.domain}
          onInput={(e) => setDraft({ ...draft, domain: e.currentTarget.value })}
        />
        <div class="filter-group">
          <label class="filter-date">
            <span>From</span>
            <input
              class="input"
              type="date"
              value={draft.receivedFrom}
              onInput={(e) => setDraft({ ...draft, receivedFrom: e.currentTarget.value })}
            />
          </label>
          <label class="filter-date">
            <span>To</span>
            <input
              class="input"
              type="date"
              value={draft.receivedTo}
              onInput={(e) => setDraft({ ...draft, receivedTo: e.currentTarget.value })}
            />
          </label>
          <button type="submit" class="btn btn-primary">
            Apply
          </button>
          {filter && (
            <button type="button" class="btn btn-ghost" onClick={() => apply(emptyFilter)}>
              Clear
            </button>
          )}
        </div>
        {(Object.keys(problems).length > 0 || (result.error && data)) && (
          <p id="filter-problems" class="form-error filter-problems" role="alert">
            {Object.keys(problems).length > 0
              ? Object.values(problems).join(" ")
              : errorMessage(result.error)}
          </p>
        )}
      </form>

      <div class={`browser${messageId ? " has-message" : ""}`}>
        <div class="message-list-panel card card-flush">
          <div class="list-toolbar">
            <span class="muted" aria-live="polite">
              {total === 0
                ? "No messages"
                : `${formatNumber(start + 1)}–${formatNumber(start + messages.length)} of ${totalText}`}
              {filter && " (filtered)"}
            </span>
            <span class="list-toolbar-actions">
              {waiting.length > 0 && (
                <button type="button" class="btn btn-sm btn-accent-soft" onClick={showLatest}>
                  {waiting.length} new {waiting.length === 1 ? "message" : "messages"}
                </button>
              )}
              <button
                type="button"
                class="btn btn-sm btn-icon"
                aria-label="Newer messages"
                disabled={firstPage}
                onClick={() => setCursors(cursors.slice(0, -1))}
              >
                <Icon name="chevronLeft" />
              </button>
              <button
                type="button"
                class="btn btn-sm btn-icon"
                aria-label="Older messages"
                disabled={!hasOlder}
                onClick={() => setCursors([...cursors, olderCursor])}
              >
                <Icon name="chevronRight" />
              </button>
            </span>
          </div>
          <div class="message-list" ref={listRef} aria-busy={result.fetching}>
            {messages.length === 0 ? (
              <EmptyState icon="mail" title={filter ? "No message matches" : "No messages yet"}>
                {filter
                  ? "Change or clear the filters."
                  : "Messages appear here as soon as a mailbox syncing into this bucket stores them."}
              </EmptyState>
            ) : (
              <ul aria-label="Messages">
                {messages.map((m) => (
                  <li
                    key={m.id}
                    class={`${freshIds.has(m.id) ? "is-fresh " : ""}${m.id === messageId ? "is-selected" : ""}`}
                  >
                    <Link
                      class="message-row"
                      href={`${base}/messages/${encodeURIComponent(m.id)}`}
                      aria-current={m.id === messageId ? "page" : undefined}
                    >
                      <span class="message-row-top">
                        <span class="message-from">
                          <MailText text={m.from?.name || m.from?.address || "(no sender)"} />
                        </span>
                        <time class="message-time" dateTime={m.receivedAt}>
                          {shortTime(m.receivedAt)}
                        </time>
                      </span>
                      <span class="message-row-bottom">
                        <span class="message-subject">
                          {m.subject ? <MailText text={m.subject} /> : "(no subject)"}
                        </span>
                        {m.attachments.length > 0 && (
                          <Icon
                            name="paperclip"
                            size={14}
                            aria-label={`${m.attachments.length} attachments`}
                          />
                        )}
                      </span>
                      <span class="message-folder" title={displayFolder(m.folder)}>
                        {lastSegment(m.folder)}
                      </span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
        <div class="message-panel">
          {messageId ? (
            <MessageView id={messageId} closeHref={base} />
          ) : (
            <div class="card message-placeholder">
              <EmptyState icon="mail" title="Select a message">
                Its participants, folder, body and attachments are shown here.
              </EmptyState>
            </div>
          )}
        </div>
      </div>
    </>
  );
}

const lastSegment = folderName;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const yearFormat = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
});

function shortTime(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return timeFormat.format(d);
  if (d.getFullYear() === now.getFullYear()) return dayFormat.format(d);
  return yearFormat.format(d);
}

/** Checks made before a filter is sent, in the form's words (the server checks the same). */
function filterProblems(d: FilterDraft): Partial<Record<keyof FilterDraft, string>> {
  const problems: Partial<Record<keyof FilterDraft, string>> = {};
  if (d.participant.trim()) {
    const p = emailProblem(d.participant);
    if (p) problems.participant = `Participant: ${p}`;
  }
  if (d.domain.trim()) {
    const p = domainProblem(d.domain);
    if (p) problems.domain = `Domain: ${p}`;
  }
  return problems;
}
