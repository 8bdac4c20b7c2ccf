using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace MetricPipeline.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeploymentsAndAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    alert_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    @event = table.Column<string>(name: "event", type: "text", nullable: false),
                    detail = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_history", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    fingerprint = table.Column<string>(type: "text", nullable: false),
                    metric_key = table.Column<string>(type: "text", nullable: false),
                    segment = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    change_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    detected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    value = table.Column<double>(type: "double precision", nullable: false),
                    before = table.Column<double>(type: "double precision", nullable: false),
                    expected_low = table.Column<double>(type: "double precision", nullable: false),
                    expected_high = table.Column<double>(type: "double precision", nullable: false),
                    relative_change = table.Column<double>(type: "double precision", nullable: false),
                    direction = table.Column<string>(type: "text", nullable: false),
                    score = table.Column<double>(type: "double precision", nullable: false),
                    deployments = table.Column<string>(type: "jsonb", nullable: false),
                    effect = table.Column<string>(type: "jsonb", nullable: true),
                    contributors = table.Column<string>(type: "jsonb", nullable: false),
                    parent_alert_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    slack_state = table.Column<string>(type: "text", nullable: false),
                    slack_attempts = table.Column<int>(type: "integer", nullable: false),
                    slack_next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    slack_delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    slack_last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deployments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    service = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    description = table.Column<string>(type: "text", nullable: true),
                    products = table.Column<string[]>(type: "text[]", nullable: false),
                    metrics = table.Column<string[]>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deployments", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alert_history_alert_id_at",
                table: "alert_history",
                columns: new[] { "alert_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_fingerprint",
                table: "alerts",
                column: "fingerprint",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_alerts_slack_state_slack_next_attempt_at",
                table: "alerts",
                columns: new[] { "slack_state", "slack_next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_status_metric_key",
                table: "alerts",
                columns: new[] { "status", "metric_key" });

            migrationBuilder.CreateIndex(
                name: "ix_deployments_started_at",
                table: "deployments",
                column: "started_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_history");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "deployments");
        }
    }
}
