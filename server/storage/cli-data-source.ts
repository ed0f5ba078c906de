// Data source for TypeORM's CLI (migration:generate), by DATABASE_URL like the server.
import "reflect-metadata";
import { createDataSource } from "./data-source.js";

export default createDataSource({
  dataDir: process.env.MAILSTREAM_DATA_DIR ?? "/tmp/mailstream-migrations",
  databaseUrl: process.env.DATABASE_URL ?? null,
});
