/**
 * What the EWS endpoint saw, per principal (a service user or an app): requests in flight and the
 * most at once, requests over the concurrency limit, requests that came before a back-off the
 * server had asked for elapsed, NTLM handshakes per connection and per principal, and which
 * principal and mailbox each request was for. Tests read it (in process or through the control
 * API) to fail a client that floods, ignores BackOffMilliseconds, or re-handshakes per request.
 */
export interface EwsRequestLogEntry {
  at: number;
  connection: number;
  principal?: string;
  /** "ntlm", "bearer", or none (a handshake leg or a refusal). */
  auth?: "ntlm" | "bearer";
  operation?: string;
  mailbox?: string;
  /** The X-AnchorMailbox header, when sent. */
  anchorMailbox?: string;
  status: number;
  /** ResponseCode of each response message, or of the SOAP fault. */
  responseCodes: string[];
  durationMs: number;
}

export interface BackOffViolation {
  principal: string;
  at: number;
  /** The time the server had asked the principal to wait until. */
  backOffUntil: number;
  earlyByMs: number;
  operation?: string;
}

export type NtlmFailureReason =
  | "unknownUser"
  | "wrongPassword"
  | "lockedAccount"
  | "ntlmV1NotAccepted"
  | "noChallengeOnConnection"
  | "malformed"
  | "unsupportedToken";

export interface NtlmFailure {
  at: number;
  connection: number;
  /** The user and domain the client named (never the response itself). */
  user: string;
  domain: string;
  reason: NtlmFailureReason;
}

export interface BearerFailure {
  at: number;
  connection: number;
  reason: string;
}

export interface PrincipalRecord {
  principal: string;
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** Requests refused because the principal already had `maxConcurrency` in flight. */
  overConcurrencyLimit: number;
  handshakes: number;
  /** ErrorServerBusy answers sent to this principal. */
  serverBusySent: number;
  backOffUntil: number;
  backOffViolations: number;
  mailboxes: string[];
}

export interface ConnectionRecord {
  id: number;
  /** NTLM handshakes completed (Type 3 accepted) on this connection. */
  handshakes: number;
  /** Type 1 messages received on it. */
  negotiations: number;
  principal?: string;
  requests: number;
}

export interface EwsRecordSnapshot {
  maxConcurrency: number;
  principals: PrincipalRecord[];
  connections: ConnectionRecord[];
  backOffViolations: BackOffViolation[];
  ntlmFailures: NtlmFailure[];
  bearerFailures: BearerFailure[];
  requests: EwsRequestLogEntry[];
}

const LOG_SIZE = 5000;

export class EwsRecord {
  private principals = new Map<string, PrincipalRecord & { mailboxSet: Set<string> }>();
  private connections = new Map<number, ConnectionRecord>();
  private violations: BackOffViolation[] = [];
  private ntlmFailures: NtlmFailure[] = [];
  private bearerFailures: BearerFailure[] = [];
  private log: EwsRequestLogEntry[] = [];

  constructor(
    private readonly now: () => number,
    readonly settings: { maxConcurrency: number },
  ) {}

  connection(id: number): ConnectionRecord {
    let c = this.connections.get(id);
    if (!c) this.connections.set(id, (c = { id, handshakes: 0, negotiations: 0, requests: 0 }));
    return c;
  }

  principal(name: string): PrincipalRecord & { mailboxSet: Set<string> } {
    let p = this.principals.get(name);
    if (!p) {
      p = {
        principal: name,
        requests: 0,
        inFlight: 0,
        maxInFlight: 0,
        overConcurrencyLimit: 0,
        handshakes: 0,
        serverBusySent: 0,
        backOffUntil: 0,
        backOffViolations: 0,
        mailboxes: [],
        mailboxSet: new Set(),
      };
      this.principals.set(name, p);
    }
    return p;
  }

  negotiated(connection: number): void {
    this.connection(connection).negotiations++;
  }

  handshake(connection: number, principal: string): void {
    const c = this.connection(connection);
    c.handshakes++;
    c.principal = principal;
    this.principal(principal).handshakes++;
  }

  ntlmFailure(failure: Omit<NtlmFailure, "at">): void {
    this.ntlmFailures.push({ at: this.now(), ...failure });
  }

  bearerFailure(connection: number, reason: string): void {
    this.bearerFailures.push({ at: this.now(), connection, reason });
  }

  /**
   * An authenticated request starts: counts it, checks a back-off asked for earlier, and takes a
   * concurrency slot. Returns false (no slot taken) when the principal is at its limit.
   */
  begin(principal: string, connection: number, operation: string | undefined): boolean {
    const p = this.principal(principal);
    const at = this.now();
    p.requests++;
    this.connection(connection).requests++;
    if (at < p.backOffUntil) {
      p.backOffViolations++;
      this.violations.push({
        principal,
        at,
        backOffUntil: p.backOffUntil,
        earlyByMs: p.backOffUntil - at,
        operation,
      });
    }
    if (p.inFlight >= this.settings.maxConcurrency) {
      p.overConcurrencyLimit++;
      return false;
    }
    p.inFlight++;
    p.maxInFlight = Math.max(p.maxInFlight, p.inFlight);
    return true;
  }

  end(principal: string): void {
    const p = this.principal(principal);
    p.inFlight = Math.max(0, p.inFlight - 1);
  }

  mailbox(principal: string, email: string): void {
    const p = this.principal(principal);
    if (!p.mailboxSet.has(email)) {
      p.mailboxSet.add(email);
      p.mailboxes.push(email);
    }
  }

  serverBusy(principal: string, backOffMs: number): void {
    const p = this.principal(principal);
    p.serverBusySent++;
    p.backOffUntil = Math.max(p.backOffUntil, this.now() + backOffMs);
  }

  request(entry: EwsRequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }

  snapshot(): EwsRecordSnapshot {
    return {
      maxConcurrency: this.settings.maxConcurrency,
      principals: [...this.principals.values()].map(({ mailboxSet: _, ...p }) => ({
        ...p,
        mailboxes: [...p.mailboxes],
      })),
      connections: [...this.connections.values()].map((c) => ({ ...c })),
      backOffViolations: [...this.violations],
      ntlmFailures: [...this.ntlmFailures],
      bearerFailures: [...this.bearerFailures],
      requests: [...this.log],
    };
  }

  /** Forgets everything but the requests still in flight (their slots stay taken). */
  reset(): void {
    for (const [name, p] of this.principals) {
      if (p.inFlight === 0) this.principals.delete(name);
      else {
        Object.assign(p, {
          requests: 0,
          maxInFlight: p.inFlight,
          overConcurrencyLimit: 0,
          handshakes: 0,
          serverBusySent: 0,
          backOffUntil: 0,
          backOffViolations: 0,
          mailboxes: [],
        });
        p.mailboxSet.clear();
      }
    }
    this.connections.clear();
    this.violations = [];
    this.ntlmFailures = [];
    this.bearerFailures = [];
    this.log = [];
  }
}
