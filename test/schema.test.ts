import { readFileSync } from "node:fs";
import { buildSchema, findBreakingChanges } from "graphql";
import { describe, expect, it } from "vitest";
import { createInProcessEventBus } from "../server/events/event-bus.js";
import { printSchemaSdl } from "../server/graphql/print-schema.js";
import { createSchema } from "../server/graphql/schema.js";

const committed = readFileSync(new URL("../schema/schema.graphql", import.meta.url), "utf8");
const contract = readFileSync(
  new URL("../../shared/contract/schema.graphql", import.meta.url),
  "utf8",
);

describe("the emitted schema", () => {
  it("is what the code builds (run `npm run emit-schema` when this fails)", async () => {
    const emitted = printSchemaSdl(await createSchema(createInProcessEventBus()));
    expect(emitted).toBe(committed);
  });

  it("has no breaking change against the contract", () => {
    const changes = findBreakingChanges(buildSchema(contract), buildSchema(committed));
    expect(changes.map((c) => `${c.type}: ${c.description}`)).toEqual([]);
  });
});
