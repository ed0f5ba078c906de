import type { ApolloServerPlugin } from "@apollo/server";

/**
 * What a browser gets at GET /graphql: a short local page that points to the dashboard's API
 * explorer. Apollo's own landing page loads its scripts from a CDN (nothing on a machine without
 * internet access, and third-party code next to a token); this page loads nothing at all.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mailstream GraphQL API</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; color: #0f172a; }
  code { font-family: ui-monospace, monospace; background: #f1f5f9; padding: 0 .25rem; border-radius: 4px; }
  @media (prefers-color-scheme: dark) { body { background: #0b1220; color: #e2e8f0; } code { background: #1e293b; } a { color: #93c5fd; } }
</style>
</head>
<body>
<h1>Mailstream GraphQL API</h1>
<p>This is the GraphQL endpoint: send <code>POST /graphql</code> with a JSON body and
<code>Authorization: Bearer &lt;token&gt;</code>, or subscribe over WebSocket (graphql-ws) on the same path.</p>
<p>To try operations in the browser, open the <a href="/explorer">API explorer</a> in the dashboard (sign in with your token).</p>
</body>
</html>
`;

export function landingPagePlugin(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PAGE };
        },
      };
    },
  };
}
