using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace MetricPipeline.Data.Migrations
{
    /// <inheritdoc />
    public partial class DetectorFindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "detector_findings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    metric_key = table.Column<string>(type: "text", nullable: false),
                    segment = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    end_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ongoing = table.Column<bool>(type: "boolean", nullable: false),
                    alertable = table.Column<bool>(type: "boolean", nullable: false),
                    direction = table.Column<string>(type: "text", nullable: false),
                    observed = table.Column<double>(type: "double precision", nullable: false),
                    expected = table.Column<double>(type: "double precision", nullable: false),
                    expected_low = table.Column<double>(type: "double precision", nullable: false),
                    expected_high = table.Column<double>(type: "double precision", nullable: false),
                    relative = table.Column<double>(type: "double precision", nullable: false),
                    relative_low = table.Column<double>(type: "double precision", nullable: false),
                    relative_high = table.Column<double>(type: "double precision", nullable: false),
                    statistic = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_detector_findings", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_detector_findings_metric_key_segment_start_at",
                table: "detector_findings",
                columns: new[] { "metric_key", "segment", "start_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "detector_findings");
        }
    }
}
