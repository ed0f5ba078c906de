/**
 * The identity platform's error answers: OAuth `error`, the AADSTS number and its description, with
 * the HTTP status Entra ID uses. Texts follow Microsoft's published messages; see README.md for
 * the ones that are guessed.
 */
export interface AadError {
  status: number;
  error: string;
  code: number;
  description: string;
}

const CERT_DOCS =
  "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .";

export const aadErrors = {
  tenantNotFound: (tenant: string): AadError => ({
    status: 400,
    error: "invalid_request",
    code: 90002,
    description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  noTenantInformation: (): AadError => ({
    status: 400,
    error: "invalid_request",
    code: 50059,
    description:
      "No tenant-identifying information found in either the request or implied by any provided credentials.",
  }),
  appNotFound: (clientId: string, tenantName: string): AadError => ({
    status: 400,
    error: "unauthorized_client",
    code: 700016,
    description: `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  unsupportedGrantType: (grant: string): AadError => ({
    status: 400,
    error: "unsupported_grant_type",
    code: 70003,
    description: `The app requested an unsupported grant type '${grant}'.`,
  }),
  missingClientCredential: (): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 7000218,
    description:
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  invalidClientSecret: (clientId: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 7000215,
    description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  expiredClientSecret: (clientId: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 7000222,
    description: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
  }),
  malformedAssertion: (): AadError => ({
    status: 400,
    error: "invalid_request",
    code: 50027,
    description: "JWT token is invalid or malformed.",
  }),
  certificateNotRegistered: (clientId: string, thumbprint: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700027,
    description: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments#app-registration-and-token-service-root-endpoints to learn about the endpoints.]`,
  }),
  assertionSignatureInvalid: (): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700027,
    description: `Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.] ${CERT_DOCS}`,
  }),
  assertionSubjectMismatch: (): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700021,
    description: `Client assertion application identifier doesn't match 'client_id' parameter. ${CERT_DOCS}`,
  }),
  assertionAudienceMismatch: (): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700023,
    description: `Client assertion audience claim does not match Realm issuer. ${CERT_DOCS}`,
  }),
  assertionExpired: (now: number, exp: number): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700024,
    description: `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}, expiry time of assertion ${new Date(exp * 1000).toISOString()}. ${CERT_DOCS}`,
  }),
  invalidClientCredentialsScope: (scope: string): AadError => ({
    status: 400,
    error: "invalid_scope",
    code: 1002012,
    description: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  resourceNotFound: (resource: string, tenantName: string): AadError => ({
    status: 400,
    error: "invalid_resource",
    code: 500011,
    description: `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  }),
  userNotFound: (tenantName: string): AadError => ({
    status: 400,
    error: "invalid_grant",
    code: 50034,
    description: `The user account {EmailHidden} does not exist in the ${tenantName} directory. To sign into this application, the account must be added to the directory.`,
  }),
  accountLocked: (): AadError => ({
    status: 400,
    error: "invalid_grant",
    code: 50053,
    description:
      "Your account is locked. You've tried to sign in too many times with an incorrect user ID or password.",
  }),
  invalidPassword: (): AadError => ({
    status: 400,
    error: "invalid_grant",
    code: 50126,
    description: "Error validating credentials due to invalid username or password.",
  }),
  temporarilyUnavailable: (status: number): AadError => ({
    status,
    error: "temporarily_unavailable",
    code: 90033,
    description: "A transient error has occurred. Please try again.",
  }),
};

export function aadErrorBody(
  err: AadError,
  loginUrl: string,
  correlationId: string,
  traceId: string,
  now: number,
): Record<string, unknown> {
  const timestamp = new Date(now)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    error: err.error,
    error_description: `AADSTS${err.code}: ${err.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [err.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${loginUrl}/error?code=${err.code}`,
  };
}
