using System.Globalization;
using MetricPipeline.Ingest;
using MetricPipeline.Rollup;

namespace MetricPipeline.LoadRun;

/// <summary>
/// The load run: the raw RabbitMQ and Postgres ceilings for the pipeline's own traffic, then the
/// pipeline end to end, on the same machine in one command; prints one table per repeat and the medians.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LoadRunOptions options;
        try
        {
            options = LoadRunOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        var root = RepositoryRoot();
        var registryYaml = await File.ReadAllTextAsync(Path.Combine(root, "seeds", "metrics.yaml"));
        var scenarioYaml = await File.ReadAllTextAsync(Path.Combine(root, "seeds", "scenario.yaml"));
        var services = await BenchServices.DiscoverAsync(root);
        if (options.SketchAccuracy)
        {
            await WithEnvironmentAsync(services, async (db, _) =>
            {
                await SketchAccuracy.RunAsync(db, registryYaml, scenarioYaml, Console.Out);
                return 0;
            });
            return 0;
        }

        var eventsPerMessage = Setting(options, "Ingest__EventsPerMessage", new IngestOptions().EventsPerMessage);
        var batchMessages = Setting(options, "Rollup__BatchMessageLimit", new RollupOptions().BatchMessageLimit);
        var concurrentBatches = Setting(options, "Rollup__ConcurrentBatches", new RollupOptions().ConcurrentBatches);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {CpuModel()}, load before: {Load()}");
        Console.WriteLine($"generating {options.Events:N0} events from seeds/scenario.yaml …");
        var workload = Workload.Create(scenarioYaml, options.Events, options.Batch, options.Duplicates, options.Users, options.LiveHours, DateTimeOffset.UtcNow);
        Console.WriteLine(
            $"workload: {workload.Unique.Count:N0} unique events, {workload.SentEvents:N0} sent ({workload.SentEvents - workload.Unique.Count:N0} re-sends), " +
            $"{workload.Users:N0} users, timestamps within the last {options.LiveHours} h, {workload.Bodies.Count:N0} requests of B={options.Batch} events (≈{workload.Bodies.Average(b => b.Length) / 1024:N0} KiB), K={options.Clients} clients");
        Console.WriteLine(
            $"settings: Ingest:EventsPerMessage={eventsPerMessage}, Rollup:BatchMessageLimit={batchMessages}, Rollup:ConcurrentBatches={concurrentBatches}" +
            string.Concat(options.ServerSettings.Select(kv => $", {kv.Key}={kv.Value}")));

        MessageFormats.Run(workload.Unique, eventsPerMessage, Console.Out);
        var rows = new List<RunRow>();
        for (var run = 1; run <= options.Repeat; run++)
        {
            RabbitResult? rabbit = null;
            PostgresResult? postgres = null;
            if (!options.SkipCeilings)
            {
                var brokerBefore = TreeCpu("beam.smp");
                rabbit = await WithEnvironmentAsync(services, async (_, vhost) =>
                {
                    var messages = workload.Unique.Chunk(eventsPerMessage).Select(c => RabbitCeiling.Envelope(c, vhost)).ToList();
                    return await RabbitCeiling.RunAsync(vhost, messages, eventsPerMessage, options.Clients, batchMessages * concurrentBatches * 2);
                });
                Console.WriteLine($"[{run}] RabbitMQ ceiling: {rabbit.MessagesPerSecond:N0} msg/s × {eventsPerMessage} = {rabbit.EventsPerSecond:N0} events/s ({rabbit.MessageBytes / 1024.0:N0} KiB messages; " +
                    $"broker CPU {(TreeCpu("beam.smp") - brokerBefore) * 1e6 / workload.Unique.Count:N1} s per million events)");

                var postgresBefore = TreeCpu("postgres");
                postgres = await WithEnvironmentAsync(services, (db, _) =>
                    PostgresCeiling.RunAsync(db, registryYaml, workload.Unique, batchMessages * eventsPerMessage, concurrentBatches));
                Console.WriteLine(
                    $"[{run}] Postgres ceiling: {postgres.EventsPerSecond:N0} events/s, {postgres.RowsPerSecond:N0} rows/s " +
                    $"({postgres.SeenRows:N0} ids, {postgres.BucketRows:N0} bucket rows, {postgres.MembershipRows:N0} memberships folded into sketches, in {postgres.Batches} transactions); " +
                    $"Postgres CPU {(TreeCpu("postgres") - postgresBefore) * 1e6 / workload.Unique.Count:N1} s per million events (with migration); " +
                    $"aggregation alone {postgres.Events / postgres.AggregateSeconds:N0} events per CPU second");
            }

            var pipeline = await WithEnvironmentAsync(services, (db, vhost) =>
                PipelineRun.RunAsync(db, vhost, registryYaml, workload, options.Clients, options.ServerSettings));
            Console.WriteLine(
                $"[{run}] end to end: {pipeline.EventsPerSecond:N0} events/s ({pipeline.UniqueEvents:N0} events in {pipeline.Seconds:N1} s; sending took {pipeline.SendSeconds:N1} s), " +
                $"ingest latency p50 {pipeline.P50Ms:N0} ms, p99 {pipeline.P99Ms:N0} ms, {pipeline.Retries} retries — {(pipeline.Exact ? "PASS" : "FAIL")}: {pipeline.Verification}");
            Console.WriteLine(
                $"[{run}] storage: {pipeline.Storage.AggregateBytes / (double)pipeline.UniqueEvents:N1} bytes per event in every table but seen_events " +
                $"({pipeline.Storage.AggregateBytes / 1048576.0:N1} MiB, {pipeline.Storage.BucketRows:N0} bucket rows; live data after VACUUM FULL: " +
                $"{pipeline.Storage.LiveAggregateBytes / (double)pipeline.UniqueEvents:N1} bytes per event, {pipeline.Storage.LiveAggregateBytes / 1048576.0:N1} MiB); " +
                $"seen_events {pipeline.Storage.SeenEventBytes / (double)pipeline.UniqueEvents:N1} bytes per event ({pipeline.Storage.LiveSeenEventBytes / (double)pipeline.UniqueEvents:N1} live)");
            rows.Add(new RunRow(rabbit, postgres, pipeline));
            ResultTable.Print(Console.Out, $"run {run} of {options.Repeat}", [rows[^1]]);
        }

        if (rows.Count > 1)
        {
            ResultTable.Print(Console.Out, $"median of {rows.Count} runs", rows);
        }

        Console.WriteLine($"load after: {Load()}");
        return rows.All(r => r.Pipeline.Exact) ? 0 : 1;
    }

    private static async Task<T> WithEnvironmentAsync<T>(BenchServices services, Func<string, Uri, Task<T>> body)
    {
        var name = "lr_" + Guid.NewGuid().ToString("N")[..12];
        var (db, vhost) = await services.CreateAsync(name);
        try
        {
            return await body(db, vhost);
        }
        finally
        {
            await services.DropAsync(name);
        }
    }

    private static double TreeCpu(string comm) => CpuMeter.FindRoot(comm) is { } pid ? CpuMeter.TreeSeconds(pid) : 0;

    private static int Setting(LoadRunOptions options, string key, int fallback) =>
        options.ServerSettings.TryGetValue(key, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MetricPipeline.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("MetricPipeline.sln not found above the current or the program's folder: run from the repository");
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
}
