import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorFor, formErrors, unplacedErrors } from "../../api/errors";
import {
  CreateStreamDocument,
  StreamsDocument,
  type StreamFieldsFragment,
  type StreamsQuery,
} from "../../gql/graphql";
import { Link, navigate } from "../../router";
import { Field, TextField } from "../../ui/controls";
import { Dialog } from "../../ui/dialog";
import { EmptyState, toast } from "../../ui/feedback";
import { formatDate, fromDateTimeInput } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { ListEditor } from "../../ui/list-editor";
import { byText, useListTools } from "../../ui/list-tools";
import { PageHeader } from "../../ui/page";
import { domainProblem, emailProblem, folderProblem } from "../integrations/filter-rules";
import { can, useSession } from "../session/session-context";
import { LagValue, useStreamLag } from "./stream-lag";
import { QueryStates } from "../../api/query-states";
import "./streams.css";

export default function StreamsPage({ project }: { project: string }) {
  const { viewer } = useSession();
  const [result, refetch] = useQuery({ query: StreamsDocument, variables: { project } });
  const [creating, setCreating] = useState(false);
  const canAdmin = can(viewer, project, "STREAMS_ADMIN");
  const canConsume = can(viewer, project, "STREAMS_CONSUME");
  const streams = result.data?.project?.streams ?? [];
  const list = useListTools(streams, {
    noun: "streams",
    textOf: (s) => [s.name, s.title, ...s.buckets.map((b) => b.name)],
    sorts: {
      name: { label: "Name", compare: byText((s) => (s.title || s.name).toLowerCase()) },
      created: { label: "Newest", compare: (a, b) => b.createdAt.localeCompare(a.createdAt) },
    },
  });
  const buckets = result.data?.project?.buckets ?? [];
  const create = canAdmin && (
    <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
      <Icon name="plus" /> New stream
    </button>
  );
  return (
    <>
      <PageHeader
        title="Streams"
        subtitle="Ordered reads over buckets for downstream consumers, each with its own position."
        actions={create}
      />
      <QueryStates
        result={result}
        refetch={refetch}
        skeleton={{ rows: 3, height: 52 }}
        isEmpty={streams.length === 0}
        empty={
          <EmptyState icon="stream" title="No streams yet" action={create}>
            A stream hands the messages stored in some buckets to a consumer, in order and at least
            once.
          </EmptyState>
        }
      >
        {list.controls}
        <div class="card card-flush">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Buckets</th>
                <th scope="col">Filter</th>
                <th scope="col" class="num">
                  Position
                </th>
                <th scope="col" class="num">
                  Lag
                </th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.visible.map((s) => (
                <StreamRow key={s.id} stream={s} project={project} canConsume={canConsume} />
              ))}
            </tbody>
          </table>
        </div>
        {list.pager}
      </QueryStates>
      {creating && (
        <NewStreamDialog project={project} buckets={buckets} onClose={() => setCreating(false)} />
      )}
    </>
  );
}

function StreamRow({
  stream,
  project,
  canConsume,
}: {
  stream: StreamFieldsFragment;
  project: string;
  canConsume: boolean;
}) {
  const lag = useStreamLag(project, stream.name, canConsume, 10_000);
  return (
    <tr>
      <td>
        <Link
          class="row-link"
          href={`/p/${encodeURIComponent(project)}/streams/${encodeURIComponent(stream.name)}`}
        >
          <Icon name="stream" />
          <span>
            <strong>{stream.title || stream.name}</strong>
            {stream.title && stream.title !== stream.name && (
              <code class="api-name">{stream.name}</code>
            )}
          </span>
        </Link>
      </td>
      <td class="cell-truncate" title={stream.buckets.map((b) => b.name).join(", ")}>
        {stream.buckets.map((b) => b.title || b.name).join(", ") || "—"}
      </td>
      <td class="muted nowrap">{filterSummary(stream.filter)}</td>
      <td class="num mono">#{stream.position}</td>
      <td class="num">
        <LagValue pending={lag.pending} more={lag.more} />
      </td>
      <td class="nowrap">{formatDate(stream.createdAt)}</td>
    </tr>
  );
}

export function filterSummary(f: StreamFieldsFragment["filter"]): string {
  const parts: string[] = [];
  if (f.receivedFrom || f.receivedTo) parts.push("received range");
  if (f.folders.length) parts.push(`${f.folders.length} folder${f.folders.length > 1 ? "s" : ""}`);
  if (f.participants.length)
    parts.push(`${f.participants.length} participant${f.participants.length > 1 ? "s" : ""}`);
  if (f.domains.length) parts.push(`${f.domains.length} domain${f.domains.length > 1 ? "s" : ""}`);
  return parts.length ? parts.join(", ") : "All messages";
}

type StartAt = "NOW" | "BEGINNING" | "AT";

function NewStreamDialog({
  project,
  buckets,
  onClose,
}: {
  project: string;
  buckets: NonNullable<StreamsQuery["project"]>["buckets"];
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");
  const [bucketIds, setBucketIds] = useState<string[]>(
    buckets.length === 1 ? [buckets[0]!.id] : [],
  );
  const [folders, setFolders] = useState<string[]>([]);
  const [participants, setParticipants] = useState<string[]>([]);
  const [domains, setDomains] = useState<string[]>([]);
  const [startAt, setStartAt] = useState<StartAt>("NOW");
  const [startTime, setStartTime] = useState("");
  const [result, create] = useMutation(CreateStreamDocument);
  const errors = formErrors(result.error);

  const submit = async (event: Event) => {
    event.preventDefault();
    const start =
      startAt === "BEGINNING"
        ? new Date(0).toISOString()
        : startAt === "AT"
          ? fromDateTimeInput(startTime)
          : null;
    const outcome = await create(
      {
        input: {
          project,
          name: name.trim(),
          title: title.trim() || null,
          bucketIds,
          filter: { folders, participants, domains },
          startAt: start,
        },
      },
      { additionalTypenames: ["Stream"] },
    );
    if (outcome.data) {
      toast(`Stream ${outcome.data.createStream.name} created.`);
      onClose();
      navigate(
        `/p/${encodeURIComponent(project)}/streams/${encodeURIComponent(outcome.data.createStream.name)}`,
      );
    }
  };

  return (
    <Dialog
      open
      wide
      title="New stream"
      description="A stream reads one or more buckets in storage order; consumers fetch, then advance its position."
      onClose={onClose}
    >
      <form class="form" onSubmit={submit} noValidate>
        {unplacedErrors(errors, [
          "name",
          "title",
          "bucketIds",
          "filter.folders",
          "filter.participants",
          "filter.domains",
          "startAt",
        ]).map((e) => (
          <p key={e} class="form-error" role="alert">
            {e}
          </p>
        ))}
        <div class="form-grid">
          <TextField
            label="API name"
            value={name}
            onValue={setName}
            required
            mono
            spellcheck={false}
            error={errorFor(errors, "name")}
            hint="Letters, digits, - and _."
          />
          <TextField
            label="Title"
            value={title}
            onValue={setTitle}
            error={errorFor(errors, "title")}
          />
        </div>
        <fieldset class="form-section">
          <legend>Buckets</legend>
          {buckets.length === 0 ? (
            <p class="muted">This project has no buckets yet.</p>
          ) : (
            <div class="checkbox-grid">
              {buckets.map((b) => (
                <label key={b.id} class="checkbox">
                  <input
                    type="checkbox"
                    checked={bucketIds.includes(b.id)}
                    onChange={(e) =>
                      setBucketIds(
                        e.currentTarget.checked
                          ? [...bucketIds, b.id]
                          : bucketIds.filter((id) => id !== b.id),
                      )
                    }
                  />
                  <span>{b.title || b.name}</span>
                </label>
              ))}
            </div>
          )}
          {errorFor(errors, "bucketIds") && (
            <p class="field-error">{errorFor(errors, "bucketIds")}</p>
          )}
        </fieldset>
        <fieldset class="form-section">
          <legend>Filter (optional)</legend>
          <div class="form-grid form-grid-3">
            <ListEditor
              label="Folders"
              values={folders}
              onChange={setFolders}
              validate={folderProblem}
              mono
              error={errorFor(errors, "filter.folders")}
            />
            <ListEditor
              label="Participants"
              values={participants}
              onChange={setParticipants}
              validate={emailProblem}
              error={errorFor(errors, "filter.participants")}
            />
            <ListEditor
              label="Domains"
              values={domains}
              onChange={setDomains}
              validate={domainProblem}
              error={errorFor(errors, "filter.domains")}
            />
          </div>
        </fieldset>
        <fieldset class="form-section">
          <legend>Start</legend>
          <div class="radio-row">
            <label class="checkbox">
              <input
                type="radio"
                name="start"
                checked={startAt === "NOW"}
                onChange={() => setStartAt("NOW")}
              />{" "}
              <span>With messages stored from now on</span>
            </label>
            <label class="checkbox">
              <input
                type="radio"
                name="start"
                checked={startAt === "BEGINNING"}
                onChange={() => setStartAt("BEGINNING")}
              />{" "}
              <span>From the oldest stored message</span>
            </label>
            <label class="checkbox">
              <input
                type="radio"
                name="start"
                checked={startAt === "AT"}
                onChange={() => setStartAt("AT")}
              />{" "}
              <span>From a time</span>
            </label>
          </div>
          {startAt === "AT" && (
            <Field label="Start at" error={errorFor(errors, "startAt")}>
              {({ id, describedBy }) => (
                <input
                  id={id}
                  class="input"
                  type="datetime-local"
                  value={startTime}
                  aria-describedby={describedBy}
                  onInput={(e) => setStartTime(e.currentTarget.value)}
                />
              )}
            </Field>
          )}
        </fieldset>
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            class="btn btn-primary"
            disabled={result.fetching || !name.trim() || bucketIds.length === 0}
          >
            {result.fetching ? "Creating…" : "Create stream"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
