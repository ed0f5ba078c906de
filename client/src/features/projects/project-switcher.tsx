import { useMutation } from "@urql/preact";
import { useId, useState } from "preact/hooks";
import { errorFor, formErrors, unplacedErrors } from "../../api/errors";
import { CreateProjectDocument, type ProjectsQuery } from "../../gql/graphql";
import { TextField } from "../../ui/controls";
import { Dialog } from "../../ui/dialog";
import { toast } from "../../ui/feedback";
import { Icon } from "../../ui/icons";
import "./project-switcher.css";

type Project = ProjectsQuery["projects"][number];

export function ProjectSwitcher({
  projects,
  current,
  onSelect,
  canCreate,
}: {
  projects: Project[];
  current: string | null;
  onSelect: (name: string) => void;
  canCreate: boolean;
}) {
  const id = useId();
  const [creating, setCreating] = useState(false);
  return (
    <div class="project-switcher">
      <label for={id} class="sidebar-label">
        Project
      </label>
      <div class="project-switcher-row">
        <div class="select-wrap">
          <select
            id={id}
            class="select select-dark"
            value={current ?? ""}
            onChange={(event) => onSelect(event.currentTarget.value)}
            disabled={projects.length === 0}
          >
            {current === null && <option value="">No project</option>}
            {projects.map((p) => (
              <option key={p.id} value={p.name}>
                {p.title && p.title !== p.name ? `${p.title} (${p.name})` : p.name}
              </option>
            ))}
          </select>
          <Icon name="chevronDown" size={14} class="select-chevron" />
        </div>
        {canCreate && (
          <button
            type="button"
            class="btn btn-icon btn-sidebar"
            aria-label="New project"
            title="New project"
            onClick={() => setCreating(true)}
          >
            <Icon name="plus" />
          </button>
        )}
      </div>
      <NewProjectDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => {
          setCreating(false);
          onSelect(name);
        }}
      />
    </div>
  );
}

export function NewProjectDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (name: string) => void;
}) {
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [budget, setBudget] = useState("");
  const [result, create] = useMutation(CreateProjectDocument);
  const errors = formErrors(result.error);
  const budgetError =
    budget && !/^\d+$/.test(budget) ? "A whole number of units, or empty for no budget." : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (budgetError) return;
    const outcome = await create(
      {
        input: {
          name: name.trim(),
          title: title.trim() || null,
          description: description.trim() || null,
          unitBudget: budget ? Number(budget) : null,
        },
      },
      { additionalTypenames: ["Project"] },
    );
    if (outcome.data) {
      toast(`Project ${outcome.data.createProject.name} created.`);
      setName("");
      setTitle("");
      setDescription("");
      setBudget("");
      onCreated(outcome.data.createProject.name);
    }
  };

  return (
    <Dialog
      open={open}
      title="New project"
      description="Integrations, buckets and streams all belong to one project."
      onClose={onClose}
    >
      <form onSubmit={submit} class="form" noValidate>
        {unplacedErrors(errors, ["name", "title", "description", "unitBudget"]).map((e) => (
          <p class="form-error" role="alert" key={e}>
            {e}
          </p>
        ))}
        <TextField
          label="API name"
          value={name}
          onValue={setName}
          required
          error={errorFor(errors, "name")}
          pattern="[A-Za-z0-9_\-]{1,256}"
          spellcheck={false}
          mono
          hint="Letters, digits, - and _. Used in API calls; it cannot be changed later."
          badge={<Icon name="lock" size={12} class="label-icon" />}
        />
        <TextField
          label="Title"
          value={title}
          onValue={setTitle}
          error={errorFor(errors, "title")}
        />
        <TextField
          label="Description"
          value={description}
          onValue={setDescription}
          error={errorFor(errors, "description")}
        />
        <TextField
          label="Unit budget"
          value={budget}
          onValue={setBudget}
          inputMode="numeric"
          error={budgetError ?? errorFor(errors, "unitBudget")}
          hint="Each message stored in a bucket costs 1 unit. Integrations pause when the budget is reached. Leave empty for no budget."
        />
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={result.fetching || !name.trim()}>
            {result.fetching ? "Creating…" : "Create project"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
