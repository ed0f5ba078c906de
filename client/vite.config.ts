import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** Where `npm run dev:client` sends /graphql (HTTP and WebSocket) and attachment downloads. */
const API_TARGET = process.env.MAILSTREAM_API_URL ?? "http://127.0.0.1:4000";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  // Preact through Vite's own Oxc JSX transform: no framework plugin (STACK.md: @preact/preset-vite
  // and @vitejs/plugin-react disagree on babel).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // client/scripts/check-bundle.ts reads the manifest to find what the first page load fetches.
    manifest: true,
    reportCompressedSize: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: a separate chunk stays cached across deploys.
        codeSplitting: {
          groups: [
            { name: "vendor", test: /node_modules/ },
            { name: "documents", test: /client\/src\/gql\// },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/graphql": { target: API_TARGET, ws: true, changeOrigin: true },
      "/attachments": { target: API_TARGET, changeOrigin: true },
      "/healthz": { target: API_TARGET, changeOrigin: true },
    },
  },
});
