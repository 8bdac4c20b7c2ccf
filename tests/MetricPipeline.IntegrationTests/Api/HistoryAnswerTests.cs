using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Api;

/// <summary>
/// History answers are kept as finished bytes, and still equal the rollups: every hour, day and week value of the
/// total and of a segment equals the sum of the events sent, as JSON (fresh and kept) and as CSV; late events show
/// within the freshness period; a client that has the answer gets 304, one that accepts gzip gets the same answer gzipped.
/// </summary>
public sealed class HistoryAnswerTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime Start = new(2026, 10, 5, 0, 0, 0, DateTimeKind.Utc);
    private const int Hours = 24 * 24;
    private static readonly string[] Plans = ["free", "pro"];

    [Fact]
    public async Task Hour_day_and_week_values_equal_the_events_before_and_after_late_ones_arrive()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();
        var metric = Metric("answer_tasks", "north_star", "answers", "answer_task");
        await ApplyRegistryAsync(admin, metric);

        var amounts = Plans.ToDictionary(p => p, p => Enumerable.Range(0, Hours).Select(h => (long)((p == "free" ? 600 : 400) + (h * 37 % 101))).ToArray());
        await SendAsync(ingest, amounts.SelectMany(kv => kv.Value.Select((v, h) => (kv.Key, h, v))));
        await WaitForTotalAsync(reader, amounts.Values.Sum(y => y.Sum()));
        await AssertExactAsync(reader, amounts);

        // Late events for one hour of plan=free: the hour, its day and its week change, and the answers follow.
        const int late = 300;
        amounts["free"][late] += 7;
        await SendAsync(ingest, [("free", late, 7)]);
        await WaitForTotalAsync(reader, amounts.Values.Sum(y => y.Sum()));
        // Every answer was read before they landed, or after: after History:FreshFor (1 s) none of the first kind is sent.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await AssertExactAsync(reader, amounts);

        // The same answer again: 304 for the tag the client has, and gzipped for a client that accepts it.
        var path = Path("hour", "plan:free") + "&include=decomposition,changepoints,anomalies,deployments";
        using var first = await reader.GetAsync(path);
        var body = await first.Content.ReadAsByteArrayAsync();
        using (var again = new HttpRequestMessage(HttpMethod.Get, path))
        {
            again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var notModified = await reader.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        using (var zipped = new HttpRequestMessage(HttpMethod.Get, path))
        {
            zipped.Headers.AcceptEncoding.ParseAdd("gzip");
            using var response = await reader.SendAsync(zipped);
            Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
            await using var unzipped = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
            using var copy = new MemoryStream();
            await unzipped.CopyToAsync(copy);
            Assert.Equal(body, copy.ToArray());
        }
    }

    /// <summary>JSON twice (read, then kept) and CSV: every point of every grain, total and plan=free.</summary>
    private static async Task AssertExactAsync(HttpClient reader, Dictionary<string, long[]> amounts)
    {
        foreach (var grain in new[] { "hour", "day", "week" })
        {
            foreach (var segment in new[] { "", "plan:free" })
            {
                for (var round = 0; round < 2; round++)
                {
                    using var json = JsonDocument.Parse(await reader.GetStringAsync(Path(grain, segment) + "&include=decomposition,changepoints,anomalies,deployments"));
                    var points = json.RootElement.GetProperty("points").EnumerateArray().ToList();
                    Assert.NotEmpty(points);
                    foreach (var point in points)
                    {
                        var t = point.GetProperty("t").GetDateTime().ToUniversalTime();
                        Assert.True(Expected(amounts, segment, t, grain) == point.GetProperty("value").GetDouble(), $"{grain} [{segment}] {t:o}: {point}");
                    }
                }

                using var csv = new HttpRequestMessage(HttpMethod.Get, Path(grain, segment));
                csv.Headers.Accept.ParseAdd("text/csv");
                using var response = await reader.SendAsync(csv);
                var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("t,value", lines[0]);
                foreach (var line in lines.Skip(1))
                {
                    var cells = line.Split(',');
                    var t = DateTime.Parse(cells[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
                    Assert.Equal(Expected(amounts, segment, t, grain), double.Parse(cells[1], CultureInfo.InvariantCulture));
                }
            }
        }
    }

    private static double Expected(Dictionary<string, long[]> amounts, string segment, DateTime t, string grain)
    {
        var width = grain switch { "hour" => TimeSpan.FromHours(1), "day" => TimeSpan.FromDays(1), _ => TimeSpan.FromDays(7) };
        long sum = 0;
        foreach (var (plan, y) in amounts.Where(a => segment.Length == 0 || segment == "plan:" + a.Key))
        {
            for (var h = Math.Max(0, (int)(t - Start).TotalHours); h < Math.Min(y.Length, (int)(t + width - Start).TotalHours); h++)
            {
                sum += y[h];
            }
        }

        return sum;
    }

    private static string Path(string grain, string segment) =>
        $"v1/metrics/answer_tasks/series?grain={grain}&from={Iso(Start)}&to={Iso(Start.AddHours(Hours))}" + (segment.Length > 0 ? "&segment=" + segment : "");

    private static async Task SendAsync(HttpClient ingest, IEnumerable<(string Plan, int Hour, long Amount)> events)
    {
        foreach (var batch in events.Chunk(1000))
        {
            var response = await ingest.PostAsJsonAsync("v1/events", batch.Select(e => new
            {
                id = Guid.NewGuid(),
                product = "answers",
                name = "answer_task",
                timestamp = Iso(Start.AddHours(e.Hour).AddMinutes(30)),
                value = e.Amount,
                properties = new Dictionary<string, string> { ["plan"] = e.Plan },
            }));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private static async Task WaitForTotalAsync(HttpClient reader, double expected) =>
        await WaitUntilAsync(
            async () =>
            {
                using var json = JsonDocument.Parse(await reader.GetStringAsync($"v1/metrics/answer_tasks/segments?from={Iso(Start)}&to={Iso(Start.AddHours(Hours))}"));
                return json.RootElement.GetProperty("segments").EnumerateArray().Any(s => s.GetProperty("segment").GetString() == "" && s.GetProperty("total").GetDouble() == expected);
            },
            TimeSpan.FromMinutes(3));
}
