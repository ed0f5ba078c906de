import { defineConfig } from "vitest/config";

/** The API suites (and two sync suites) run twice: on SQLite (the default) and on PostgreSQL. */
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export default defineConfig({
  // graphql 16 has no "exports": Node (and so every dependency) loads its CommonJS index.js while
  // Vite would hand our own files index.mjs — two realms of graphql. Pin ours to Node's.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  oxc: {
    decorator: { legacy: true, emitDecoratorMetadata: true },
  },
  test: {
    pool: "forks",
    // Two files at a time on the 2-core CI machine (the default leaves one core idle): ~8.5 min
    // instead of ~12 for the suite, the multi-process and browser tests included.
    maxWorkers: 2,
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["test/**/*.test.ts"],
          // Several server processes need PostgreSQL: their own project below.
          exclude: ["test/cluster/**"],
        },
      },
      {
        extends: true,
        // Real server processes sharing one scratch PostgreSQL database (test/support/cluster.ts).
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.test.ts"],
          env: { TEST_POSTGRES_URL: POSTGRES_URL },
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          // The sync's storage path on PostgreSQL too: a first sync with every filter and faults.
          include: [
            "test/api/**/*.test.ts",
            "test/sync/initial-sync.test.ts",
            "test/sync/faults.test.ts",
            "test/sync/same-second.test.ts",
            "test/sync/concurrent-identity.test.ts",
            "test/sync/poison-messages.test.ts",
            // EWS's storage paths on PostgreSQL: SyncStates as checkpoints, and a migration.
            "test/ews/migration.test.ts",
            // Push's storage (subscription rows, the job's plan, sealed client states) on PostgreSQL.
            "test/push/renewal.test.ts",
          ],
          env: { TEST_POSTGRES_URL: POSTGRES_URL },
        },
      },
    ],
  },
});
