using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MetricPipeline.Registry;
using MetricPipeline.Rollup;
using Npgsql;

namespace MetricPipeline.LoadRun;

/// <summary>
/// CPU seconds each party used during the end-to-end run. <see cref="Postgres"/> is the whole shared server (other
/// people's tests included); <see cref="PostgresOwn"/> only the run's database backends and the WAL writer,
/// checkpointer and background writer (shared, but written to almost only by the run).
/// </summary>
public sealed record CpuUse(double Server, double Broker, double Postgres, double PostgresOwn, double LoadGenerator, double Machine)
{
    /// <summary>Everything the run itself needs: load generator, server, broker and its own share of PostgreSQL.</summary>
    public double Pipeline => LoadGenerator + Server + Broker + PostgresOwn;
}

/// <summary>
/// Bytes on disk after the run: every table (with indexes and TOAST) but <c>seen_events</c>, and <c>seen_events</c>
/// alone; after a plain VACUUM (space of old row versions reusable but still in the files) and after VACUUM FULL (live data).
/// </summary>
public sealed record StorageUse(long AggregateBytes, long SeenEventBytes, long BucketRows, long LiveAggregateBytes, long LiveSeenEventBytes);

/// <summary>What the end-to-end run measured, and whether the counts came out exact.</summary>
public sealed record PipelineResult(
    int UniqueEvents, int SentEvents, int Requests, int Retries, double Seconds, double SendSeconds,
    double P50Ms, double P99Ms, CpuUse Cpu, bool Exact, string Verification, StorageUse Storage)
{
    public double EventsPerSecond => UniqueEvents / Seconds;

    /// <summary>Events (with re-sends) answered 202 per second while the clients were sending.</summary>
    public double IngestEventsPerSecond => SentEvents / SendSeconds;
}

/// <summary>
/// HTTP → RabbitMQ → worker → Postgres in one server process (<c>Roles=all</c>): K clients post
/// the workload's bodies, each request's time to 202 is its ingest latency, and the run ends when
/// the stored hourly totals account for every unique event (polled every 100 ms). Then the stored
/// ids and buckets are checked against the events.
/// </summary>
public static class PipelineRun
{
    private const string IngestKey = "loadrun-ingest-key";
    private const string AdminKey = "loadrun-admin-key";

    public static async Task<PipelineResult> RunAsync(
        string postgres, Uri rabbitMq, string registryYaml, Workload workload, int clients, IReadOnlyDictionary<string, string> serverSettings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = postgres,
            ["ConnectionStrings__RabbitMq"] = rabbitMq.ToString(),
            ["Roles"] = "all",
            ["Auth__IngestKeys__0"] = IngestKey,
            ["Auth__AdminKeys__0"] = AdminKey,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (k, v) in serverSettings)
        {
            environment[k] = v;
        }

        await using var server = await ServerProcess.StartAsync(environment);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };

        using (var registry = new StringContent(registryYaml, Encoding.UTF8, "application/yaml"))
        using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/registry") { Content = registry })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the registry was refused: {await response.Content.ReadAsStringAsync()}");
            }
        }

        var expected = ExpectedTotals(registryYaml, workload);
        var expectedSum = expected.Values.Sum();
        var brokerPid = CpuMeter.FindRoot("beam.smp");
        var postgresPid = CpuMeter.FindRoot("postgres");
        var cpuBefore = ReadCpu(server.Pid, brokerPid, postgresPid);
        var ownBefore = CpuMeter.OwnSeconds(await PostgresPidsAsync(postgres));

        var latencies = new double[workload.Bodies.Count];
        var retries = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < workload.Bodies.Count)
            {
                while (true)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var content = new ByteArrayContent(workload.Bodies[i]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var request = new HttpRequestMessage(HttpMethod.Post, "v1/events") { Content = content };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IngestKey);
                    using var response = await http.SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        break;
                    }

                    if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(1000);
                        continue;
                    }

                    throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
        var sendSeconds = clock.Elapsed.TotalSeconds;

        var counted = await WaitForCountAsync(postgres, expectedSum, TimeSpan.FromMinutes(10));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuAfter = ReadCpu(server.Pid, brokerPid, postgresPid);
        var ownAfter = CpuMeter.OwnSeconds(await PostgresPidsAsync(postgres));
        var cpu = new CpuUse(
            cpuAfter.Server - cpuBefore.Server,
            cpuAfter.Broker - cpuBefore.Broker,
            cpuAfter.Postgres - cpuBefore.Postgres,
            ownAfter.Sum(kv => kv.Value - ownBefore.GetValueOrDefault(kv.Key)),
            cpuAfter.LoadGenerator - cpuBefore.LoadGenerator,
            cpuAfter.Machine - cpuBefore.Machine);

        var (exact, verification) = await VerifyAsync(postgres, expected, workload);
        var storage = await StorageAsync(postgres);
        if (counted != expectedSum)
        {
            (exact, verification) = (false, $"the worker counted {counted} of {expectedSum} event-metric counts within the time limit; " + verification);
        }

        Array.Sort(latencies);
        return new PipelineResult(
            workload.Unique.Count, workload.SentEvents, workload.Bodies.Count, retries, seconds, sendSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), cpu, exact, verification, storage);
    }

    /// <summary>
    /// Polls the stored hourly totals (a small table) until they add up to <paramref name="expected"/>
    /// event-metric counts; returns the last sum seen. Buckets are written in the batch's transaction,
    /// so a full sum means every batch has committed.
    /// </summary>
    private static async Task<long> WaitForCountAsync(string postgres, long expected, TimeSpan timeout)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT coalesce(sum(count), 0)::bigint FROM buckets WHERE segment = ''", connection);
        var deadline = DateTime.UtcNow + timeout;
        long counted = 0;
        while (DateTime.UtcNow < deadline)
        {
            counted = (long)(await cmd.ExecuteScalarAsync())!;
            if (counted >= expected)
            {
                return counted;
            }

            await Task.Delay(100);
        }

        return counted;
    }

    /// <summary>Per stored metric, how many of the unique events the registry routes to it.</summary>
    private static Dictionary<string, long> ExpectedTotals(string registryYaml, Workload workload)
    {
        var snapshot = new RegistrySnapshot(1, RegistryDocumentReader.ReadYaml(registryYaml).Metrics);
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in workload.Unique)
        {
            foreach (var metric in snapshot.MetricsFor(e))
            {
                expected[metric.Key] = expected.GetValueOrDefault(metric.Key) + 1;
            }
        }

        return expected;
    }

    /// <summary>
    /// Exactness: one seen id per unique event, and each stored metric's hourly total over all
    /// buckets equal to the number of unique events the registry routes to it.
    /// </summary>
    private static async Task<(bool Exact, string Message)> VerifyAsync(string postgres, Dictionary<string, long> expected, Workload workload)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using (var seen = new NpgsqlCommand("SELECT count(*) FROM seen_events", connection))
        {
            var ids = (long)(await seen.ExecuteScalarAsync())!;
            if (ids != workload.Unique.Count)
            {
                return (false, $"seen_events holds {ids} ids for {workload.Unique.Count} unique events");
            }
        }

        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var totals = new NpgsqlCommand("SELECT metric_key, sum(count)::bigint FROM buckets WHERE segment = '' GROUP BY metric_key", connection))
        await using (var reader = await totals.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var wrong = expected.Where(kv => stored.GetValueOrDefault(kv.Key) != kv.Value)
            .Select(kv => $"{kv.Key}: stored {stored.GetValueOrDefault(kv.Key)}, expected {kv.Value}")
            .ToList();
        return wrong.Count == 0
            ? (true, $"{workload.Unique.Count} ids seen once; {expected.Count} metrics' totals ({expected.Values.Sum()} event-metric counts) exact")
            : (false, string.Join("; ", wrong));
    }

    /// <summary>Disk use of the run's database, split into de-duplication ids and everything else.</summary>
    private static async Task<StorageUse> StorageAsync(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        var (aggregate, seen, rows) = await SizesAsync(connection, "VACUUM ANALYZE");
        var (liveAggregate, liveSeen, _) = await SizesAsync(connection, "VACUUM FULL");
        return new StorageUse(aggregate, seen, rows, liveAggregate, liveSeen);
    }

    private static async Task<(long Aggregate, long Seen, long BucketRows)> SizesAsync(NpgsqlConnection connection, string vacuum)
    {
        await using (var analyze = new NpgsqlCommand(vacuum, connection))
        {
            analyze.CommandTimeout = 600;
            await analyze.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand("""
            SELECT coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname NOT LIKE 'seen\_events%'), 0)::bigint,
                   coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'seen\_events%'), 0)::bigint,
                   (SELECT count(*) FROM buckets)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>
    /// PostgreSQL processes that work for this run: the backends connected to its database, and the WAL writer,
    /// checkpointer and background writer. Asked over a connection of its own, which is left out.
    /// </summary>
    private static async Task<List<int>> PostgresPidsAsync(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT pid FROM pg_stat_activity
            WHERE pid <> pg_backend_pid()
              AND (datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer'))
            """, connection);
        var pids = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }

    private static CpuUse ReadCpu(int server, int? broker, int? postgres) => new(
        CpuMeter.TreeSeconds(server),
        broker is null ? 0 : CpuMeter.TreeSeconds(broker.Value),
        postgres is null ? 0 : CpuMeter.TreeSeconds(postgres.Value),
        0,
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        CpuMeter.MachineBusySeconds());

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
