// A TCP proxy in its own process (so the test process's simulator work never slows the database
// traffic of the servers): node tcp-proxy-process.mjs <target host> <target port>. Prints the port
// it listens on; SIGUSR1 drops every connection and refuses new ones, SIGUSR2 accepts them again.
import { connect, createServer } from "node:net";

const [host, port] = process.argv.slice(2);
const pairs = new Set();
let refusing = false;
const server = createServer((client) => {
  if (refusing) return client.destroy();
  const upstream = connect(Number(port), host);
  const pair = [client, upstream];
  pairs.add(pair);
  const close = () => {
    client.destroy();
    upstream.destroy();
    pairs.delete(pair);
  };
  client.on("error", close).on("close", close);
  upstream.on("error", close).on("close", close);
  client.pipe(upstream);
  upstream.pipe(client);
});
process.on("SIGUSR1", () => {
  refusing = true;
  for (const [a, b] of pairs) {
    a.destroy();
    b.destroy();
  }
  pairs.clear();
  process.stdout.write("cut\n");
});
process.on("SIGUSR2", () => {
  refusing = false;
  process.stdout.write("restored\n");
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
