import { GraphCredentialChecker } from "../../server/exchange/credential-check.js";
import { startTestServer, type TestServer } from "./test-server.js";

/** The server as users run it: real credential checks through Microsoft's libraries. */
export function startApiServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({ credentialChecker: new GraphCredentialChecker(), env });
}
