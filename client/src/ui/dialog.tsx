import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { Icon } from "./icons";

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean;
  /** Shown under the title. */
  description?: ComponentChildren;
}

/**
 * A modal on the native <dialog>: the browser traps focus, closes on Escape and restores focus to
 * the opener, so keyboard users get a correct modal without a focus-trap library.
 */
export function Dialog({ open, title, onClose, children, footer, wide, description }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  if (!open) return null;
  return (
    <dialog
      ref={ref}
      class={wide ? "dialog dialog-wide" : "dialog"}
      aria-labelledby="dialog-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header class="dialog-header">
        <div>
          <h2 id="dialog-title">{title}</h2>
          {description && <p class="dialog-description">{description}</p>}
        </div>
        <button type="button" class="btn btn-ghost btn-icon" aria-label="Close" onClick={onClose}>
          <Icon name="x" />
        </button>
      </header>
      <div class="dialog-body">{children}</div>
      {footer && <footer class="dialog-footer">{footer}</footer>}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog(props: ConfirmProps) {
  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={props.onCancel}
      footer={
        <>
          <button type="button" class="btn" onClick={props.onCancel} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            class={props.danger ? "btn btn-danger" : "btn btn-primary"}
            disabled={props.busy}
            aria-busy={props.busy}
            onClick={props.onConfirm}
          >
            {props.busy ? "Working…" : props.confirmLabel}
          </button>
        </>
      }
    >
      <div class="confirm-body">{props.children}</div>
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
    </Dialog>
  );
}
