#!/bin/sh
# Generates a migration for each dialect from the entities: npm run migration:generate -- Name
# Needs PostgreSQL at 127.0.0.1:5432 (a scratch database is created and dropped).
set -eu
name=${1:?usage: npm run migration:generate -- MigrationName}
scratch=/tmp/mailstream-migrations-$$
psql -h 127.0.0.1 -U postgres -qc "create database mailstream_migrations" >/dev/null
trap 'psql -h 127.0.0.1 -U postgres -qc "drop database mailstream_migrations" >/dev/null; rm -rf $scratch' EXIT
cli="npx tsx node_modules/typeorm/cli.js"
MAILSTREAM_DATA_DIR=$scratch $cli migration:run -d server/storage/cli-data-source.ts
MAILSTREAM_DATA_DIR=$scratch $cli migration:generate "server/storage/migrations/sqlite/$name" -d server/storage/cli-data-source.ts
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/mailstream_migrations
$cli migration:run -d server/storage/cli-data-source.ts
$cli migration:generate "server/storage/migrations/postgres/$name" -d server/storage/cli-data-source.ts
echo "Now add both classes to server/storage/migrations/index.ts"
