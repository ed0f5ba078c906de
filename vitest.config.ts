import { defineConfig } from "vitest/config";

export default defineConfig({
  // type-graphql is loaded by Node (graphql/index.js) while tests would get graphql/index.mjs
  // through Vite: two copies of graphql break schema building. Pin one.
  resolve: { alias: { graphql: "graphql/index.js" } },
  oxc: {
    decorator: { legacy: true, emitDecoratorMetadata: true },
  },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
