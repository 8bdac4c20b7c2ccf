using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MetricPipeline.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bucket_users",
                columns: table => new
                {
                    metric_key = table.Column<string>(type: "text", nullable: false),
                    grain = table.Column<short>(type: "smallint", nullable: false),
                    bucket_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    segment = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bucket_users", x => new { x.metric_key, x.grain, x.bucket_start, x.segment, x.user_id });
                });

            migrationBuilder.CreateTable(
                name: "buckets",
                columns: table => new
                {
                    metric_key = table.Column<string>(type: "text", nullable: false),
                    grain = table.Column<short>(type: "smallint", nullable: false),
                    bucket_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    segment = table.Column<string>(type: "text", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false),
                    sum = table.Column<double>(type: "double precision", nullable: false),
                    users = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_buckets", x => new { x.metric_key, x.grain, x.bucket_start, x.segment });
                });

            migrationBuilder.CreateTable(
                name: "dimension_values",
                columns: table => new
                {
                    metric_key = table.Column<string>(type: "text", nullable: false),
                    dimension = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<string>(type: "text", nullable: false),
                    admitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dimension_values", x => new { x.metric_key, x.dimension, x.value });
                });

            migrationBuilder.CreateTable(
                name: "metrics",
                columns: table => new
                {
                    key = table.Column<string>(type: "text", nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    role = table.Column<string>(type: "text", nullable: false),
                    product = table.Column<string>(type: "text", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_metrics", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "registry_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_registry_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "seen_events",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_seen_events", x => x.event_id);
                });

            migrationBuilder.InsertData(
                table: "registry_state",
                columns: new[] { "id", "version" },
                values: new object[] { 1, 0L });

            migrationBuilder.CreateIndex(
                name: "ix_seen_events_seen_at",
                table: "seen_events",
                column: "seen_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "bucket_users");

            migrationBuilder.DropTable(
                name: "buckets");

            migrationBuilder.DropTable(
                name: "dimension_values");

            migrationBuilder.DropTable(
                name: "metrics");

            migrationBuilder.DropTable(
                name: "registry_state");

            migrationBuilder.DropTable(
                name: "seen_events");
        }
    }
}
