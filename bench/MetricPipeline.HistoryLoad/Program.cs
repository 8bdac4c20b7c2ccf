using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace MetricPipeline.HistoryLoad;

/// <summary>
/// The history load run against a running server: seeds one hourly metric (two plans, integer values, so every
/// hour, day and week total is exact in floating point) over the last <c>--seed-days</c> days through ingest, checks
/// that the series answers equal those totals for hour, day and week grains and a segment, then lets
/// <c>--clients</c> clients ask for <c>series?include=decomposition,changepoints,anomalies,deployments</c> for each
/// window length and prints the latencies. Usage:
/// <c>HistoryLoad --server URL --admin-key K --ingest-key K [--clients 50] [--requests 1000] [--windows 7,30,90] [--seed-days 90] [--encodings identity,gzip]</c>
/// (<c>gzip</c>: the clients send <c>Accept-Encoding: gzip</c> and decompress, as a browser does).
/// </summary>
public static class Program
{
    private const string Metric = "history_load_tasks";
    private static readonly string[] Plans = ["free", "pro"];
    private static readonly double[] PlanLevels = [600.0, 400.0];

    public static async Task<int> Main(string[] args)
    {
        var options = Args(args);
        var server = new Uri(options.GetValueOrDefault("server", "http://127.0.0.1:5080").TrimEnd('/') + "/");
        var clients = int.Parse(options.GetValueOrDefault("clients", "50"), CultureInfo.InvariantCulture);
        var requests = int.Parse(options.GetValueOrDefault("requests", "1000"), CultureInfo.InvariantCulture);
        var seedDays = int.Parse(options.GetValueOrDefault("seed-days", "90"), CultureInfo.InvariantCulture);
        var windows = options.GetValueOrDefault("windows", "7,30,90").Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var encodings = options.GetValueOrDefault("encodings", "identity,gzip").Split(',');
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 4 }) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        using var gzipHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 4, AutomaticDecompression = DecompressionMethods.GZip })
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromMinutes(5),
        };

        var now = DateTime.UtcNow;
        var end = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
        var start = end.AddDays(-seedDays);
        var values = Values(start, end);
        await SeedAsync(http, options["admin-key"], options["ingest-key"], start, values);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}; server {server}");
        Console.WriteLine($"seeded {Metric}: {seedDays} days hourly × {Plans.Length} plans, up to {end:yyyy-MM-dd HH:mm}Z");
        await CheckExactAsync(http, start, end, values);

        Console.WriteLine();
        Console.WriteLine($"series?include=decomposition,changepoints,anomalies,deployments, grain hour, {clients} clients, {requests} requests per window");
        Console.WriteLine("| window | points | encoding | first request (ms) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | requests/s | KiB sent |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (days, encoding) in windows.SelectMany(d => encodings.Select(e => (d, e))))
        {
            var client = encoding == "gzip" ? gzipHttp : http;
            var path = $"v1/metrics/{Metric}/series?grain=hour&from={Iso(end.AddDays(-days))}&to={Iso(end)}&include=decomposition,changepoints,anomalies,deployments";
            var first = Stopwatch.StartNew();
            var body = await client.GetByteArrayAsync(path);
            var firstMs = first.Elapsed.TotalMilliseconds;
            using var sized = new HttpRequestMessage(HttpMethod.Get, path);
            if (encoding == "gzip")
            {
                sized.Headers.AcceptEncoding.ParseAdd("gzip");
            }

            using var sent = await http.SendAsync(sized);
            var sentBytes = (await sent.Content.ReadAsByteArrayAsync()).Length;
            var latencies = new double[requests];
            var next = -1;
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                // Each client drains the body into its own buffer: a new 271 KiB array per answer would make the load
                // tool's own garbage collections part of the latencies.
                var buffer = new byte[64 * 1024];
                int i;
                while ((i = Interlocked.Increment(ref next)) < requests)
                {
                    var t = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                    await using var stream = await response.Content.ReadAsStreamAsync();
                    long length = 0;
                    int read;
                    while ((read = await stream.ReadAsync(buffer)) > 0)
                    {
                        length += read;
                    }

                    latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                    if (length != body.Length)
                    {
                        throw new InvalidOperationException($"an answer of {length} bytes, the first was {body.Length}");
                    }
                }
            }));
            var seconds = wall.Elapsed.TotalSeconds;
            Array.Sort(latencies);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {days} d | {days * 24} | {encoding} | {firstMs:F0} | {Percentile(latencies, 0.50):F1} | {Percentile(latencies, 0.95):F1} | {Percentile(latencies, 0.99):F1} | {latencies[^1]:F1} | {requests / seconds:F0} | {sentBytes / 1024.0:F0} |"));
        }

        return 0;
    }

    /// <summary>When plan=free drops by 20 %, 40 minutes after the seeded deployment.</summary>
    private static readonly DateTime DropAt = new(2026, 11, 22, 12, 40, 0, DateTimeKind.Utc);

    /// <summary>Integer amounts per (hour, plan): a daily cycle, weekends lower, noise, and a 20 % drop of plan=free at <see cref="DropAt"/>.</summary>
    private static Dictionary<string, long[]> Values(DateTime start, DateTime end)
    {
        var hours = (int)(end - start).TotalHours;
        var result = new Dictionary<string, long[]>();
        foreach (var (plan, level) in Plans.Zip(PlanLevels))
        {
            var y = new long[hours];
            for (var h = 0; h < hours; h++)
            {
                var t = start.AddHours(h);
                var daily = 1 + (0.3 * Math.Sin(2 * Math.PI * (t.Hour - 6) / 24));
                var weekly = t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.85 : 1.0;
                var drop = plan == "free" && t >= DropAt ? 0.8 : 1.0;
                // Noise from the hour itself, so a later run regenerates the same amount for the same hour.
                var noise = new Random(unchecked((int)(t.Ticks / TimeSpan.TicksPerHour) * 31) + plan.Length).NextDouble() - 0.5;
                y[h] = (long)Math.Round(level * daily * weekly * drop * (1 + (0.03 * noise)));
            }

            result[plan] = y;
        }

        return result;
    }

    private static async Task SeedAsync(HttpClient http, string adminKey, string ingestKey, DateTime start, Dictionary<string, long[]> values)
    {
        var registry = new
        {
            metrics = new[]
            {
                new
                {
                    key = Metric, name = "History load: tasks", owner = "bench", role = "north_star", kind = "sum", @event = "history_load_task",
                    product = "history-load", dimensions = new[] { "plan" }, grain = "hour", direction = "up", parents = Array.Empty<string>(),
                },
            },
        };
        await SendAsync(http, HttpMethod.Post, "v1/registry", adminKey, JsonContent.Create(registry));

        // Event ids from plan and hour: a re-run re-sends the same events for the same hours and they count once.
        var events = new List<object>();
        foreach (var (plan, y) in values)
        {
            for (var h = 0; h < y.Length; h++)
            {
                events.Add(new
                {
                    id = new Guid(Encoding.ASCII.GetBytes($"hl{plan[0]}{(start.AddHours(h) - DateTime.UnixEpoch).TotalHours:F0}".PadRight(16, '0'))),
                    product = "history-load",
                    name = "history_load_task",
                    timestamp = Iso(start.AddHours(h).AddMinutes(30)),
                    value = y[h],
                    properties = new Dictionary<string, string> { ["plan"] = plan },
                });
            }
        }

        foreach (var batch in events.Chunk(2000))
        {
            await SendAsync(http, HttpMethod.Post, "v1/events", ingestKey, JsonContent.Create(batch));
        }

        var deployment = new { service = "history-load-model", version = "2", kind = "model", startedAt = Iso(DropAt.AddMinutes(-40)), products = new[] { "history-load" } };
        using (var list = JsonDocument.Parse(await http.GetStringAsync("v1/deployments?service=history-load-model")))
        {
            if (list.RootElement.GetProperty("deployments").GetArrayLength() == 0)
            {
                await SendAsync(http, HttpMethod.Post, "v1/deployments", adminKey, JsonContent.Create(deployment));
            }
        }

        var expected = values.Values.Sum(y => y.Sum());
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            using var totals = JsonDocument.Parse(await http.GetStringAsync($"v1/metrics/{Metric}/segments?from={Iso(start)}&to={Iso(start.AddHours(values["free"].Length))}"));
            var landed = totals.RootElement.GetProperty("segments").EnumerateArray().Where(s => s.GetProperty("segment").GetString() == "").Select(s => s.GetProperty("total").GetDouble()).FirstOrDefault();
            if (landed == expected)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{landed} of {expected} landed after 5 minutes");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>Hour, day and week values of the total and of plan=free equal the sums of the seeded integers, twice (the second answer from the cache).</summary>
    private static async Task CheckExactAsync(HttpClient http, DateTime start, DateTime end, Dictionary<string, long[]> values)
    {
        var checkedPoints = 0;
        foreach (var grain in new[] { "hour", "day", "week" })
        {
            foreach (var segment in new[] { "", "plan:free" })
            {
                for (var round = 0; round < 2; round++)
                {
                    var path = $"v1/metrics/{Metric}/series?grain={grain}&from={Iso(start)}&to={Iso(end)}&include=decomposition,changepoints,anomalies,deployments" + (segment.Length > 0 ? $"&segment={segment}" : "");
                    using var series = JsonDocument.Parse(await http.GetStringAsync(path));
                    foreach (var point in series.RootElement.GetProperty("points").EnumerateArray())
                    {
                        var t = point.GetProperty("t").GetDateTime().ToUniversalTime();
                        var width = grain switch { "hour" => TimeSpan.FromHours(1), "day" => TimeSpan.FromDays(1), _ => TimeSpan.FromDays(7) };
                        long expected = 0;
                        foreach (var (plan, y) in values.Where(v => segment.Length == 0 || segment == "plan:" + v.Key))
                        {
                            for (var h = Math.Max(0, (int)(t - start).TotalHours); h < Math.Min(y.Length, (int)(t + width - start).TotalHours); h++)
                            {
                                expected += y[h];
                            }
                        }

                        if (point.GetProperty("value").GetDouble() != expected)
                        {
                            throw new InvalidOperationException($"{grain} {segment} {t:o}: the series says {point.GetProperty("value").GetDouble()}, the seeded events sum to {expected}");
                        }

                        checkedPoints++;
                    }
                }
            }
        }

        Console.WriteLine($"exact: {checkedPoints} points (hour, day, week; total and plan=free; fresh and cached) equal the sums of the seeded events");
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string key, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Args(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            result[args[i].TrimStart('-')] = args[i + 1];
        }

        foreach (var required in new[] { "admin-key", "ingest-key" })
        {
            if (!result.ContainsKey(required))
            {
                throw new ArgumentException($"--{required} is required");
            }
        }

        return result;
    }
}
