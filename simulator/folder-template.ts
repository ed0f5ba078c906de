/**
 * The folder tree every seeded mailbox starts with, below "Top of Information Store". It mixes
 * what Exchange creates (well-known folders, hidden system folders, Sync Issues) with what users
 * make: nesting four levels deep, a name containing "/", unicode and emoji names, a folder with more
 * children than Graph's default page of 10, and search folders (which hold no messages of their
 * own and must not be synced).
 */
export interface FolderTemplate {
  /** Path below "Top of Information Store". */
  path: readonly string[];
  wellKnownName?: string;
  hidden?: boolean;
  /** Share of received mail filed here (relative weight). */
  weight?: number;
  /** A search folder over the given paths (below TOIS); it matches mail of the last 30 days. */
  searchOver?: readonly (readonly string[])[];
}

export const SEARCH_FOLDER_WINDOW_MS = 30 * 24 * 3600 * 1000;

export function standardFolderTemplate(projectFolders: number): FolderTemplate[] {
  const projects: FolderTemplate[] = [];
  for (let i = 1; i <= projectFolders; i++) {
    projects.push({
      path: ["Inbox", "Projects", `Project ${String(i).padStart(2, "0")}`],
      weight: 0.4,
    });
  }
  return [
    { path: ["Inbox"], wellKnownName: "inbox", weight: 32 },
    { path: ["Inbox", "Orders"], weight: 3 },
    { path: ["Inbox", "Orders", "2023"], weight: 4 },
    { path: ["Inbox", "Orders", "2024"], weight: 4 },
    { path: ["Inbox", "Invoices/Receipts"], weight: 5 },
    { path: ["Inbox", "Ünïcödé – 日本語 📬"], weight: 3 },
    { path: ["Inbox", "Projects"], weight: 1 },
    { path: ["Inbox", "Projects", "Alpha"], weight: 3 },
    { path: ["Inbox", "Projects", "Alpha", "Deep"], weight: 2 },
    { path: ["Inbox", "Projects", "Alpha", "Deep", "Deeper"], weight: 1 },
    ...projects,
    { path: ["Inbox", "Recent mail"], searchOver: [["Inbox"]] },
    { path: ["Sent Items"], wellKnownName: "sentitems" },
    { path: ["Drafts"], wellKnownName: "drafts" },
    { path: ["Deleted Items"], wellKnownName: "deleteditems", weight: 3 },
    { path: ["Junk Email"], wellKnownName: "junkemail", weight: 2 },
    { path: ["Archive"], wellKnownName: "archive", weight: 5 },
    { path: ["Archive", "2022"], weight: 3 },
    { path: ["Outbox"], wellKnownName: "outbox" },
    { path: ["Conversation History"], wellKnownName: "conversationhistory", weight: 1 },
    { path: ["Sync Issues"], wellKnownName: "syncissues" },
    { path: ["Sync Issues", "Conflicts"], wellKnownName: "conflicts" },
    { path: ["Sync Issues", "Local Failures"], wellKnownName: "localfailures" },
    { path: ["Sync Issues", "Server Failures"], wellKnownName: "serverfailures" },
    { path: ["Clients"], weight: 1 },
    { path: ["Clients", "Contoso Ltd"], weight: 2 },
    { path: ["Clients", "Fabrikam, Inc."], weight: 2 },
    { path: ["Newsletters"], weight: 5 },
    { path: ["Receipts & Bills"], weight: 3 },
    { path: ["Travel ✈️"], weight: 2 },
    { path: ["Yammer Root"], hidden: true },
    { path: ["Yammer Root", "Feeds"], hidden: true },
    { path: ["Yammer Root", "Inbound"], hidden: true, weight: 1 },
    { path: ["Yammer Root", "Outbound"], hidden: true },
    { path: ["Conversation Action Settings"], hidden: true },
  ];
}
