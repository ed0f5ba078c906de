/** The Microsoft 365 tenant simulator as a library (see README.md). */
export { Simulator, startSimulator } from "./simulator.js";
export type { SimulatorOptions, RequestLogEntry, TokenFilter } from "./simulator.js";
export type { OriginOverlap, OriginStats } from "./request-origins.js";
export {
  CA_CERT_FILE,
  createCertificateAuthority,
  generateClientCertificate,
  certificateThumbprints,
  loadOrCreateCertificateAuthority,
} from "./certificates.js";
export type { CertificateAuthority, ClientCertificate } from "./certificates.js";
export type { FaultAction, FaultRule, FaultTarget } from "./faults.js";
export type {
  AccessPolicyMode,
  AppRegistration,
  AppSpec,
  MailboxSpec,
  ServiceUserSpec,
  Tenant,
  TenantSpec,
} from "./tenant-directory.js";
export type { DeliverySpec, MailboxKind } from "./mailbox.js";
export { ROOT_NAME, TOP_OF_STORE_NAME } from "./mailbox.js";
export type { EmailAddress, TruthAttachment, TruthFolder, TruthMessage } from "./mail-types.js";
export type { FolderTemplate } from "./folder-template.js";
export type { MailboxStats } from "./mailbox-limits.js";
export { DATE_FILTERED_DELTA_CAP } from "./delta.js";
export { seedDemoTenant } from "./demo-tenant.js";
export type { DemoTenant, DemoTenantOptions } from "./demo-tenant.js";
