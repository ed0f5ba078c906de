import type { ComponentChildren } from "preact";
import { useId, useState } from "preact/hooks";
import { Icon } from "./icons";

interface ListEditorProps {
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  /** Returns why an entry is refused, or null. Checked as you type and again on add. */
  validate?: (value: string) => string | null;
  placeholder?: string;
  hint?: ComponentChildren;
  /** An error about the list as a whole (from the server or a cross-list rule). */
  error?: string | null;
  /** Extra control beside the input, e.g. "Browse folders". */
  action?: ComponentChildren;
  mono?: boolean;
}

/**
 * Entries as removable chips. Enter or "Add" adds; pasting several lines or comma-separated
 * values adds each; an entry that fails `validate` stays in the input with the reason under it.
 */
export function ListEditor(props: ListEditorProps) {
  const id = useId();
  const [draft, setDraft] = useState("");
  const [draftError, setDraftError] = useState<string | null>(null);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;

  const add = (raw: string) => {
    const parts = raw
      .split(/[\n,;]+/)
      .map((p) => p.trim())
      .filter(Boolean);
    if (parts.length === 0) return;
    const accepted: string[] = [];
    for (const part of parts) {
      const problem = props.validate?.(part) ?? null;
      if (problem) {
        setDraft(part);
        setDraftError(problem);
        if (accepted.length) props.onChange(merge(props.values, accepted));
        return;
      }
      accepted.push(part);
    }
    props.onChange(merge(props.values, accepted));
    setDraft("");
    setDraftError(null);
  };

  const shownError = draftError ?? props.error ?? null;
  const describedBy = [shownError ? errorId : null, props.hint ? hintId : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div class={`field list-editor${shownError ? " has-error" : ""}`}>
      <label class="field-label" for={id}>
        {props.label}
      </label>
      <div class="input-group">
        <input
          id={id}
          class={`input${props.mono ? " mono" : ""}`}
          value={draft}
          placeholder={props.placeholder}
          spellcheck={false}
          aria-invalid={Boolean(shownError)}
          aria-describedby={describedBy || undefined}
          onInput={(event) => {
            const value = event.currentTarget.value;
            setDraft(value);
            setDraftError(
              value.trim() && !/[\n,;]/.test(value)
                ? (props.validate?.(value.trim()) ?? null)
                : null,
            );
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              add(draft);
            }
          }}
          onPaste={(event) => {
            const text = event.clipboardData?.getData("text") ?? "";
            if (/[\n,;]/.test(text)) {
              event.preventDefault();
              add(text);
            }
          }}
        />
        <button type="button" class="btn" onClick={() => add(draft)} disabled={!draft.trim()}>
          Add
        </button>
        {props.action}
      </div>
      {shownError && (
        <p class="field-error" id={errorId} role="alert">
          <Icon name="alert" size={14} /> {shownError}
        </p>
      )}
      {props.values.length > 0 && (
        <ul class="chips" aria-label={props.label}>
          {props.values.map((value) => (
            <li class={`chip${props.mono ? " mono" : ""}`} key={value}>
              <span class="chip-text" title={value}>
                {value}
              </span>
              <button
                type="button"
                class="chip-remove"
                aria-label={`Remove ${value}`}
                onClick={() => props.onChange(props.values.filter((v) => v !== value))}
              >
                <Icon name="x" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.hint && (
        <p class="field-hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

function merge(existing: string[], added: string[]): string[] {
  const seen = new Set(existing.map((v) => v.toLowerCase()));
  const result = [...existing];
  for (const value of added) {
    if (seen.has(value.toLowerCase())) continue;
    seen.add(value.toLowerCase());
    result.push(value);
  }
  return result;
}
