using System.Diagnostics;
using System.Text.Json.Nodes;
using MetricPipeline.Data;
using MetricPipeline.Detection;
using MetricPipeline.LoadRun;
using MetricPipeline.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.LiveReplay;

/// <summary>An alert as read from the alerts table after a pass.</summary>
public sealed record AlertRow(
    Guid Id, string Metric, string Segment, string Kind, DateTime ChangeAt, string Status, double RelativeChange, string Deployments, DateTime? ResolvedAt, Guid? Parent);

/// <summary>One alert over the replay: the pass (its bucket start) that first showed it, its row then and after the last pass, and every kind it had.</summary>
public sealed record AlertTrack(DateTime FirstPassHour, AlertRow First, AlertRow Last, IReadOnlySet<string> Kinds, bool OpenedByPass);

/// <summary>What one seed's replay saw.</summary>
public sealed record SeedResult(SeedPlan Plan, IReadOnlyDictionary<string, Guid> Deployments, IReadOnlyList<AlertTrack> Alerts, int Passes, double PassSeconds, int SeriesPerPass);

/// <summary>
/// Replays one seed: a fresh database, migrated by the project's own migrations; the scenarios' metrics applied
/// through the registry's validation and <see cref="MetricStore"/>; their hour buckets written by binary COPY as the
/// rollup stores them (count per metric, hour and segment: the total "" and plan=…, in the monthly partitions the
/// rollup's maintenance creates; no user sketches, the scenarios are counts); the tagged deployments read by the
/// same code as <c>POST /v1/deployments</c>; then the real <see cref="DetectionPass"/>, resolved from DI as the server
/// wires it, as of every hour (with a replay clock reading the pass's time), and the alerts table after each pass.
/// </summary>
public static class SeedRun
{
    public static async Task<SeedResult> RunAsync(BenchServices services, SeedPlan plan, ReplayOptions options, CancellationToken ct)
    {
        var name = "lrp_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await services.CreateDatabaseAsync(name);
        try
        {
            var clock = new ReplayClock(plan.Start);
            await using var provider = BuildServices(connectionString, clock, options.Settings);
            await LoadAsync(provider, plan, ct);
            var deployments = await TagDeploymentsAsync(provider, plan, ct);
            return await ReplayAsync(provider, clock, plan, deployments, options.PassMinute, ct);
        }
        finally
        {
            await services.DropDatabaseAsync(name);
        }
    }

    /// <summary>The server's data access and detector registrations (<c>AddDataAccess</c>, <c>AddDetection(schedule: false)</c>).</summary>
    private static ServiceProvider BuildServices(string connectionString, ReplayClock clock, IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString, ["Detector:Enabled"] = "false" })
            .AddInMemoryCollection(settings.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddDbContext<MetricPipelineDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddDetection(configuration, schedule: false);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    private static async Task LoadAsync(ServiceProvider provider, SeedPlan plan, CancellationToken ct)
    {
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MetricPipelineDbContext>();
            await db.Database.MigrateAsync(ct);
            var store = scope.ServiceProvider.GetRequiredService<MetricStore>();
            var document = new JsonObject { ["metrics"] = new JsonArray([.. plan.Instances.SelectMany(i => i.Definitions).Select(d => d.DeepClone())]) };
            var incoming = RegistryDocumentReader.ReadJson(document.ToJsonString()).Metrics;
            var validation = RegistryValidator.Validate(await store.AllAsync(ct), incoming);
            if (!validation.IsValid)
            {
                throw new InvalidOperationException("the replay registry is refused: " + string.Join("; ", validation.Errors));
            }

            await store.ApplyAsync(incoming, ct);
        }

        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync(ct);

        // The rollup's partition maintenance creates the monthly partitions of the buckets it will write.
        await TimePartitions.EnsureAsync(connection, PartitionedTable.Buckets, plan.Start, plan.Start.AddHours(plan.Hours), ct);
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY buckets (metric_key, bucket_start, segment, count, sum) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var metric in plan.Instances.SelectMany(i => i.Metrics))
            {
                for (var h = 0; h < plan.Hours; h++)
                {
                    var t = plan.Start.AddHours(h);
                    long total = 0;
                    foreach (var (planName, counts) in metric.CountsByPlan)
                    {
                        total += counts[h];
                        await WriteBucketAsync(writer, metric.Key, t, "plan=" + planName, counts[h], ct);
                    }

                    await WriteBucketAsync(writer, metric.Key, t, "", total, ct);
                }
            }

            await writer.CompleteAsync(ct);
        }

        // The rollup admits each plan value as a segment of the metric's dimension.
        await using var admit = new NpgsqlCommand(
            "INSERT INTO dimension_values (metric_key, dimension, value, admitted_at) SELECT m, 'plan', v, @t FROM unnest(@m) m, unnest(@v) v", connection);
        admit.Parameters.Add(new NpgsqlParameter<string[]>("m", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. plan.Instances.SelectMany(i => i.Metrics).Select(m => m.Key)] });
        admit.Parameters.Add(new NpgsqlParameter<string[]>("v", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = SeriesGenerator.Plans });
        admit.Parameters.Add(new NpgsqlParameter<DateTime>("t", NpgsqlDbType.TimestampTz) { TypedValue = plan.Start });
        await admit.ExecuteNonQueryAsync(ct);
        await using var analyze = new NpgsqlCommand("ANALYZE buckets", connection);
        await analyze.ExecuteNonQueryAsync(ct);
    }

    private static async Task WriteBucketAsync(NpgsqlBinaryImporter writer, string metric, DateTime hour, string segment, long count, CancellationToken ct)
    {
        await writer.StartRowAsync(ct);
        await writer.WriteAsync(metric, NpgsqlDbType.Text, ct);
        await writer.WriteAsync(hour, NpgsqlDbType.TimestampTz, ct);
        await writer.WriteAsync(segment, NpgsqlDbType.Text, ct);
        await writer.WriteAsync(count, NpgsqlDbType.Bigint, ct);
        await writer.WriteAsync((double)count, NpgsqlDbType.Double, ct);
    }

    /// <summary>Tags each scenario's deployment as <c>POST /v1/deployments</c> would store it; returns the ids by scenario metric.</summary>
    private static async Task<Dictionary<string, Guid>> TagDeploymentsAsync(ServiceProvider provider, SeedPlan plan, CancellationToken ct)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MetricPipelineDbContext>();
        var registry = await scope.ServiceProvider.GetRequiredService<MetricStore>().AllAsync(ct);
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var instance in plan.Instances)
        {
            if (instance.DeploymentJson(plan.Seed) is not { } body)
            {
                continue;
            }

            var (deployment, errors) = DeploymentRequest.Read(body, registry, DateTimeOffset.UtcNow);
            if (deployment is null)
            {
                throw new InvalidOperationException($"deployment for {instance.Measured} refused: {string.Join("; ", errors)}");
            }

            db.Deployments.Add(deployment);
            ids[instance.Measured] = deployment.Id;
        }

        await db.SaveChangesAsync(ct);
        return ids;
    }

    private static async Task<SeedResult> ReplayAsync(
        ServiceProvider provider, ReplayClock clock, SeedPlan plan, Dictionary<string, Guid> deployments, int passMinute, CancellationToken ct)
    {
        var instance = provider.GetRequiredService<DetectorInstance>().Id;
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var tracks = new Dictionary<Guid, (DateTime First, AlertRow FirstRow, AlertRow Last, HashSet<string> Kinds, bool Opened)>();
        var passSeconds = 0.0;
        var passes = 0;
        foreach (var hour in plan.PassHours)
        {
            var asOf = hour.AddMinutes(passMinute);
            clock.Now = asOf;
            DetectionPassResult result;
            var watch = Stopwatch.StartNew();
            await using (var scope = provider.CreateAsyncScope())
            {
                try
                {
                    result = await scope.ServiceProvider.GetRequiredService<DetectionPass>().RunAsync(asOf, "replay", null, instance, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"seed {plan.Seed}: the pass as of {asOf:yyyy-MM-dd HH:mm} failed: {e.Message}", e);
                }
            }

            passSeconds += watch.Elapsed.TotalSeconds;
            passes++;
            var opened = result.Opened.ToHashSet();
            foreach (var row in await ReadAlertsAsync(dataSource, ct))
            {
                if (tracks.TryGetValue(row.Id, out var track))
                {
                    track.Kinds.Add(row.Kind);
                    tracks[row.Id] = track with { Last = row };
                }
                else
                {
                    tracks[row.Id] = (hour, row, row, [row.Kind], opened.Contains(row.Id));
                }
            }
        }

        var alerts = tracks.Values.Select(t => new AlertTrack(t.First, t.FirstRow, t.Last, t.Kinds, t.Opened)).OrderBy(a => a.FirstPassHour).ToList();
        return new SeedResult(plan, deployments, alerts, passes, passSeconds, plan.Instances.Sum(i => i.SeriesCount));
    }

    private static async Task<List<AlertRow>> ReadAlertsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, metric_key, segment, kind, change_at, status, relative_change, deployments::text, resolved_at, parent_alert_id FROM alerts");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<AlertRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new AlertRow(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTime>(4), reader.GetString(5),
                reader.GetDouble(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTime>(8), reader.IsDBNull(9) ? null : reader.GetGuid(9)));
        }

        return rows;
    }
}

/// <summary>The pass's clock: reads the time of the pass being replayed, as a live detector's clock would.</summary>
public sealed class ReplayClock(DateTime start) : TimeProvider
{
    public DateTime Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(Now, DateTimeKind.Utc), TimeSpan.Zero);
}
