import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { QueryStates } from "../../api/query-states";
import { AuditLogDocument } from "../../gql/graphql";
import { EmptyState } from "../../ui/feedback";
import { formatDateTime } from "../../ui/format";
import { PageHeader } from "../../ui/page";
import { Badge } from "../integrations/status";
import { useSession } from "../session/session-context";
import "./audit-page.css";

const PAGE_SIZE = 50;

/** The audit log (admins only): every mutation, who made it and how it ended, newest first. */
export default function AuditPage() {
  const { viewer } = useSession();
  const [project, setProject] = useState<string>("");
  /** Cursors of the pages before this one; the last is this page's `after`. */
  const [cursors, setCursors] = useState<string[]>([]);
  const [result, refetch] = useQuery({
    query: AuditLogDocument,
    variables: { project: project || null, first: PAGE_SIZE, after: cursors.at(-1) ?? null },
    pause: !viewer.admin,
    requestPolicy: "cache-and-network",
  });
  if (!viewer.admin) {
    return (
      <>
        <PageHeader title="Audit log" />
        <EmptyState icon="lock" title="Admins only">
          The audit log lists every change made through the API; only an admin token may read it.
        </EmptyState>
      </>
    );
  }
  const edges = result.data?.auditLog.edges ?? [];
  const pageInfo = result.data?.auditLog.pageInfo;
  const projects = result.data?.projects ?? [];
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every mutation made through the API: which token made it, on what, and whether it was done or refused. Newest first; secrets are never recorded."
        actions={
          <select
            class="select"
            aria-label="Project"
            value={project}
            onChange={(e) => {
              setProject(e.currentTarget.value);
              setCursors([]);
            }}
          >
            <option value="">All projects</option>
            {projects.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        }
      />
      <QueryStates
        result={result}
        refetch={refetch}
        skeleton={{ rows: 6, height: 44 }}
        isEmpty={edges.length === 0}
        empty={<EmptyState icon="shield" title="Nothing logged yet" />}
      >
        <div class="card card-flush">
          <table class="table audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Token</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node: e }) => (
                <tr key={e.id}>
                  <td class="nowrap">{formatDateTime(e.at)}</td>
                  <td>
                    <strong>{e.tokenName}</strong>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.targetType && <span class="muted">{e.targetType} </span>}
                    {e.targetName ?? e.targetId ?? "—"}
                    {e.project && e.targetType !== "Project" && (
                      <div class="muted">
                        in <code>{e.project}</code>
                      </div>
                    )}
                  </td>
                  <td>
                    <Badge tone={e.outcome === "OK" ? "ok" : "danger"}>{e.outcome}</Badge>
                  </td>
                  <td class="muted audit-summary">{e.summary || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="pager">
          <button
            type="button"
            class="btn btn-sm"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            class="btn btn-sm"
            disabled={!pageInfo?.hasNextPage}
            onClick={() => pageInfo?.endCursor && setCursors([...cursors, pageInfo.endCursor])}
          >
            Older
          </button>
        </div>
      </QueryStates>
    </>
  );
}
