using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetricPipeline.IntegrationTests.Infrastructure;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>One level change of one metric segment: from <see cref="At"/> (any minute) the value is multiplied by <see cref="Factor"/>.</summary>
public sealed record LevelChange(string Metric, string Plan, DateTime At, double Factor);

/// <summary>
/// Telemetry for the detection tests, sent through the real ingest path: <c>sum</c> metrics segmented by plan, one
/// event per (hour, metric, plan) whose <c>value</c> is that hour's amount, so the hour buckets hold exact values.
/// Each series is base · daily cycle (±30 %) · weekday/weekend (weekend −15 %) · 2 % Gaussian noise · level changes;
/// a change inside an hour applies to the minutes after it only, as a real drop would.
/// </summary>
public static class DetectionScenario
{
    public sealed record Series(string Metric, string Product, string EventName, IReadOnlyDictionary<string, double> BaseByPlan);

    public static JsonObject Metric(
        string key, string role, string product, string eventName, string direction = "up", string[]? parents = null, double minRelativeChange = 0.05) =>
        new()
        {
            ["key"] = key,
            ["name"] = key.Replace('_', ' '),
            ["owner"] = "growth-team",
            ["role"] = role,
            ["kind"] = "sum",
            ["event"] = eventName,
            ["product"] = product,
            ["dimensions"] = new JsonArray("plan"),
            ["grain"] = "hour",
            ["direction"] = direction,
            ["parents"] = new JsonArray([.. (parents ?? []).Select(p => (JsonNode)p)]),
            ["alert"] = new JsonObject { ["minRelativeChange"] = minRelativeChange },
        };

    public static async Task ApplyRegistryAsync(HttpClient admin, params JsonObject[] metrics)
    {
        var document = new JsonObject { ["metrics"] = new JsonArray([.. metrics]) };
        using var content = new StringContent(document.ToJsonString(), Encoding.UTF8, "application/json");
        var response = await admin.PostAsync("v1/registry", content);
        Assert.True(response.IsSuccessStatusCode, $"registry refused ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Values per (metric, plan) for the hours [end − hours, end).</summary>
    public static Dictionary<(string Metric, string Plan), double[]> Generate(
        IEnumerable<Series> series, DateTime end, int hours, IReadOnlyList<LevelChange> changes, int seed)
    {
        var random = new Random(seed);
        var start = end.AddHours(-hours);
        var values = new Dictionary<(string, string), double[]>();
        foreach (var s in series)
        {
            foreach (var (plan, baseline) in s.BaseByPlan)
            {
                var y = new double[hours];
                for (var h = 0; h < hours; h++)
                {
                    var t = start.AddHours(h);
                    var daily = 1 + (0.3 * Math.Sin(2 * Math.PI * (t.Hour - 6) / 24));
                    var weekly = t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.85 : 1.0;
                    var level = 1.0;
                    foreach (var c in changes.Where(c => c.Metric == s.Metric && c.Plan == plan))
                    {
                        // The part of the hour after the change carries the new level.
                        var after = Math.Clamp((t.AddHours(1) - c.At).TotalHours, 0, 1);
                        level *= 1 + ((c.Factor - 1) * after);
                    }

                    var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                    y[h] = Math.Round(baseline * daily * weekly * level * (1 + (0.02 * gaussian)), 3);
                }

                values[(s.Metric, plan)] = y;
            }
        }

        return values;
    }

    /// <summary>Sends the values as events (batches of 1,000) and waits until every metric's total over the range has landed.</summary>
    public static async Task IngestAsync(
        HttpClient ingest, HttpClient reader, IEnumerable<Series> series, Dictionary<(string Metric, string Plan), double[]> values, DateTime end, int hours)
    {
        var start = end.AddHours(-hours);
        var bySeries = series.ToDictionary(s => s.Metric);
        var events = new List<object>();
        foreach (var ((metric, plan), y) in values)
        {
            var s = bySeries[metric];
            for (var h = 0; h < y.Length; h++)
            {
                events.Add(new
                {
                    id = Guid.NewGuid(),
                    product = s.Product,
                    name = s.EventName,
                    timestamp = start.AddHours(h).AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    value = y[h],
                    properties = new Dictionary<string, string> { ["plan"] = plan },
                });
            }
        }

        foreach (var batch in events.Chunk(1000))
        {
            using var response = await EventSender.PostAsync(ingest, () => JsonContent.Create(batch));
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var from = start.ToString("o", CultureInfo.InvariantCulture);
        var to = end.ToString("o", CultureInfo.InvariantCulture);
        foreach (var metric in values.Keys.Select(k => k.Metric).Distinct())
        {
            var expected = values.Where(kv => kv.Key.Metric == metric).Sum(kv => kv.Value.Sum());
            var deadline = DateTime.UtcNow.AddMinutes(3);
            double landed = 0;
            while (DateTime.UtcNow < deadline)
            {
                using var json = JsonDocument.Parse(await reader.GetStringAsync($"v1/metrics/{metric}/segments?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"));
                landed = json.RootElement.GetProperty("segments").EnumerateArray()
                    .Where(s => s.GetProperty("segment").GetString() == "")
                    .Select(s => s.GetProperty("total").GetDouble()).FirstOrDefault();
                if (Math.Abs(landed - expected) <= 1e-6 * expected)
                {
                    break;
                }

                await Task.Delay(500);
            }

            Assert.True(Math.Abs(landed - expected) <= 1e-6 * expected, $"{metric}: {landed} of {expected} landed in the buckets");
        }
    }

    public static async Task<Guid> DeployAsync(HttpClient admin, object body)
    {
        var response = await admin.PostAsJsonAsync("v1/deployments", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"deployment refused ({(int)response.StatusCode}): {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> RunPassAsync(HttpClient admin, DateTime asOf)
    {
        var response = await admin.PostAsync($"v1/detector/run?asOf={Uri.EscapeDataString(asOf.ToString("o", CultureInfo.InvariantCulture))}", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"detector run failed ({(int)response.StatusCode}): {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<List<JsonElement>> AlertsAsync(HttpClient client, string query = "")
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("v1/alerts" + query));
        return [.. json.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.Clone())];
    }

    /// <summary>The total of <paramref name="key"/> in the hour starting at <paramref name="hour"/>, as the segments endpoint answers it.</summary>
    public static async Task<double> HourTotalAsync(HttpClient reader, string key, DateTime hour)
    {
        using var json = JsonDocument.Parse(await reader.GetStringAsync(
            $"v1/metrics/{key}/segments?from={Uri.EscapeDataString(Iso(hour))}&to={Uri.EscapeDataString(Iso(hour.AddHours(1)))}"));
        return json.RootElement.GetProperty("segments").EnumerateArray()
            .Where(s => s.GetProperty("segment").GetString() == "")
            .Select(s => s.GetProperty("total").GetDouble()).FirstOrDefault();
    }

    /// <summary><c>GET /v1/detector/status</c>.</summary>
    public static async Task<JsonElement> DetectorStatusAsync(HttpClient reader)
    {
        using var json = JsonDocument.Parse(await reader.GetStringAsync("v1/detector/status"));
        return json.RootElement.Clone();
    }

    public static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Polls <paramref name="condition"/> every 250 ms until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeout}");
            await Task.Delay(250);
        }
    }
}
