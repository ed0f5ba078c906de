// Writes the SDL the server serves to schema/schema.graphql (committed; a test fails when stale).
import { writeFileSync } from "node:fs";
import { createInProcessEventBus } from "../events/event-bus.js";
import { printSchemaSdl } from "./print-schema.js";
import { createSchema } from "./schema.js";

const schema = await createSchema(createInProcessEventBus());
writeFileSync(new URL("../../schema/schema.graphql", import.meta.url), printSchemaSdl(schema));
console.log("schema/schema.graphql written");
