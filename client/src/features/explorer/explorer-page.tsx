import { useEffect, useMemo, useState } from "preact/hooks";
import { storedToken } from "../../api/session";
import { Callout } from "../../ui/feedback";
import { Icon } from "../../ui/icons";
import { PageHeader } from "../../ui/page";
import {
  ROOT_FIELDS_QUERY,
  curlCommand,
  parseVariables,
  rootFields,
  runOperation,
  type ExplorerAnswer,
  type RootField,
} from "./explorer-request";
import "./explorer-page.css";

const FIRST_OPERATION = `# Runs against this server with your session's token (Ctrl+Enter).
query Overview {
  viewer { name admin }
  projects {
    name
    integrations { name enabled mailboxes { email enabled } }
  }
}
`;

/**
 * An API explorer inside the dashboard: an operation, its variables, the answer, and the schema's
 * root fields for reference. Everything it needs ships with the dashboard (Apollo's landing page
 * would load its scripts from a CDN), so it works on a machine without internet access.
 */
export default function ExplorerPage() {
  const token = storedToken() ?? "";
  const [query, setQuery] = useState(FIRST_OPERATION);
  const [variables, setVariables] = useState("");
  const [answer, setAnswer] = useState<ExplorerAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [copied, setCopied] = useState(false);

  const run = async () => {
    const parsed = parseVariables(variables);
    if (!parsed.ok) {
      setProblem(parsed.error);
      return;
    }
    setProblem(null);
    setRunning(true);
    try {
      setAnswer(await runOperation(token, query, parsed.value));
    } catch {
      setProblem("The server could not be reached. Is Mailstream running?");
    } finally {
      setRunning(false);
    }
  };

  const copyCurl = async () => {
    const parsed = parseVariables(variables);
    const command = curlCommand(
      window.location.origin,
      token,
      query,
      parsed.ok ? parsed.value : {},
    );
    await navigator.clipboard.writeText(command);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <div class="explorer">
      <PageHeader
        title="API explorer"
        subtitle="Queries and mutations against this server's /graphql, sent with your session's token. Subscriptions run over WebSocket (graphql-ws) and are not run here."
      />
      <div class="explorer-grid">
        <div
          class="explorer-editor"
          onKeyDown={(event) => {
            if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              void run();
            }
          }}
        >
          <label class="explorer-label" for="explorer-operation">
            Operation
          </label>
          <textarea
            id="explorer-operation"
            class="explorer-code"
            spellcheck={false}
            rows={16}
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <label class="explorer-label" for="explorer-variables">
            Variables (JSON, optional)
          </label>
          <textarea
            id="explorer-variables"
            class="explorer-code"
            spellcheck={false}
            rows={4}
            placeholder='{ "first": 10 }'
            value={variables}
            onInput={(e) => setVariables(e.currentTarget.value)}
          />
          <div class="explorer-actions">
            <button type="button" class="btn btn-primary" disabled={running} onClick={run}>
              <Icon name="play" /> {running ? "Running…" : "Run"}
            </button>
            <button type="button" class="btn" onClick={copyCurl}>
              <Icon name="copy" /> {copied ? "Copied" : "Copy as curl"}
            </button>
          </div>
          {problem && <Callout tone="danger">{problem}</Callout>}
        </div>
        <div class="explorer-answer">
          <div class="explorer-label">
            Answer
            {answer && (
              <span class="explorer-meta">
                HTTP {answer.status} · {answer.durationMs} ms
              </span>
            )}
          </div>
          <pre class="explorer-code explorer-result" aria-label="Answer" aria-live="polite">
            {answer ? answer.body : "Run an operation to see its answer here."}
          </pre>
        </div>
      </div>
      <SchemaReference token={token} />
    </div>
  );
}

/** The schema's root fields with their arguments and descriptions, filtered as the user types. */
function SchemaReference({ token }: { token: string }) {
  const [fields, setFields] = useState<RootField[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");

  useEffect(() => {
    let live = true;
    runOperation(token, ROOT_FIELDS_QUERY, {})
      .then((answer) => {
        if (!live) return;
        const body = JSON.parse(answer.body) as {
          data?: Parameters<typeof rootFields>[0];
          errors?: { message: string }[];
        };
        if (body.data) setFields(rootFields(body.data));
        else
          setError(
            `${body.errors?.[0]?.message ?? `HTTP ${answer.status}`} The schema is also in schema/schema.graphql of the source.`,
          );
      })
      .catch(() => live && setError("The server could not be reached."));
    return () => {
      live = false;
    };
  }, [token]);

  const shown = useMemo(() => {
    const words = filter.trim().toLowerCase();
    if (!fields) return [];
    if (!words) return fields;
    return fields.filter((f) =>
      `${f.name} ${f.description ?? ""} ${f.type}`.toLowerCase().includes(words),
    );
  }, [fields, filter]);

  return (
    <section class="section explorer-schema" aria-labelledby="explorer-schema-title">
      <div class="section-header">
        <div>
          <h2 id="explorer-schema-title">Schema</h2>
          <p class="section-description">
            Root fields of the API, read by introspection with your token.
          </p>
        </div>
        <input
          class="input explorer-filter"
          type="search"
          aria-label="Filter fields"
          placeholder="Filter fields"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      {error && <Callout tone="warn">{error}</Callout>}
      {fields && (
        <ul class="explorer-fields">
          {shown.map((f) => (
            <li key={`${f.root}.${f.name}`}>
              <code>
                <span class="explorer-root">{f.root}</span> {f.name}
                {f.args.length > 0 &&
                  `(${f.args.map((a) => `${a.name}: ${a.type}`).join(", ")})`}: {f.type}
              </code>
              {f.description && <p>{f.description}</p>}
            </li>
          ))}
          {shown.length === 0 && <li>No field matches “{filter}”.</li>}
        </ul>
      )}
    </section>
  );
}
