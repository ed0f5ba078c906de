// A child process of bench/fanout.ts holding a share of the subscribers, so that receiving costs
// no CPU time of the server process. Speaks to its parent over IPC.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

interface Connect {
  cmd: "connect";
  mode: "graphql" | "raw";
  url: string;
  count: number;
  token: string;
  query: string;
  variables: Record<string, unknown>;
}
type Command = Connect | { cmd: "report" } | { cmd: "close" };

const now = (): number => performance.timeOrigin + performance.now();
/** sequenceId → receive times (ms, wall clock) of every client that got it. */
let received = new Map<string, number[]>();
const closers: (() => void)[] = [];

function record(sequenceId: string): void {
  const at = now();
  let times = received.get(sequenceId);
  if (!times) received.set(sequenceId, (times = []));
  times.push(at);
}

async function connectGraphql(command: Connect): Promise<void> {
  const connected: Promise<void>[] = [];
  for (let i = 0; i < command.count; i++) {
    connected.push(
      new Promise((resolve, reject) => {
        const client = createClient({
          url: command.url,
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          connectionParams: { authorization: `Bearer ${command.token}` },
          on: {
            connected: () => resolve(),
            closed: (e) => reject(new Error(`closed ${JSON.stringify(e)}`)),
          },
        });
        client.subscribe<{ messageAdded: { sequenceId: string } }>(
          { query: command.query, variables: command.variables },
          {
            next: (result) => {
              const sequenceId = result.data?.messageAdded.sequenceId;
              if (sequenceId) record(sequenceId);
            },
            error: (error) =>
              process.stderr.write(`subscription error: ${JSON.stringify(error)}\n`),
            complete: () => undefined,
          },
        );
        closers.push(() => void client.dispose());
      }),
    );
  }
  await Promise.all(connected);
}

async function connectRaw(command: Connect): Promise<void> {
  const connected: Promise<void>[] = [];
  for (let i = 0; i < command.count; i++) {
    const socket = new WebSocket(command.url);
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as {
        payload: { data: { messageAdded: { sequenceId: string } } };
      };
      record(message.payload.data.messageAdded.sequenceId);
    });
    connected.push(
      new Promise((resolve, reject) => socket.once("open", () => resolve()).once("error", reject)),
    );
    closers.push(() => socket.close());
  }
  await Promise.all(connected);
}

process.on("message", (command: Command) => {
  void (async () => {
    if (command.cmd === "connect") {
      await (command.mode === "graphql" ? connectGraphql(command) : connectRaw(command));
      process.send!({ ready: true });
    } else if (command.cmd === "report") {
      process.send!({ received: [...received.entries()] });
      received = new Map();
    } else {
      for (const close of closers) close();
      setTimeout(() => process.exit(0), 200);
    }
  })().catch((error: unknown) => {
    process.stderr.write(`fanout client failed: ${String(error)}\n`);
    process.exit(1);
  });
});
