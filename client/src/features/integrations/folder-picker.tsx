import { useClient } from "@urql/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { errorMessage } from "../../api/errors";
import { MailboxFoldersDocument } from "../../gql/graphql";
import { Dialog } from "../../ui/dialog";
import { Callout, SkeletonRows } from "../../ui/feedback";
import { folderNames } from "../../ui/folder-path";
import { Icon } from "../../ui/icons";
import { isWithin } from "./filter-rules";
import "./folder-picker.css";

type Mark = "allow" | "deny" | null;

/** Splits a path on unescaped "/" (a "/" inside a name is written "\/"). */
function segments(path: string): string[] {
  return folderNames(path).filter(Boolean);
}

/**
 * Picks allowed and denied folders from the mailbox's live folder tree (`mailboxFolders`), so
 * paths are spelled exactly as the sync engine will compare them.
 */
export function FolderPicker({
  open,
  onClose,
  integrationId,
  email,
  allowed,
  denied,
  onApply,
}: {
  open: boolean;
  onClose: () => void;
  integrationId: string;
  email: string;
  allowed: string[];
  denied: string[];
  onApply: (allowed: string[], denied: string[]) => void;
}) {
  const client = useClient();
  const [folders, setFolders] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [marks, setMarks] = useState<Map<string, Mark>>(new Map());

  useEffect(() => {
    if (!open) return;
    setFolders(null);
    setError(null);
    setMarks(
      new Map([
        ...allowed.map((f) => [f, "allow"] as const),
        ...denied.map((f) => [f, "deny"] as const),
      ]),
    );
    let live = true;
    client
      .query(MailboxFoldersDocument, { integrationId, email }, { requestPolicy: "network-only" })
      .toPromise()
      .then((result) => {
        if (!live) return;
        if (result.data)
          setFolders([...result.data.mailboxFolders].sort((a, b) => a.localeCompare(b)));
        else setError(errorMessage(result.error) ?? "The folders could not be listed.");
      });
    return () => {
      live = false;
    };
  }, [open, integrationId, email]);

  const visible = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (folders ?? []).filter((f) => !q || f.toLowerCase().includes(q));
  }, [folders, query]);

  const setMark = (folder: string, mark: Mark) => {
    const next = new Map(marks);
    if (mark) next.set(folder, mark);
    else next.delete(folder);
    setMarks(next);
  };
  const entries = [...marks.entries()];
  const nextAllowed = entries.filter(([, m]) => m === "allow").map(([f]) => f);
  const nextDenied = entries.filter(([, m]) => m === "deny").map(([f]) => f);

  return (
    <Dialog
      open={open}
      wide
      title={`Folders of ${email}`}
      description="Allowing folders means folders not allowed are skipped. You can deny a folder inside an allowed one, not the other way round."
      onClose={onClose}
      footer={
        <>
          <span class="muted footer-note">
            {nextAllowed.length} allowed · {nextDenied.length} denied
          </span>
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="btn btn-primary"
            onClick={() => {
              onApply(nextAllowed, nextDenied);
              onClose();
            }}
          >
            Use these folders
          </button>
        </>
      }
    >
      {error ? (
        <Callout tone="danger" title="Could not list the folders.">
          {error}
        </Callout>
      ) : folders === null ? (
        <SkeletonRows rows={6} height={32} />
      ) : (
        <>
          <div class="input-group picker-search">
            <Icon name="search" class="input-icon" />
            <input
              class="input"
              type="search"
              aria-label="Filter folders"
              placeholder="Filter folders"
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
          </div>
          <ul class="folder-tree" aria-label="Folders">
            {visible.map((folder) => {
              const parts = segments(folder);
              const mark = marks.get(folder) ?? null;
              const inheritedDeny = !mark && nextDenied.some((d) => isWithin(folder, d));
              const inheritedAllow = !mark && nextAllowed.some((a) => isWithin(folder, a));
              return (
                <li
                  key={folder}
                  class={`folder-row mark-${mark ?? (inheritedDeny ? "deny-inherited" : inheritedAllow ? "allow-inherited" : "none")}`}
                >
                  <span
                    class="folder-name"
                    style={{ paddingLeft: `${Math.max(0, parts.length - 1) * 16}px` }}
                    title={folder}
                  >
                    <Icon name="folder" size={14} /> {parts.at(-1) ?? folder}
                  </span>
                  <span class="folder-actions" role="group" aria-label={`Filter for ${folder}`}>
                    <button
                      type="button"
                      class="btn btn-xs"
                      aria-pressed={mark === "allow"}
                      onClick={() => setMark(folder, mark === "allow" ? null : "allow")}
                    >
                      Allow
                    </button>
                    <button
                      type="button"
                      class="btn btn-xs"
                      aria-pressed={mark === "deny"}
                      onClick={() => setMark(folder, mark === "deny" ? null : "deny")}
                    >
                      Deny
                    </button>
                  </span>
                </li>
              );
            })}
            {visible.length === 0 && <li class="muted folder-empty">No folder matches.</li>}
          </ul>
        </>
      )}
    </Dialog>
  );
}
