import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorFor, formErrors, unplacedErrors } from "../../api/errors";
import { UpdateBudgetDocument, UsageDocument, type UsageQuery } from "../../gql/graphql";
import { TextField } from "../../ui/controls";
import { Dialog } from "../../ui/dialog";
import { EmptyState, toast } from "../../ui/feedback";
import { formatNumber, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { Meter } from "../../ui/meters";
import { PageHeader } from "../../ui/page";
import { UsageChart } from "./usage-chart";
import { useSession } from "../session/session-context";
import { QueryStates } from "../../api/query-states";

type Project = UsageQuery["projects"][number];

export default function UsagePage() {
  const { viewer } = useSession();
  const [result, refetch] = useQuery({ query: UsageDocument, requestPolicy: "cache-and-network" });
  const [editing, setEditing] = useState<Project | null>(null);
  const projects = result.data?.projects ?? [];
  const total = projects.reduce((sum, p) => sum + p.usage.unitsCharged, 0);
  return (
    <>
      <PageHeader
        title="Usage"
        subtitle={`Each message created in a bucket costs 1 unit. ${plural(total, "unit")} charged across ${plural(projects.length, "project")}.`}
      />
      <QueryStates
        result={result}
        refetch={refetch}
        skeleton={{ rows: 3, height: 64 }}
        isEmpty={projects.length === 0}
        empty={<EmptyState icon="gauge" title="No projects" />}
      >
        <div class="card card-flush">
          <table class="table usage-table">
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col" class="num">
                  Messages created
                </th>
                <th scope="col" class="num">
                  Units charged
                </th>
                <th scope="col">Budget</th>
                {viewer.admin && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {projects.map((p) => {
                const used = p.usage.unitsCharged;
                const reached =
                  p.unitBudget !== null && p.unitBudget !== undefined && used >= p.unitBudget;
                return (
                  <tr key={p.id}>
                    <td>
                      <strong>{p.title || p.name}</strong> <code class="api-name">{p.name}</code>
                    </td>
                    <td class="num">{formatNumber(p.usage.messagesCreated)}</td>
                    <td class="num">{formatNumber(used)}</td>
                    <td class="budget-cell">
                      {p.unitBudget === null || p.unitBudget === undefined ? (
                        <span class="muted">No budget</span>
                      ) : (
                        <div class="budget">
                          <Meter
                            used={used}
                            budget={p.unitBudget}
                            label={`Units used of the budget of ${p.name}`}
                          />
                          <span class={reached ? "danger-text" : "muted"}>
                            {formatNumber(used)} / {formatNumber(p.unitBudget)}
                            {reached
                              ? " · reached, integrations paused"
                              : ` · ${Math.round((used / Math.max(p.unitBudget, 1)) * 100)}%`}
                          </span>
                        </div>
                      )}
                    </td>
                    {viewer.admin && (
                      <td class="actions-cell">
                        <button
                          type="button"
                          class="btn btn-sm"
                          aria-label={`Budget of ${p.title || p.name}`}
                          onClick={() => setEditing(p)}
                        >
                          <Icon name="edit" size={14} /> Budget
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <h2>Units per day</h2>
        {projects.map((p) => (
          <section key={p.id} class="card" aria-label={`Units per day of ${p.title || p.name}`}>
            <h3 class="card-title">{p.title || p.name}</h3>
            <UsageChart project={p.title || p.name} points={p.usageByDay} />
          </section>
        ))}
      </QueryStates>
      {editing && <BudgetDialog project={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

function BudgetDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const [value, setValue] = useState(
    project.unitBudget === null || project.unitBudget === undefined
      ? ""
      : String(project.unitBudget),
  );
  const [result, update] = useMutation(UpdateBudgetDocument);
  const errors = formErrors(result.error);
  const invalid = value !== "" && !/^\d+$/.test(value);
  return (
    <Dialog
      open
      title={`Budget of ${project.title || project.name}`}
      description="When the units charged reach the budget, the project's integrations pause until it is raised."
      onClose={onClose}
      footer={
        <>
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="btn btn-primary"
            disabled={invalid || result.fetching}
            onClick={async () => {
              const outcome = await update({
                name: project.name,
                unitBudget: value === "" ? null : Number(value),
              });
              if (!outcome.error) {
                toast(`Budget of ${project.name} saved.`);
                onClose();
              }
            }}
          >
            Save budget
          </button>
        </>
      }
    >
      {unplacedErrors(errors, ["unitBudget"]).map((e) => (
        <p key={e} class="form-error">
          {e}
        </p>
      ))}
      <TextField
        label="Unit budget"
        value={value}
        onValue={setValue}
        inputMode="numeric"
        error={
          invalid
            ? "A whole number of units, or empty for no budget."
            : errorFor(errors, "unitBudget")
        }
        hint={`${formatNumber(project.usage.unitsCharged)} units charged so far. Leave empty for no budget.`}
      />
    </Dialog>
  );
}
