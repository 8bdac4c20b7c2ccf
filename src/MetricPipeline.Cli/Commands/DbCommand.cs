using System.CommandLine;
using MetricPipeline.Data;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe db migrate</c>: creates or upgrades the schema (the server also does this at start).</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var connection = new Option<string?>("--connection")
        {
            Description = "Npgsql connection string (default: $ConnectionStrings__Postgres, else the local server)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ConnectionStrings__Postgres"),
        };
        var migrate = new Command("migrate", "Apply the EF Core migrations to the database") { connection };
        migrate.SetAction(async (parse, ct) =>
        {
            var options = new DbContextOptionsBuilder<MetricPipelineDbContext>()
                .UseNpgsql(parse.GetValue(connection) ?? DataDefaults.ConnectionString)
                .Options;
            try
            {
                await using var db = new MetricPipelineDbContext(options);
                var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
                await db.Database.MigrateAsync(ct);
                Console.WriteLine(pending.Count == 0 ? "schema is up to date" : $"applied {pending.Count} migration(s): {string.Join(", ", pending)}");
                return 0;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                Console.Error.WriteLine($"metricpipe: db migrate failed: {ex.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return new Command("db", "Database schema") { migrate };
    }
}
