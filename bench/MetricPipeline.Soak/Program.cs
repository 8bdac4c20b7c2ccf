using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using MetricPipeline.LoadRun;
using Npgsql;

namespace MetricPipeline.Soak;

/// <summary>
/// The soak: the real server (every role) on a fresh database and vhost of the local PostgreSQL and RabbitMQ, fed the
/// demo scenario's last weeks as history, then a steady live stream for the given duration with a detector pass on
/// the given schedule (every minute by default). Every sample interval it prints the ingest rate and latency, the
/// server's memory, threads and CPU, the queue depth, the database's size and the passes; at the end the first window
/// against the last, and whether every accepted event was counted exactly once.
/// </summary>
public static class Program
{
    private const string IngestKey = "soak-ingest-key";
    private const string AdminKey = "soak-admin-key";

    public static async Task<int> Main(string[] args)
    {
        SoakOptions options;
        try
        {
            options = SoakOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        var root = BenchServices.RepositoryRoot();
        var registryYaml = await File.ReadAllTextAsync(Path.Combine(root, "seeds", "metrics.yaml"));
        var scenarioYaml = await File.ReadAllTextAsync(Path.Combine(root, "seeds", "scenario.yaml"));
        var services = await BenchServices.DiscoverAsync(root);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {BenchServices.CpuModel()}, load before: {BenchServices.Load()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {options.Duration.TotalMinutes:0.#} min at {options.Rate:N0} events/s (bodies of {options.Batch}, {options.Duplicates:P0} re-sent, {options.Clients} clients), " +
            $"detector cron \"{options.Cron}\", a sample every {options.Sample.TotalSeconds:0} s; history: {options.HistoryDays} days of seeds/scenario.yaml at {options.PrefillRate:N0} events/s" +
            $"{string.Concat(options.ServerSettings.Select(kv => $"; {kv.Key}={kv.Value}"))}"));

        var name = "soak_" + Guid.NewGuid().ToString("N")[..12];
        var (database, rabbitMq) = await services.CreateAsync(name);
        try
        {
            return await RunAsync(options, services, database, rabbitMq, name, registryYaml, scenarioYaml);
        }
        finally
        {
            await services.DropAsync(name);
        }
    }

    private static async Task<int> RunAsync(
        SoakOptions options, BenchServices services, string database, Uri rabbitMq, string vhost, string registryYaml, string scenarioYaml)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database,
            ["ConnectionStrings__RabbitMq"] = rabbitMq.ToString(),
            ["Roles"] = "all",
            ["Auth__IngestKeys__0"] = IngestKey,
            ["Auth__AdminKeys__0"] = AdminKey,
            ["Detector__Cron"] = options.Cron,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in options.ServerSettings)
        {
            environment[k] = v;
        }

        await using var server = await ServerProcess.StartAsync(environment);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        await PostRegistryAsync(http, registryYaml);
        var registry = EventSource.Snapshot(registryYaml);
        await using var dataSource = NpgsqlDataSource.Create(database);
        using var management = services.ManagementClient();
        var sender = new PacedSender(http, IngestKey, options.Clients, Console.Out);

        var history = EventSource.History(scenarioYaml, registry, options.HistoryDays, options.Batch, options.Duplicates, DateTimeOffset.UtcNow);
        if (options.HistoryDays > 0)
        {
            var clock = Stopwatch.StartNew();
            await sender.RunAsync(history, options.PrefillRate, options.Batch, CancellationToken.None);
            var sent = clock.Elapsed.TotalSeconds;
            var counted = await WaitForCountAsync(dataSource, history.Expected().Values.Sum(), TimeSpan.FromMinutes(10));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"history: {history.AcceptedUnique:N0} events sent in {sent:0} s, stored after {clock.Elapsed.TotalSeconds:0} s ({counted:N0} event-metric counts); load {BenchServices.Load()}"));
        }

        sender.Drain();
        var live = EventSource.Live(scenarioYaml, registry, options.Batch, options.Duplicates);
        var sampler = new Sampler(http, server.Pid, management, vhost, dataSource);
        var samples = new List<Sample>();
        await sampler.StartAsync();
        Console.WriteLine();
        Console.WriteLine(SoakReport.Header);
        var soak = Stopwatch.StartNew();
        using (var stop = new CancellationTokenSource(options.Duration))
        {
            var sending = sender.RunAsync(live, options.Rate, options.Batch, stop.Token);
            for (var k = 1; options.Sample * (k - 1) < options.Duration; k++)
            {
                var at = options.Sample * k < options.Duration ? options.Sample * k : options.Duration;
                var wait = at - soak.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var sample = await sampler.TakeAsync(soak.Elapsed, sender.Drain());
                samples.Add(sample);
                Console.WriteLine(SoakReport.Row(sample));
            }

            await sending;
        }

        SoakReport.Summary(Console.Out, samples, options.Duration, options.Window);
        var (exact, verification) = await VerifyAsync(dataSource, history, live);
        Console.WriteLine($"counts: {(exact && sender.TotalFailures == 0 ? "PASS" : "FAIL")}: {verification}; {sender.TotalFailures} failed requests");
        Console.WriteLine($"load after: {BenchServices.Load()}");
        if (!exact || sender.TotalFailures > 0)
        {
            var log = server.Log;
            Console.WriteLine("server log (last 4000 characters):");
            Console.WriteLine(log.Length > 4000 ? log[^4000..] : log);
            return 1;
        }

        return 0;
    }

    private static async Task PostRegistryAsync(HttpClient http, string registryYaml)
    {
        using var content = new StringContent(registryYaml, Encoding.UTF8, "application/yaml");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/registry") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the registry was refused: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Polls the stored hourly totals until they add up to <paramref name="expected"/> event-metric counts; returns the last sum.</summary>
    private static async Task<long> WaitForCountAsync(NpgsqlDataSource database, long expected, TimeSpan timeout)
    {
        await using var cmd = database.CreateCommand("SELECT coalesce(sum(count), 0)::bigint FROM buckets WHERE segment = ''");
        var deadline = DateTime.UtcNow + timeout;
        long counted = 0;
        while (DateTime.UtcNow < deadline && (counted = (long)(await cmd.ExecuteScalarAsync())!) < expected)
        {
            await Task.Delay(500);
        }

        return counted;
    }

    /// <summary>After the stream has drained: one de-duplication id per accepted unique event, and each metric's total exact.</summary>
    private static async Task<(bool Exact, string Message)> VerifyAsync(NpgsqlDataSource database, EventSource history, EventSource live)
    {
        var expected = history.Expected();
        foreach (var (key, count) in live.Expected())
        {
            expected[key] = expected.GetValueOrDefault(key) + count;
        }

        var clock = Stopwatch.StartNew();
        var counted = await WaitForCountAsync(database, expected.Values.Sum(), TimeSpan.FromMinutes(10));
        var drained = clock.Elapsed.TotalSeconds;
        var unique = history.AcceptedUnique + live.AcceptedUnique;
        await using var seen = database.CreateCommand("SELECT count(*) FROM seen_events");
        var ids = (long)(await seen.ExecuteScalarAsync())!;
        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var totals = database.CreateCommand("SELECT metric_key, sum(count)::bigint FROM buckets WHERE segment = '' GROUP BY metric_key"))
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
        if (ids != unique)
        {
            wrong.Insert(0, $"seen_events holds {ids:N0} ids for {unique:N0} accepted unique events");
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{unique:N0} accepted unique events ({live.AcceptedUnique:N0} live), stored {drained:0.0} s after the last send ({counted:N0} event-metric counts)");
        return wrong.Count == 0
            ? (true, $"{summary}; every id seen once, {expected.Count} metrics' totals exact")
            : (false, $"{summary}; {string.Join("; ", wrong)}");
    }
}
