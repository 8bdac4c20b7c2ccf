using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace MetricPipeline.Data.Migrations
{
    /// <inheritdoc />
    public partial class DetectorRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "detector_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    trigger = table.Column<string>(type: "text", nullable: false),
                    scheduled_fire_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    instance = table.Column<string>(type: "text", nullable: false),
                    nodes = table.Column<int>(type: "integer", nullable: false),
                    alerts_opened = table.Column<int>(type: "integer", nullable: false),
                    alerts_resolved = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_detector_runs", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_detector_runs_started_at",
                table: "detector_runs",
                column: "started_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "detector_runs");
        }
    }
}
