using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// A pass never reads a bucket that is still filling, on real Postgres and RabbitMQ: three weeks of hourly telemetry
/// land, then the rollup worker stops with a tenth of the newest hour rolled up and the rest of that hour accepted by
/// ingest and waiting in the queue. A pass run then does not read that hour (it would read as a 90 % outage): it reads
/// up to the rollup watermark and says so, and the rollup shows as behind (status, log warning, metric). Once a worker
/// has drained the queue, the same pass reads the full hour.
/// </summary>
public sealed class RollupWatermarkTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private const int Hours = 21 * 24;
    private const string Key = "queued_tasks";

    [Fact]
    public async Task A_pass_skips_the_hour_whose_events_wait_in_the_queue_and_reads_it_once_the_worker_has_caught_up()
    {
        var started = DateTime.UtcNow;
        var end = new DateTime(started.Year, started.Month, started.Day, started.Hour, 0, 0, DateTimeKind.Utc);
        var newest = end.AddHours(-1);
        var series = new Series[] { new(Key, "queued", "task_completed", new Dictionary<string, double> { ["free"] = 700, ["pro"] = 300 }) };
        var full = Generate(series, end, Hours, [], seed: 11);
        var early = full.ToDictionary(kv => kv.Key, kv => kv.Value.Select((v, h) => h == Hours - 1 ? Math.Round(v * 0.1, 3) : v).ToArray());

        var allRoles = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using (var admin = allRoles.Client(PipelineEnvironment.AdminKey))
        using (var ingest = allRoles.Client(PipelineEnvironment.IngestKey))
        using (var reader = allRoles.Client())
        {
            await ApplyRegistryAsync(admin, Metric(Key, "north_star", "queued", "task_completed"));
            await IngestAsync(ingest, reader, series, early, end, Hours);

            // The worker has reported what it rolled up (it writes once a second; on a busy machine its first report
            // can come after the ingest is visible): a worker killed before it ever reported leaves no watermark.
            var ingested = DateTime.UtcNow;
            await WaitUntilAsync(
                async () => (await DetectorStatusAsync(reader)).GetProperty("rollup").GetProperty("watermark") is { ValueKind: JsonValueKind.String } w
                    && w.GetDateTime().ToUniversalTime() >= ingested.AddSeconds(-30),
                TimeSpan.FromMinutes(1));
        }

        // The worker stops. Its grace period for late events ends 45 s from now: the rest of the newest hour is accepted
        // before then, so it belongs in that hour's bucket before any pass may read it.
        allRoles.Kill();
        var settle = DateTime.UtcNow - end + TimeSpan.FromSeconds(45);
        var asOf = end + settle;
        var front = await environment.StartServerAsync("ingest,api,detector", new Dictionary<string, string>
        {
            ["Detector__Enabled"] = "false",
            ["Detector__SettleDelay"] = settle.ToString("c", CultureInfo.InvariantCulture),
            ["Detector__RollupLagWarning"] = "00:00:20",
        });
        using var frontAdmin = front.Client(PipelineEnvironment.AdminKey);
        using var frontIngest = front.Client(PipelineEnvironment.IngestKey);
        using var frontReader = front.Client();
        var rest = full.Select(kv => new
        {
            id = Guid.NewGuid(),
            product = "queued",
            name = "task_completed",
            timestamp = Iso(newest.AddMinutes(40)),
            value = Math.Round(kv.Value[Hours - 1] - early[kv.Key][Hours - 1], 3),
            properties = new Dictionary<string, string> { ["plan"] = kv.Key.Plan },
        }).ToList();
        using (var response = await EventSender.PostAsync(frontIngest, () => JsonContent.Create(rest)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var expectedHour = full.Values.Sum(y => y[Hours - 1]);
        Assert.True(await NewestHourAsync(frontReader, newest) < 0.2 * expectedHour, "the rest of the newest hour waits in the queue");

        // With no worker running, the watermark falls behind the clock, and the status says so.
        var lastStatus = "";
        try
        {
            await WaitUntilAsync(
                async () =>
                {
                    var s = await DetectorStatusAsync(frontReader);
                    lastStatus = s.GetRawText();
                    return s.GetProperty("rollup").GetProperty("behind").GetBoolean();
                },
                TimeSpan.FromMinutes(1));
        }
        finally
        {
            output.WriteLine($"status: {lastStatus}");
        }

        // The pass as of the end of the grace period is held back by the watermark: the newest hour is not read.
        var held = await RunPassAsync(frontAdmin, asOf);
        output.WriteLine($"held back: {held}");
        var watermark = held.GetProperty("rollupWatermark").GetDateTime().ToUniversalTime();
        Assert.True(watermark < asOf, $"the watermark {watermark:o} stays where the stopped worker left it, before {asOf:o}");
        Assert.True(held.GetProperty("readThrough").GetDateTime().ToUniversalTime() < end, $"the newest hour is not read: {held}");
        Assert.Equal(0, held.GetProperty("alertsOpened").GetInt32());
        Assert.Empty(await AlertsAsync(frontReader));
        Assert.Contains("held back by the rollup watermark", front.Log, StringComparison.Ordinal);
        Assert.Contains("The rollup is", front.Log, StringComparison.Ordinal);
        Assert.Contains("rollup_watermark_lag", await frontReader.GetStringAsync("metrics"), StringComparison.Ordinal);
        var status = await DetectorStatusAsync(frontReader);
        Assert.Equal(watermark, status.GetProperty("rollup").GetProperty("watermark").GetDateTime().ToUniversalTime());
        Assert.Equal(held.GetProperty("run").GetInt64(), status.GetProperty("lastRun").GetProperty("run").GetInt64());

        // A worker starts after the grace period ended and drains the queue; once its watermark is past the grace
        // period the same pass reads the newest hour, complete, and finds nothing wrong with it.
        while (DateTime.UtcNow < asOf)
        {
            await Task.Delay(500);
        }

        await environment.StartServerAsync("worker");
        await WaitUntilAsync(async () => Math.Abs(await NewestHourAsync(frontReader, newest) - expectedHour) <= 1e-6 * expectedHour, TimeSpan.FromMinutes(2));
        await WaitUntilAsync(
            async () => (await DetectorStatusAsync(frontReader)).GetProperty("rollup").GetProperty("watermark") is { ValueKind: JsonValueKind.String } w
                && w.GetDateTime().ToUniversalTime() >= asOf,
            TimeSpan.FromMinutes(2));
        var caughtUp = await RunPassAsync(frontAdmin, asOf);
        output.WriteLine($"caught up: {caughtUp}");
        Assert.Equal(end, caughtUp.GetProperty("readThrough").GetDateTime().ToUniversalTime());
        Assert.Equal(0, caughtUp.GetProperty("alertsOpened").GetInt32());
        Assert.Empty(await AlertsAsync(frontReader));
        Assert.False((await DetectorStatusAsync(frontReader)).GetProperty("rollup").GetProperty("behind").GetBoolean());
    }

    private static Task<double> NewestHourAsync(HttpClient reader, DateTime hour) => HourTotalAsync(reader, Key, hour);
}
