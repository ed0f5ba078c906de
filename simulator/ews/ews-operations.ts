import type { EwsContext } from "./ews-context.js";
import { findFolder, getFolder, syncFolderHierarchy } from "./ews-folders.js";
import type { XmlNode } from "./soap.js";

/** Every EWS operation the simulator answers, by the operation element's name. */
export type EwsOperation = (ctx: EwsContext, body: XmlNode) => string;

export const EWS_OPERATIONS: Record<string, EwsOperation> = {
  GetFolder: getFolder,
  FindFolder: findFolder,
  SyncFolderHierarchy: syncFolderHierarchy,
};
