import { randomUUID } from "node:crypto";

/** Row ids are random UUIDs made by the application, the same on SQLite and PostgreSQL. */
export const newId = (): string => randomUUID();
