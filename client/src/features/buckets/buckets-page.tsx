import { useMutation, useQuery, useSubscription } from "@urql/preact";
import { useEffect, useState } from "preact/hooks";
import { formErrors } from "../../api/errors";
import { QueryStates } from "../../api/query-states";
import { BucketsDocument, DeleteBucketDocument, MessageAddedDocument } from "../../gql/graphql";
import { Link } from "../../router";
import { ConfirmDialog } from "../../ui/dialog";
import { EmptyState, toast } from "../../ui/feedback";
import { formatDate, formatNumber, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { byNumberDesc, byText, useListTools } from "../../ui/list-tools";
import { PageHeader } from "../../ui/page";
import { can, useSession } from "../session/session-context";
import "./bucket-page.css";

interface Feeder {
  email: string;
  integration: string;
  integrationName: string;
}

export default function BucketsPage({ project }: { project: string }) {
  const { viewer } = useSession();
  const [result, refetch] = useQuery({
    query: BucketsDocument,
    variables: { project },
    requestPolicy: "cache-and-network",
  });
  const [added, setAdded] = useState<Map<string, number>>(new Map());
  const [deleting, setDeleting] = useState<{ id: string; name: string; messages: number } | null>(
    null,
  );
  const [removal, deleteBucket] = useMutation(DeleteBucketDocument);
  const liveCounts = can(viewer, project, "MESSAGES_READ");
  const writable = can(viewer, project, "BUCKETS_WRITE");
  const [event] = useSubscription({
    query: MessageAddedDocument,
    variables: { project },
    pause: !liveCounts,
  });
  useEffect(() => {
    const e = event.data?.messageAdded;
    if (e) setAdded((m) => new Map(m).set(e.bucketId, (m.get(e.bucketId) ?? 0) + 1));
  }, [event.data]);
  useEffect(() => setAdded(new Map()), [result.data]);

  const data = result.data?.project;
  const buckets = data?.buckets ?? [];
  // Which mailboxes feed each bucket, and which streams read it.
  const feeders = new Map<string, Feeder[]>();
  for (const integration of data?.integrations ?? [])
    for (const m of integration.mailboxes)
      feeders.set(m.bucket.id, [
        ...(feeders.get(m.bucket.id) ?? []),
        {
          email: m.email,
          integration: integration.title || integration.name,
          integrationName: integration.name,
        },
      ]);
  const readers = new Map<string, string[]>();
  for (const stream of data?.streams ?? [])
    for (const b of stream.buckets) readers.set(b.id, [...(readers.get(b.id) ?? []), stream.name]);
  const count = (b: (typeof buckets)[number]) => b.messageCount + (added.get(b.id) ?? 0);
  const list = useListTools(buckets, {
    noun: "buckets",
    textOf: (b) => [b.name, b.title, ...(feeders.get(b.id) ?? []).map((f) => f.email)],
    sorts: {
      name: { label: "Name", compare: byText((b) => (b.title || b.name).toLowerCase()) },
      messages: { label: "Most messages", compare: byNumberDesc(count) },
      created: { label: "Newest", compare: (a, b) => b.createdAt.localeCompare(a.createdAt) },
    },
  });
  const enc = encodeURIComponent;

  return (
    <>
      <PageHeader
        title="Buckets"
        subtitle="Where synced messages are kept; a bucket is an archive of what was synced."
      />
      <QueryStates
        result={result}
        refetch={refetch}
        skeleton={{ rows: 3, height: 52 }}
        isEmpty={buckets.length === 0}
        empty={
          <EmptyState icon="bucket" title="No buckets yet">
            Buckets are created when you add a mailbox to an integration (or choose one of your
            own).
          </EmptyState>
        }
      >
        {list.controls}
        <div class="card card-flush">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col">Fed by</th>
                <th scope="col" class="num">
                  Messages
                </th>
                <th scope="col">Created</th>
                {writable && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.visible.map((b) => {
                const fed = feeders.get(b.id) ?? [];
                const read = readers.get(b.id) ?? [];
                const label = b.title || b.name;
                const blocked =
                  fed.length > 0
                    ? `${plural(fed.length, "mailbox", "mailboxes")} sync into it: remove them from their integration first.`
                    : read.length > 0
                      ? `Read by ${plural(read.length, "stream")} (${read.join(", ")}): delete those streams first.`
                      : null;
                return (
                  <tr key={b.id}>
                    <td>
                      <Link class="row-link" href={`/p/${enc(project)}/buckets/${enc(b.name)}`}>
                        <Icon name="bucket" />
                        <span>
                          <strong>{label}</strong>
                          {b.title && b.title !== b.name && <code class="api-name">{b.name}</code>}
                        </span>
                      </Link>
                    </td>
                    <td class="feeders">
                      {fed.length === 0 ? (
                        <span class="muted">No mailbox</span>
                      ) : (
                        fed.map((f) => (
                          <span key={f.email} class="feeder">
                            {f.email}{" "}
                            <Link
                              class="muted"
                              href={`/p/${enc(project)}/integrations/${enc(f.integrationName)}`}
                            >
                              ({f.integration})
                            </Link>
                          </span>
                        ))
                      )}
                    </td>
                    <td class="num">{formatNumber(count(b))}</td>
                    <td>{formatDate(b.createdAt)}</td>
                    {writable && (
                      <td class="actions-cell">
                        <button
                          type="button"
                          class="btn btn-ghost btn-icon btn-danger-ghost"
                          aria-label={`Delete bucket ${label}`}
                          title={blocked ?? "Delete bucket"}
                          disabled={blocked !== null}
                          onClick={() => setDeleting({ id: b.id, name: label, messages: count(b) })}
                        >
                          <Icon name="trash" />
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {list.pager}
      </QueryStates>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete bucket ${deleting?.name ?? ""}?`}
        confirmLabel="Delete bucket"
        danger
        busy={removal.fetching}
        error={removal.error ? formErrors(removal.error).general.join(" ") : null}
        onCancel={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          const outcome = await deleteBucket(
            { id: deleting.id },
            { additionalTypenames: ["Bucket"] },
          );
          if (!outcome.error) {
            toast(`Bucket ${deleting.name} deleted.`, "info");
            setDeleting(null);
            refetch({ requestPolicy: "network-only" });
          }
        }}
      >
        <p>
          This deletes the bucket and its {plural(deleting?.messages ?? 0, "message")} with their
          attachments, for good. No mailbox syncs into it and no stream reads it.
        </p>
      </ConfirmDialog>
    </>
  );
}
