import { useQuery, useSubscription } from "@urql/preact";
import { useEffect, useState } from "preact/hooks";
import { BucketsDocument, MessageAddedDocument } from "../../gql/graphql";
import { Link } from "../../router";
import { EmptyState } from "../../ui/feedback";
import { formatDate, formatNumber } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { PageHeader } from "../../ui/page";
import { can, useSession } from "../session/session-context";
import { QueryStates } from "../../api/query-states";

export default function BucketsPage({ project }: { project: string }) {
  const { viewer } = useSession();
  const [result, refetch] = useQuery({
    query: BucketsDocument,
    variables: { project },
    requestPolicy: "cache-and-network",
  });
  const [added, setAdded] = useState<Map<string, number>>(new Map());
  const liveCounts = can(viewer, project, "MESSAGES_READ");
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

  const buckets = result.data?.project?.buckets ?? [];
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
        <div class="card card-flush">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col" class="num">
                  Messages
                </th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.id}>
                  <td>
                    <Link
                      class="row-link"
                      href={`/p/${encodeURIComponent(project)}/buckets/${encodeURIComponent(b.name)}`}
                    >
                      <Icon name="bucket" />
                      <span>
                        <strong>{b.title || b.name}</strong>
                        {b.title && b.title !== b.name && <code class="api-name">{b.name}</code>}
                      </span>
                    </Link>
                  </td>
                  <td class="num">{formatNumber(b.messageCount + (added.get(b.id) ?? 0))}</td>
                  <td>{formatDate(b.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryStates>
    </>
  );
}
