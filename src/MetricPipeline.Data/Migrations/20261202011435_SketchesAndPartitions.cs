using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MetricPipeline.Data.Migrations
{
    /// <inheritdoc />
    public partial class SketchesAndPartitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // hll is not a trusted extension: deploy/local-services.sh (or the Postgres image in deploy/)
            // creates it as the superuser; here it is a no-op unless this role may create it.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS hll;");

            // Hour buckets only, with distinct users as an hll sketch; partitioned by month of bucket_start.
            // Existing hour rows are kept, and each hour's exact memberships become its sketch.
            migrationBuilder.Sql("""
                ALTER TABLE buckets RENAME TO buckets_before_sketches;
                ALTER TABLE buckets_before_sketches RENAME CONSTRAINT pk_buckets TO pk_buckets_before_sketches;
                CREATE TABLE buckets (
                    metric_key text NOT NULL,
                    bucket_start timestamp with time zone NOT NULL,
                    segment text NOT NULL,
                    count bigint NOT NULL,
                    sum double precision NOT NULL,
                    users hll NULL,
                    CONSTRAINT pk_buckets PRIMARY KEY (metric_key, bucket_start, segment)
                ) PARTITION BY RANGE (bucket_start);
                CREATE TABLE buckets_default PARTITION OF buckets DEFAULT;
                INSERT INTO buckets (metric_key, bucket_start, segment, count, sum, users)
                SELECT b.metric_key, b.bucket_start, b.segment, b.count, b.sum, u.users
                FROM buckets_before_sketches b
                LEFT JOIN (
                    SELECT metric_key, bucket_start, segment, hll_add_agg(hll_hash_text(user_id), 14, 5, -1, 1) AS users
                    FROM bucket_users WHERE grain = 0
                    GROUP BY metric_key, bucket_start, segment) u
                  ON u.metric_key = b.metric_key AND u.bucket_start = b.bucket_start AND u.segment = b.segment
                WHERE b.grain = 0;
                DROP TABLE buckets_before_sketches;
                DROP TABLE bucket_users;
                """);

            // Event ids, partitioned by day of the event's own time so the purge drops whole days. Ids kept
            // from before have no event time: they are filed under the time they were seen.
            migrationBuilder.Sql("""
                ALTER TABLE seen_events RENAME TO seen_events_before_partitions;
                ALTER TABLE seen_events_before_partitions RENAME CONSTRAINT pk_seen_events TO pk_seen_events_before_partitions;
                DROP INDEX IF EXISTS ix_seen_events_seen_at;
                CREATE TABLE seen_events (
                    event_id uuid NOT NULL,
                    occurred_at timestamp with time zone NOT NULL,
                    seen_at timestamp with time zone NOT NULL,
                    CONSTRAINT pk_seen_events PRIMARY KEY (event_id, occurred_at)
                ) PARTITION BY RANGE (occurred_at);
                CREATE TABLE seen_events_default PARTITION OF seen_events DEFAULT;
                CREATE INDEX ix_seen_events_default_seen_at ON seen_events_default (seen_at);
                INSERT INTO seen_events (event_id, occurred_at, seen_at)
                SELECT event_id, seen_at, seen_at FROM seen_events_before_partitions;
                DROP TABLE seen_events_before_partitions;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Sketches cannot be turned back into per-user memberships.
            throw new NotSupportedException("SketchesAndPartitions cannot be reverted: hll sketches do not hold the user ids the old bucket_users table needs");
        }
    }
}
