using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MetricPipeline.Data.Migrations
{
    /// <inheritdoc />
    public partial class RollupWatermarks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "read_through",
                table: "detector_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "rollup_watermark",
                table: "detector_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "rollup_watermarks",
                columns: table => new
                {
                    instance = table.Column<string>(type: "text", nullable: false),
                    caught_up_to = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stopped = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rollup_watermarks", x => x.instance);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "rollup_watermarks");

            migrationBuilder.DropColumn(
                name: "read_through",
                table: "detector_runs");

            migrationBuilder.DropColumn(
                name: "rollup_watermark",
                table: "detector_runs");
        }
    }
}
