# PostgreSQL 15 with the extensions MetricPipeline uses: hll (Citus's postgresql-hll: distinct-user
# sketches; the migration runs CREATE EXTENSION hll) and pg_partman (optional: the server creates and
# drops its own time partitions, but partman is there for operators who prefer it).
# docker-compose.yml and the integration tests' Testcontainers path build this image:
#   docker build -f deploy/postgres.Dockerfile -t metricpipeline-postgres:15 deploy
FROM postgres:15
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15-hll postgresql-15-partman \
 && rm -rf /var/lib/apt/lists/*
# New databases (the tests create one per class) inherit the extension from template1.
RUN printf '#!/bin/sh\nset -e\npsql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d template1 -c "CREATE EXTENSION IF NOT EXISTS hll"\npsql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "CREATE EXTENSION IF NOT EXISTS hll"\n' \
    > /docker-entrypoint-initdb.d/10-hll.sh
