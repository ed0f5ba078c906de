import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { downloadAttachment } from "../../api/attachments";
import { errorMessage } from "../../api/errors";
import { MessageDetailDocument, type MessageDetailQuery } from "../../gql/graphql";
import { Link } from "../../router";
import { EmptyState, ErrorState, SkeletonRows, toast } from "../../ui/feedback";
import { formatBytes, formatDateTime } from "../../ui/format";
import { revealBidiControls } from "../../ui/bidi";
import { displayFolder } from "../../ui/folder-path";
import { Icon } from "../../ui/icons";
import { MailText } from "../../ui/mail-text";
import { useSession } from "../session/session-context";
import "./bucket-page.css";

type Message = NonNullable<MessageDetailQuery["message"]>;
type Participant = Message["to"][number];

/** Remote content (tracking pixels, scripts) never loads: the HTML body renders sandboxed. */
const HTML_POLICY = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:">`;
/** Readable defaults for mail without its own styles (the message's styles still win). */
const HTML_BASE_STYLE = `<style>body{margin:12px;font:14px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;overflow-wrap:anywhere}</style>`;

export function MessageView({ id, closeHref }: { id: string; closeHref: string }) {
  const [result, refetch] = useQuery({ query: MessageDetailDocument, variables: { id } });
  const message = result.data?.message;
  if (result.fetching && !result.data)
    return (
      <div class="card">
        <SkeletonRows rows={5} height={28} />
      </div>
    );
  if (result.error && !result.data)
    return (
      <ErrorState
        message={errorMessage(result.error) ?? ""}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  if (!message) {
    return (
      <div class="card">
        <EmptyState icon="mail" title="Message not found" />
      </div>
    );
  }
  return <MessageBody key={message.id} message={message} closeHref={closeHref} />;
}

function MessageBody({ message, closeHref }: { message: Message; closeHref: string }) {
  const { token } = useSession();
  const [view, setView] = useState<"html" | "text">(message.bodyHtml ? "html" : "text");
  const [downloading, setDownloading] = useState<string | null>(null);
  return (
    <article class="card message-view" aria-labelledby="message-subject">
      <header class="message-header">
        <div class="message-title-row">
          <h2 id="message-subject">
            {message.subject ? <MailText text={message.subject} /> : "(no subject)"}
          </h2>
          <Link class="btn btn-ghost btn-icon" href={closeHref} aria-label="Close message">
            <Icon name="x" />
          </Link>
        </div>
        <dl class="participants">
          <dt>From</dt>
          <dd>{message.from ? <ParticipantChip p={message.from} /> : "—"}</dd>
          <ParticipantRow label="To" list={message.to} />
          <ParticipantRow label="Cc" list={message.cc} />
          <ParticipantRow label="Bcc" list={message.bcc} />
          <dt>Received</dt>
          <dd>{formatDateTime(message.receivedAt)}</dd>
          <dt>Folder</dt>
          <dd>{displayFolder(message.folder)}</dd>
          <dt>Mailbox</dt>
          <dd>{message.mailbox}</dd>
        </dl>
        <details class="message-ids">
          <summary>Identifiers</summary>
          <dl class="details-grid">
            <dt>Message-ID</dt>
            <dd class="mono">{message.internetMessageId}</dd>
            <dt>Sequence</dt>
            <dd class="mono">{message.sequenceId}</dd>
            <dt>Stored</dt>
            <dd>{formatDateTime(message.storedAt)}</dd>
            {message.conversationId && (
              <>
                <dt>Conversation</dt>
                <dd class="mono">{message.conversationId}</dd>
              </>
            )}
          </dl>
        </details>
      </header>

      {message.attachments.length > 0 && (
        <section class="attachments" aria-label="Attachments">
          <ul>
            {message.attachments.map((a, i) => (
              <li key={`${a.name}-${i}`} class="attachment">
                <Icon name="paperclip" />
                <span class="attachment-text">
                  <span class="attachment-name" title={revealBidiControls(a.name)}>
                    <MailText text={a.name} />
                  </span>
                  <span class="muted">
                    {a.contentType} · {formatBytes(a.size)}
                    {a.inline ? " · inline" : ""}
                  </span>
                </span>
                {a.reference ? (
                  <button
                    type="button"
                    class="btn btn-sm"
                    aria-label={`Download ${revealBidiControls(a.name)}`}
                    disabled={downloading === a.reference}
                    onClick={async () => {
                      setDownloading(a.reference!);
                      try {
                        await downloadAttachment(token, a.reference!, a.name);
                      } catch (error) {
                        toast((error as Error).message, "danger");
                      } finally {
                        setDownloading(null);
                      }
                    }}
                  >
                    <Icon name="download" size={14} />{" "}
                    {downloading === a.reference ? "Downloading…" : "Download"}
                  </button>
                ) : (
                  <span
                    class="muted attachment-note"
                    title="The mailbox does not sync attachment contents"
                  >
                    Contents not synced
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="message-content" aria-label="Body">
        {message.bodyHtml && (
          <div class="segmented" role="group" aria-label="Body format">
            <button type="button" aria-pressed={view === "html"} onClick={() => setView("html")}>
              HTML
            </button>
            <button type="button" aria-pressed={view === "text"} onClick={() => setView("text")}>
              Text
            </button>
          </div>
        )}
        {view === "html" && message.bodyHtml ? (
          <iframe
            class="message-html"
            title="Message body"
            sandbox=""
            srcdoc={`${HTML_POLICY}${HTML_BASE_STYLE}${message.bodyHtml}`}
          />
        ) : (
          <pre class="message-text">{message.bodyText || "(empty body)"}</pre>
        )}
      </section>
    </article>
  );
}

function ParticipantRow({ label, list }: { label: string; list: Participant[] }) {
  if (list.length === 0) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd class="participant-list">
        {list.map((p) => (
          <ParticipantChip key={p.address} p={p} />
        ))}
      </dd>
    </>
  );
}

function ParticipantChip({ p }: { p: Participant }) {
  return (
    <span class="participant" title={p.address}>
      {p.name ? (
        <>
          <MailText text={p.name} /> <span class="muted">&lt;{p.address}&gt;</span>
        </>
      ) : (
        p.address
      )}
    </span>
  );
}
