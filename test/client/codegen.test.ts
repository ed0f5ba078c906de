import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import { afterAll, describe, expect, it } from "vitest";
import { codegenConfig, GENERATED_DIR } from "../../codegen.js";

const root = new URL("../../", import.meta.url).pathname;
const committedDir = join(root, GENERATED_DIR);
const freshDir = mkdtempSync(join(tmpdir(), "mailstream-codegen-"));
afterAll(() => rmSync(freshDir, { recursive: true, force: true }));

const listing = (dir: string) => readdirSync(dir).sort();

describe("the dashboard's generated GraphQL documents (client/src/gql)", () => {
  it("are what codegen.ts makes from schema/schema.graphql and the client's operations (run `npm run codegen` when this fails)", async () => {
    await generate({ ...codegenConfig(`${freshDir}/`), cwd: root }, true);
    expect(listing(committedDir)).toEqual(listing(freshDir));
    for (const file of listing(freshDir)) {
      const committed = readFileSync(join(committedDir, file), "utf8");
      const fresh = readFileSync(join(freshDir, file), "utf8");
      expect(committed, `${GENERATED_DIR}${file} is stale`).toBe(fresh);
    }
  });
});
