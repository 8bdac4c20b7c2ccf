using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MetricPipeline.Data.Migrations
{
    /// <inheritdoc />
    public partial class SlackAppMode : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "slack_channel",
                table: "alerts",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "slack_sync_attempts",
                table: "alerts",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "slack_sync_error",
                table: "alerts",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "slack_sync_next_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "slack_synced_history_id",
                table: "alerts",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "slack_ts",
                table: "alerts",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "slack_channel",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "slack_sync_attempts",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "slack_sync_error",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "slack_sync_next_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "slack_synced_history_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "slack_ts",
                table: "alerts");
        }
    }
}
