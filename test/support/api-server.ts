import { startTestServer, type TestServer } from "./test-server.js";

/** The server as users run it: real credential checks and syncs through Microsoft's libraries. */
export function startApiServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({ env });
}
