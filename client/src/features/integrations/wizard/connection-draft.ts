import type { ConnectionInput } from "../../../gql/graphql";
import type { AccessMode, AuthMethod, ExchangeApi } from "../connection-rules";

export interface ConnectionDraft {
  api: ExchangeApi;
  authMethod: AuthMethod;
  access: AccessMode;
  authorityUrl: string;
  clientId: string;
  clientSecret: string;
  privateKey: string;
  certificateThumbprint: string;
  serviceUsername: string;
  servicePassword: string;
  graphEndpoint: string;
  ewsUrl: string;
}

export const emptyConnection: ConnectionDraft = {
  api: "GRAPH",
  authMethod: "CLIENT_SECRET",
  access: "APPLICATION",
  authorityUrl: "",
  clientId: "",
  clientSecret: "",
  privateKey: "",
  certificateThumbprint: "",
  serviceUsername: "",
  servicePassword: "",
  graphEndpoint: "",
  ewsUrl: "",
};

/** Only the secrets the chosen method and access use are sent (the server drops others anyway). */
export function toConnectionInput(d: ConnectionDraft): ConnectionInput {
  const input: ConnectionInput = {
    api: d.api,
    authMethod: d.authMethod,
    access: d.access,
  };
  // NTLM signs in to the Exchange server itself: no identity platform, no app registration.
  if (d.authMethod !== "NTLM") {
    input.authorityUrl = d.authorityUrl.trim();
    input.clientId = d.clientId.trim();
  }
  if (d.authMethod === "CLIENT_SECRET") input.clientSecret = d.clientSecret;
  if (d.authMethod === "CERTIFICATE") {
    input.privateKey = d.privateKey;
    input.certificateThumbprint = d.certificateThumbprint.trim();
  }
  if (d.access === "SERVICE_USER") {
    input.serviceUsername = d.serviceUsername.trim();
    input.servicePassword = d.servicePassword;
  }
  if (d.graphEndpoint.trim()) input.graphEndpoint = d.graphEndpoint.trim();
  if (d.api === "EWS") input.ewsUrl = d.ewsUrl.trim();
  return input;
}
