import { getAttachment } from "./ews-attachments.js";
import type { EwsContext } from "./ews-context.js";
import { findFolder, getFolder, syncFolderHierarchy } from "./ews-folders.js";
import { findItem, getItem } from "./ews-items.js";
import { syncFolderItems } from "./ews-sync-items.js";
import type { XmlNode } from "./soap.js";

/** Every EWS operation the simulator answers, by the operation element's name. */
export type EwsOperation = (ctx: EwsContext, body: XmlNode) => string;

export const EWS_OPERATIONS: Record<string, EwsOperation> = {
  GetFolder: getFolder,
  FindFolder: findFolder,
  SyncFolderHierarchy: syncFolderHierarchy,
  FindItem: findItem,
  GetItem: getItem,
  SyncFolderItems: syncFolderItems,
  GetAttachment: getAttachment,
};
