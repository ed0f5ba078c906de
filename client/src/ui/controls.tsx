import type { ComponentChildren, InputHTMLAttributes, LooseInputHTMLAttributes } from "preact";
import { useId, useState } from "preact/hooks";
import { Icon } from "./icons";

/** An on/off toggle: a button with role="switch", so screen readers announce its state. */
export function Switch({
  checked,
  onChange,
  label,
  disabled,
  busy,
  showLabel,
}: {
  checked: boolean;
  onChange: (next: boolean) => void;
  label: string;
  disabled?: boolean;
  busy?: boolean;
  showLabel?: boolean;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={showLabel ? undefined : label}
      aria-busy={busy}
      disabled={disabled || busy}
      class={`switch${checked ? " is-on" : ""}`}
      onClick={() => onChange(!checked)}
    >
      <span class="switch-track" aria-hidden="true">
        <span class="switch-thumb" />
      </span>
      {showLabel && <span class="switch-label">{label}</span>}
    </button>
  );
}

interface FieldProps {
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string | null;
  /** Renders the control with the ids it must carry. */
  children: (ids: {
    id: string;
    describedBy: string | undefined;
    invalid: boolean;
  }) => ComponentChildren;
  required?: boolean;
  class?: string;
  badge?: ComponentChildren;
}

/** Label, control, hint and error wired together (for, aria-describedby, aria-invalid). */
export function Field({
  label,
  hint,
  error,
  children,
  required,
  class: className,
  badge,
}: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${error ? " has-error" : ""}${className ? ` ${className}` : ""}`}>
      <label class="field-label" for={id}>
        {label}
        {required && (
          <span class="required" aria-hidden="true">
            {" "}
            *
          </span>
        )}
        {badge}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {error && (
        <p class="field-error" id={errorId}>
          <Icon name="alert" size={14} /> {error}
        </p>
      )}
      {hint && (
        <p class="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

type InputProps = LooseInputHTMLAttributes<HTMLInputElement>;

export function TextField({
  label,
  hint,
  error,
  value,
  onValue,
  required,
  badge,
  mono,
  ...rest
}: {
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string | null;
  value: string;
  onValue: (value: string) => void;
  badge?: ComponentChildren;
  mono?: boolean;
  required?: boolean;
} & Omit<InputProps, "value" | "label" | "class" | "className" | "required">) {
  return (
    <Field label={label} hint={hint} error={error} required={required} badge={badge}>
      {({ id, describedBy, invalid }) => (
        <input
          {...(rest as InputHTMLAttributes<HTMLInputElement>)}
          id={id}
          class={mono ? "input mono" : "input"}
          value={value}
          required={required}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onInput={(event) => onValue(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export function SecretField(props: {
  label: string;
  hint?: ComponentChildren;
  error?: string | null;
  value: string;
  onValue: (value: string) => void;
  required?: boolean;
  autoComplete?: string;
  name?: string;
}) {
  const [shown, setShown] = useState(false);
  return (
    <Field label={props.label} hint={props.hint} error={props.error} required={props.required}>
      {({ id, describedBy, invalid }) => (
        <div class="input-group">
          {shown ? (
            <input type="text" {...secretInputProps(props, id, describedBy, invalid)} />
          ) : (
            <input type="password" {...secretInputProps(props, id, describedBy, invalid)} />
          )}
          <button
            type="button"
            class="btn btn-ghost btn-icon"
            aria-label={shown ? `Hide ${props.label}` : `Show ${props.label}`}
            aria-pressed={shown}
            onClick={() => setShown(!shown)}
          >
            <Icon name={shown ? "eyeOff" : "eye"} />
          </button>
        </div>
      )}
    </Field>
  );
}

function secretInputProps(
  props: {
    name?: string;
    value: string;
    required?: boolean;
    autoComplete?: string;
    onValue: (value: string) => void;
  },
  id: string,
  describedBy: string | undefined,
  invalid: boolean,
) {
  return {
    id,
    name: props.name,
    class: "input",
    value: props.value,
    required: props.required,
    autoComplete: props.autoComplete ?? "off",
    spellcheck: false,
    "aria-describedby": describedBy,
    "aria-invalid": invalid,
    onInput: (event: Event) => props.onValue((event.currentTarget as HTMLInputElement).value),
  };
}

export interface Choice<T extends string> {
  value: T;
  label: ComponentChildren;
  description?: ComponentChildren;
  /** Why the option is not offered; shown instead of being selectable. */
  unavailable?: string | null;
}

/** A radio group drawn as cards; options the rules forbid are shown disabled with the reason. */
export function ChoiceGroup<T extends string>({
  legend,
  name,
  value,
  choices,
  onChange,
  error,
  hint,
  compact,
}: {
  legend: string;
  name: string;
  value: T;
  choices: Choice<T>[];
  onChange: (value: T) => void;
  error?: string | null;
  hint?: ComponentChildren;
  compact?: boolean;
}) {
  const id = useId();
  return (
    <fieldset
      class={`choice-group${compact ? " is-compact" : ""}${error ? " has-error" : ""}`}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend class="field-label">{legend}</legend>
      <div class="choices">
        {choices.map((choice) => {
          const disabled = Boolean(choice.unavailable);
          const inputId = `${id}-${choice.value}`;
          return (
            <label
              key={choice.value}
              for={inputId}
              class={`choice${value === choice.value ? " is-selected" : ""}${disabled ? " is-unavailable" : ""}`}
            >
              <input
                type="radio"
                id={inputId}
                name={name}
                value={choice.value}
                checked={value === choice.value}
                disabled={disabled}
                aria-describedby={disabled || choice.description ? `${inputId}-d` : undefined}
                onChange={() => onChange(choice.value)}
              />
              <span class="choice-text">
                <span class="choice-label">{choice.label}</span>
                {(choice.unavailable || choice.description) && (
                  <span class="choice-description" id={`${inputId}-d`}>
                    {choice.unavailable ? (
                      <>
                        <Icon name="lock" size={12} /> {choice.unavailable}
                      </>
                    ) : (
                      choice.description
                    )}
                  </span>
                )}
              </span>
            </label>
          );
        })}
      </div>
      {error && (
        <p class="field-error" id={`${id}-error`}>
          <Icon name="alert" size={14} /> {error}
        </p>
      )}
      {hint && <p class="field-hint">{hint}</p>}
    </fieldset>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span class="spinner" role={label ? "status" : undefined} aria-label={label} />;
}
