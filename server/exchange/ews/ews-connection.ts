import type { Client } from "undici";
import { authenticateMessage, negotiateMessage, ntlmTokenOf, offersNtlm } from "./ntlm.js";
import { ntlmNotOffered, ntlmRejected, tokenRejected } from "./ews-errors.js";

/**
 * One EWS connection: an undici Client (one socket, pipelining 1) that a concurrency slot owns.
 *
 * NTLM authenticates the connection, not the request (MS-NLMP; IIS's connection-based Windows
 * authentication): the handshake — Type 1 with an empty body, the server's 401 challenge, Type 3
 * with the real request — is made once when the connection is new, and again only when the
 * server answers 401 (or the socket was replaced: undici reconnects after an idle close, and a new
 * socket is unauthenticated). Bearer tokens go on every request; a 401 renews the token once.
 */
export type EwsAuth =
  | { kind: "ntlm"; username: string; password: string }
  | { kind: "bearer"; token: () => Promise<string>; renew: (rejected: string) => Promise<string> };

export interface EwsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ConnectionStats {
  requests: number;
  handshakes: number;
  connects: number;
}

export class EwsConnection {
  private authenticated = false;
  readonly stats: ConnectionStats = { requests: 0, handshakes: 0, connects: 0 };

  constructor(
    private readonly client: Client,
    private readonly path: string,
    private readonly host: string,
    private readonly auth: EwsAuth,
  ) {
    client.on("connect", () => {
      this.stats.connects++;
    });
    // A new socket is a new NTLM context: handshake before the next request.
    client.on("disconnect", () => {
      this.authenticated = false;
    });
  }

  async post(
    xml: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<EwsAnswer> {
    if (this.auth.kind === "bearer") return this.postWithToken(xml, headers, signal);
    if (!this.authenticated) return this.handshake(xml, headers, signal);
    const answer = await this.send(xml, headers, signal);
    if (answer.status !== 401) return answer;
    this.authenticated = false;
    return this.handshake(xml, headers, signal);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async handshake(
    xml: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<EwsAnswer> {
    const auth = this.auth as Extract<EwsAuth, { kind: "ntlm" }>;
    this.stats.handshakes++;
    const challenge = await this.send(
      "",
      { ...headers, authorization: `NTLM ${negotiateMessage()}` },
      signal,
    );
    if (challenge.status !== 401) {
      // No authentication asked for: this answer is to an empty request, so send the real one.
      if (challenge.status < 400) return this.send(xml, headers, signal);
      return challenge;
    }
    const offered = challenge.headers["www-authenticate"];
    const token = ntlmTokenOf(offered);
    if (!token) {
      if (offersNtlm(offered)) throw ntlmRejected(auth.username, this.host);
      throw ntlmNotOffered(this.host, [offered ?? []].flat().join(", "));
    }
    // The Type 3 message lives only in this header; it is never logged.
    const type3 = authenticateMessage({ username: auth.username, password: auth.password }, token);
    const answer = await this.send(xml, { ...headers, authorization: `NTLM ${type3}` }, signal);
    if (answer.status === 401) throw ntlmRejected(auth.username, this.host);
    this.authenticated = true;
    return answer;
  }

  private async postWithToken(
    xml: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<EwsAnswer> {
    const auth = this.auth as Extract<EwsAuth, { kind: "bearer" }>;
    const token = await auth.token();
    const answer = await this.send(xml, { ...headers, authorization: `Bearer ${token}` }, signal);
    if (answer.status !== 401) return answer;
    const fresh = await auth.renew(token);
    const again = await this.send(xml, { ...headers, authorization: `Bearer ${fresh}` }, signal);
    if (again.status === 401) throw tokenRejected(this.host, bearerError(again.headers));
    return again;
  }

  private async send(
    xml: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<EwsAnswer> {
    this.stats.requests++;
    const response = await this.client.request({
      path: this.path,
      method: "POST",
      headers: {
        ...headers,
        "content-type": "text/xml; charset=utf-8",
        accept: "text/xml",
      },
      body: xml,
      signal,
    });
    const body = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers as EwsAnswer["headers"],
      body,
    };
  }
}

/** `WWW-Authenticate: Bearer error="invalid_token", error_description="…"` → its description. */
function bearerError(headers: EwsAnswer["headers"]): string | null {
  const value = [headers["www-authenticate"] ?? []].flat().join(", ");
  const match = /error_description="([^"]*)"/i.exec(value) ?? /error="([^"]*)"/i.exec(value);
  return match ? match[1]! : null;
}
