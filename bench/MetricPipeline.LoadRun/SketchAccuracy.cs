using System.Globalization;
using MetricPipeline.Cli.Simulation;
using MetricPipeline.Contracts;
using MetricPipeline.Data;
using MetricPipeline.Registry;
using MetricPipeline.Rollup;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MetricPipeline.LoadRun;

/// <summary>
/// How far the distinct-user sketches are from exact counts, and how big the demo's database is.
/// The demo's data (seeds/scenario.yaml, its default 21 days ending at the current hour, seeds/metrics.yaml)
/// is written with the worker's own statements (<see cref="RollupStore"/>) into a fresh database, while the
/// exact user sets of every (metric, hour, segment) cell are kept in memory; then every hour cell, every day
/// (a union of 24 hour sketches) and every rolling 7-day window (a union of 168) is read back and compared.
/// A synthetic part adds sets of 10k to 1M users, where the sketch is far past its exact range.
/// </summary>
public static class SketchAccuracy
{
    public static async Task RunAsync(string connectionString, string registryYaml, string scenarioYaml, TextWriter output)
    {
        var options = new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(connectionString).Options;
        await using (var db = new MetricPipelineDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var scenario = ScenarioReader.Read(scenarioYaml);
        var now = DateTime.UtcNow;
        var currentHour = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
        var hours = scenario.Days * 24;
        var generator = new TelemetryGenerator(scenario, currentHour.AddHours(-hours));
        var snapshot = new RegistrySnapshot(1, RegistryDocumentReader.ReadYaml(registryYaml).Metrics);
        var catalog = new SegmentCatalog(new RollupOptions().MaxSegmentValues);
        var exact = new Dictionary<(string Metric, DateTime Hour, string Segment), HashSet<long>>();
        var events = 0;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await PartitionMaintenance.RunAsync(connection, new RollupOptions(), currentHour.UtcDateTime.AddDays(-scenario.Days - 1), CancellationToken.None);
            await PartitionMaintenance.RunAsync(connection, new RollupOptions(), now, CancellationToken.None);
            foreach (var chunk in generator.Generate(hours).Chunk(20_000))
            {
                events += chunk.Length;
                await WriteAsync(connection, chunk, snapshot, catalog, exact);
            }
        }

        output.WriteLine($"demo data: {events:N0} events over {scenario.Days} days, {exact.Count:N0} distinct-user hour cells");
        await PrintStorageAsync(dataSource, events, output);
        var hourly = await StoredHourlyAsync(dataSource);
        Report(output, "hour cells", exact.Select(kv => (kv.Value.Count, hourly.GetValueOrDefault(kv.Key))));
        Report(output, "days (union of 24 hours)", await UnionsAsync(dataSource, exact, TimeSpan.FromDays(1), TimeSpan.FromDays(1)));
        Report(output, "rolling 7 days per day (union of 168 hours)", await UnionsAsync(dataSource, exact, TimeSpan.FromDays(1), TimeSpan.FromDays(7)));
        await SyntheticAsync(dataSource, output);
    }

    private static async Task WriteAsync(
        NpgsqlConnection connection, TelemetryEvent[] chunk, RegistrySnapshot snapshot, SegmentCatalog catalog,
        Dictionary<(string, DateTime, string), HashSet<long>> exact)
    {
        var unresolved = BucketAggregator.UnresolvedValues(chunk, snapshot, catalog);
        if (unresolved.Count > 0)
        {
            await catalog.PrepareAsync(connection, unresolved, CancellationToken.None);
        }

        var byId = chunk.DistinctBy(e => e.Id).OrderBy(e => e.Id).ToArray();
        var rows = BucketAggregator.Aggregate(byId, snapshot, catalog);
        // Users by their 64-bit hash: exact unless two ids of a cell share one (odds ~1e-8 for a million users).
        foreach (var u in rows.Users)
        {
            var d = rows.Deltas[u.Bucket];
            if (!exact.TryGetValue((d.MetricKey, d.Start, d.Segment), out var users))
            {
                exact[(d.MetricKey, d.Start, d.Segment)] = users = [];
            }

            users.Add(u.UserHash);
        }

        await using var tx = await connection.BeginTransactionAsync();
        await RollupStore.ClaimNewEventsAsync(connection, tx, [.. byId.Select(e => e.Id)], [.. byId.Select(e => e.Timestamp.UtcDateTime)], DateTime.UtcNow, CancellationToken.None);
        await RollupStore.UpsertBucketsAsync(connection, tx, rows.Deltas, rows.Users, CancellationToken.None);
        await tx.CommitAsync();
    }

    private static async Task PrintStorageAsync(NpgsqlDataSource dataSource, int events, TextWriter output)
    {
        await using (var vacuum = dataSource.CreateCommand("VACUUM ANALYZE"))
        {
            await vacuum.ExecuteNonQueryAsync();
        }

        await using var cmd = dataSource.CreateCommand("""
            SELECT pg_database_size(current_database()),
                   coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'buckets%'), 0)::bigint,
                   coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'seen\_events%'), 0)::bigint,
                   coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname NOT LIKE 'seen\_events%'), 0)::bigint,
                   (SELECT count(*) FROM buckets)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        output.WriteLine(
            $"demo database: {reader.GetInt64(0) / 1048576.0:N1} MiB in all; buckets {reader.GetInt64(1) / 1048576.0:N1} MiB ({reader.GetInt64(4):N0} rows), " +
            $"seen_events {reader.GetInt64(2) / 1048576.0:N1} MiB; every table but seen_events {reader.GetInt64(3) / (double)events:N1} bytes per event");
    }

    private static async Task<Dictionary<(string, DateTime, string), double>> StoredHourlyAsync(NpgsqlDataSource dataSource)
    {
        var stored = new Dictionary<(string, DateTime, string), double>();
        await using var cmd = dataSource.CreateCommand("SELECT metric_key, bucket_start, segment, hll_cardinality(users) FROM buckets WHERE users IS NOT NULL");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[(reader.GetString(0), reader.GetFieldValue<DateTime>(1), reader.GetString(2))] = reader.GetDouble(3);
        }

        return stored;
    }

    /// <summary>Per (metric, segment, step): the union of the hour sketches in [t + step − window, t + step), against the union of the exact sets.</summary>
    private static async Task<List<(int Exact, double Sketch)>> UnionsAsync(
        NpgsqlDataSource dataSource, Dictionary<(string Metric, DateTime Hour, string Segment), HashSet<long>> exact, TimeSpan step, TimeSpan window)
    {
        var stored = new Dictionary<(string, DateTime, string), double>();
        await using (var cmd = dataSource.CreateCommand("""
            SELECT metric_key, segment, t, hll_cardinality(hll_union_agg(p) OVER w) FROM (
                SELECT metric_key, segment, date_trunc('day', bucket_start, 'UTC') AS t, hll_union_agg(users) AS p
                FROM buckets WHERE users IS NOT NULL GROUP BY 1, 2, 3) per_day
            WINDOW w AS (PARTITION BY metric_key, segment ORDER BY t RANGE BETWEEN @back PRECEDING AND CURRENT ROW)
            """))
        {
            cmd.Parameters.AddWithValue("back", window - step);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored[(reader.GetString(0), reader.GetFieldValue<DateTime>(2), reader.GetString(1))] = reader.GetDouble(3);
            }
        }

        var byCell = exact.GroupBy(kv => (kv.Key.Metric, kv.Key.Segment)).ToList();
        var pairs = new List<(int, double)>();
        foreach (var cell in byCell)
        {
            var hoursOf = cell.ToDictionary(kv => kv.Key.Hour, kv => kv.Value);
            foreach (var day in hoursOf.Keys.Select(h => h.Date).Distinct())
            {
                var union = new HashSet<long>();
                foreach (var (hour, users) in hoursOf)
                {
                    if (hour >= day + step - window && hour < day + step)
                    {
                        union.UnionWith(users);
                    }
                }

                pairs.Add((union.Count, stored.GetValueOrDefault((cell.Key.Metric, DateTime.SpecifyKind(day, DateTimeKind.Utc), cell.Key.Segment))));
            }
        }

        return pairs;
    }

    /// <summary>Sets of 10k, 100k and 1M users, 40 each (different user ids per set), sketched by the extension itself.</summary>
    private static async Task SyntheticAsync(NpgsqlDataSource dataSource, TextWriter output)
    {
        foreach (var size in new[] { 10_000, 100_000, 1_000_000 })
        {
            var trials = size >= 1_000_000 ? 10 : 40;
            await using var cmd = dataSource.CreateCommand($"""
                SELECT trial, hll_cardinality({UserSketch.AddAggregate("hll_hash_text('s' || trial || '-u' || g)")})
                FROM generate_series(1, @trials) trial, generate_series(1, @size) g GROUP BY trial
                """);
            cmd.Parameters.AddWithValue("trials", trials);
            cmd.Parameters.AddWithValue("size", size);
            var pairs = new List<(int, double)>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                pairs.Add((size, reader.GetDouble(1)));
            }

            Report(output, $"synthetic sets of {size:N0} users ({trials} sets)", pairs);
        }
    }

    private static void Report(TextWriter output, string what, IEnumerable<(int Exact, double Sketch)> cells)
    {
        var list = cells.ToList();
        var small = list.Where(c => c.Exact <= UserSketch.ExplicitThreshold).ToList();
        var large = list.Where(c => c.Exact > UserSketch.ExplicitThreshold).Select(c => Math.Abs(c.Sketch - c.Exact) / c.Exact).Order().ToArray();
        var within = large.Count(e => e <= 2 * UserSketch.RelativeStandardError);
        output.WriteLine(
            $"{what}: {list.Count:N0} cells; {small.Count:N0} with ≤ {UserSketch.ExplicitThreshold:N0} users, {small.Count(c => c.Sketch != c.Exact)} of them not exact; " +
            (large.Length == 0
                ? "none above"
                : $"{large.Length:N0} above: relative error p50 {Percent(large, 0.5)}, p95 {Percent(large, 0.95)}, max {large[^1]:P2}; " +
                  $"{within:N0} ({within / (double)large.Length:P1}) within 2 × RSE = {2 * UserSketch.RelativeStandardError:P2}"));
    }

    private static string Percent(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)].ToString("P2", CultureInfo.InvariantCulture);
}
