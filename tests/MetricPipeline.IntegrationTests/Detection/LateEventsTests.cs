using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// Late data after an alert, on real Postgres and RabbitMQ: the total dropped 30 % at 09:00, but 40 % of the 08:00
/// hour's events arrive only after the first alert (clients that were offline), so the first pass saw the drop begin
/// an hour early. When the late events land, the next pass sees the same drop re-dated to 09:00 and updates the alert
/// it opened — its numbers and its change time (the fingerprint keeps the first) — and opens no second one.
/// </summary>
public sealed class LateEventsTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime AsOf = new(2026, 11, 18, 13, 0, 0, DateTimeKind.Utc);
    private const int Hours = 21 * 24;
    private const string Key = "late_tasks";

    [Fact]
    public async Task Late_events_that_re_date_a_drop_update_its_alert_instead_of_opening_a_second()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();
        await ApplyRegistryAsync(admin, Metric(Key, "north_star", "late", "task_completed"));

        var dropAt = AsOf.AddHours(-4);
        var series = new Series[] { new(Key, "late", "task_completed", new Dictionary<string, double> { ["free"] = 700, ["pro"] = 300 }) };
        var full = Generate(series, AsOf, Hours, [new(Key, "free", dropAt, 0.7), new(Key, "pro", dropAt, 0.7)], seed: 5);
        var lateHour = Hours - 5;
        var onTime = full.ToDictionary(kv => kv.Key, kv => kv.Value.Select((v, h) => h == lateHour ? Math.Round(v * 0.6, 3) : v).ToArray());
        await IngestAsync(ingest, reader, series, onTime, AsOf, Hours);

        var first = await RunPassAsync(admin, dropAt.AddHours(3).AddMinutes(10));
        output.WriteLine($"first pass: {first}");
        var opened = Assert.Single(await AlertsAsync(reader), a => a.GetProperty("segment").GetString() == "");
        output.WriteLine($"opened: {opened}");
        Assert.Equal(dropAt.AddHours(-1), opened.GetProperty("changeAt").GetDateTime().ToUniversalTime());
        var openedCount = (await AlertsAsync(reader)).Count;

        var late = full.Select(kv => new
        {
            id = Guid.NewGuid(),
            product = "late",
            name = "task_completed",
            timestamp = Iso(dropAt.AddMinutes(-20)),
            value = Math.Round(kv.Value[lateHour] - onTime[kv.Key][lateHour], 3),
            properties = new Dictionary<string, string> { ["plan"] = kv.Key.Plan },
        }).ToList();
        using (var response = await EventSender.PostAsync(ingest, () => JsonContent.Create(late)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await WaitForHourAsync(reader, full.Values.Sum(y => y[lateHour]), dropAt.AddHours(-1));
        var second = await RunPassAsync(admin, dropAt.AddHours(4).AddMinutes(10));
        output.WriteLine($"second pass: {second}");
        Assert.Equal(0, second.GetProperty("alertsOpened").GetInt32());

        // The later pass dates the drop at 09:00 now that 08:00 is complete...
        var from = Uri.EscapeDataString(Iso(dropAt.AddHours(-12)));
        var to = Uri.EscapeDataString(Iso(AsOf));
        using var history = JsonDocument.Parse(await reader.GetStringAsync($"v1/metrics/{Key}/series?from={from}&to={to}&include=changepoints,anomalies"));
        var findings = history.RootElement.GetProperty("changePoints").EnumerateArray().Concat(history.RootElement.GetProperty("anomalies").EnumerateArray()).ToList();
        Assert.Contains(findings, f => f.GetProperty("t").GetDateTime().ToUniversalTime() == dropAt);
        Assert.DoesNotContain(findings, f => f.GetProperty("t").GetDateTime().ToUniversalTime() < dropAt);

        // ...and that is the alert opened before, updated with the complete data: no second alert.
        var alerts = await AlertsAsync(reader);
        Assert.Equal(openedCount, alerts.Count);
        var updated = Assert.Single(alerts, a => a.GetProperty("segment").GetString() == "");
        Assert.Equal(opened.GetProperty("id").GetGuid(), updated.GetProperty("id").GetGuid());
        Assert.Equal("open", updated.GetProperty("status").GetString());
        Assert.NotEqual(opened.GetProperty("relativeChange").GetDouble(), updated.GetProperty("relativeChange").GetDouble());
        Assert.Equal(dropAt, updated.GetProperty("changeAt").GetDateTime().ToUniversalTime());
        using var detail = JsonDocument.Parse(await reader.GetStringAsync($"v1/alerts/{updated.GetProperty("id").GetGuid()}"));
        output.WriteLine($"detail: {detail.RootElement}");
        Assert.Contains(detail.RootElement.GetProperty("history").EnumerateArray(), h => h.GetProperty("event").GetString() == "updated");
        Assert.Equal(1, detail.RootElement.GetProperty("history").EnumerateArray().Count(h => h.GetProperty("event").GetString() == "opened"));
    }

    private static async Task WaitForHourAsync(HttpClient reader, double expected, DateTime hour)
    {
        await WaitUntilAsync(async () =>
        {
            using var json = JsonDocument.Parse(await reader.GetStringAsync(
                $"v1/metrics/{Key}/segments?from={Uri.EscapeDataString(Iso(hour))}&to={Uri.EscapeDataString(Iso(hour.AddHours(1)))}"));
            var total = json.RootElement.GetProperty("segments").EnumerateArray()
                .Where(s => s.GetProperty("segment").GetString() == "")
                .Select(s => s.GetProperty("total").GetDouble()).FirstOrDefault();
            return Math.Abs(total - expected) <= 1e-6 * expected;
        }, TimeSpan.FromMinutes(2));
    }
}
