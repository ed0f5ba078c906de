/**
 * Turns the errors Microsoft's identity platform and Graph return into a sentence an operator can
 * act on, keeping the original text as the detail. Matching is on the codes the text carries
 * (AADSTS numbers, Graph error codes, HTTP statuses, Node's network error codes), not on prose.
 */
export interface PlainError {
  summary: string;
  detail: string;
}

const AADSTS: Record<string, string> = {
  "7000215":
    "The client secret is wrong. Paste the secret's Value (not its ID) from Certificates & secrets.",
  "7000222": "The client secret has expired. Create a new secret in Azure and save it here.",
  "700016":
    "No application with this client ID exists in the tenant. Check the client ID and the tenant in the authority URL.",
  "90002": "The tenant in the authority URL was not found. Check the tenant ID or domain.",
  "900023":
    "The tenant in the authority URL is not valid. Use the Directory (tenant) ID or the tenant's domain.",
  "700027":
    "The certificate was not accepted. Check that the thumbprint matches the certificate uploaded to the app registration.",
  "700024":
    "The certificate assertion is not valid yet or has expired. Check the server's clock and the certificate's dates.",
  "50126": "The service user's username or password is wrong.",
  "50034": "The service user does not exist in this tenant.",
  "50053": "The service user's account is locked after too many sign-in attempts.",
  "50055": "The service user's password has expired.",
  "50076": "The service user needs multi-factor authentication, which unattended sync cannot do.",
  "65001": "Admin consent has not been granted for the application's permissions.",
  "7000112": "The application is disabled in Azure.",
  "53003": "A conditional access policy blocked the sign-in.",
};

const GRAPH_CODES: [RegExp, string][] = [
  [
    /ErrorAccessDenied|\b403\b/i,
    "The application may not read this mailbox. An application access policy may exclude it, or the Mail.Read permission lacks admin consent.",
  ],
  [
    /MailboxNotEnabledForRESTAPI|MailboxNotSupportedForRESTAPI|NOT_ENABLED_FOR_REST/i,
    "Microsoft Graph cannot read this mailbox: it is unlicensed, inactive or hosted on-premises. Assign it an Exchange Online license; for an on-premises mailbox, use an EWS integration.",
  ],
  [
    /ResourceNotFound|ErrorInvalidUser|\b404\b/i,
    "This mailbox was not found. Check the address, or whether the mailbox exists in Exchange Online.",
  ],
  [
    /syncStateNotFound|\b410\b/i,
    "The folder's change-tracking token expired; the folder is being synced again from the start.",
  ],
  [
    /TooManyRequests|ApplicationThrottled|\b429\b/i,
    "Microsoft is throttling requests; syncing continues after the wait Microsoft asks for.",
  ],
  [
    /\b50[234]\b|ServiceUnavailable/i,
    "Microsoft's service was temporarily unavailable; syncing retries with backoff.",
  ],
  [
    /ENOTFOUND|ECONNREFUSED|fetch failed|ETIMEDOUT/i,
    "The Microsoft endpoint could not be reached from the server (network or DNS).",
  ],
  [
    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT/,
    "The server does not trust the endpoint's TLS certificate. Set NODE_EXTRA_CA_CERTS for a private CA.",
  ],
  [
    /\bQUOTA\b/,
    "The project's unit budget is used up; raise it on the Usage page to resume syncing.",
  ],
];

export function plainError(raw: string | null | undefined): PlainError | null {
  if (!raw) return null;
  const aad = /AADSTS(\d+)/.exec(raw);
  if (aad) {
    const summary = AADSTS[aad[1]!];
    if (summary) return { summary, detail: raw };
  }
  for (const [pattern, summary] of GRAPH_CODES)
    if (pattern.test(raw)) return { summary, detail: raw };
  return { summary: firstSentence(raw), detail: raw };
}

function firstSentence(text: string): string {
  const line = text.split(/\r?\n/)[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 197)}…` : line;
}
