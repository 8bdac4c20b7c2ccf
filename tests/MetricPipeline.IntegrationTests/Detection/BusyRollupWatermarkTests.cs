using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// The rollup running but slowed, on real Postgres and RabbitMQ: the worker is in the middle of a batch that holds the
/// rest of the newest hour (its write waits on a lock this test holds on <c>buckets</c>, as it would behind a slow
/// disk or a long migration), still reporting. Past the hour's grace period its watermark
/// stays at that batch's accept time, so a pass does not read the hour; when the batch commits, the same pass reads the
/// complete hour.
/// </summary>
public sealed class BusyRollupWatermarkTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private const int Hours = 21 * 24;
    private const string Key = "slow_tasks";

    [Fact]
    public async Task A_batch_in_flight_holds_the_watermark_so_a_pass_skips_its_hour_until_it_commits()
    {
        var started = DateTime.UtcNow;
        var end = new DateTime(started.Year, started.Month, started.Day, started.Hour, 0, 0, DateTimeKind.Utc);
        var newest = end.AddHours(-1);
        var series = new Series[] { new(Key, "slow", "task_completed", new Dictionary<string, double> { ["free"] = 700, ["pro"] = 300 }) };
        var full = Generate(series, end, Hours, [], seed: 13);
        var early = full.ToDictionary(kv => kv.Key, kv => kv.Value.Select((v, h) => h == Hours - 1 ? Math.Round(v * 0.1, 3) : v).ToArray());

        // No statement timeout: the worker's batch waits on the lock as long as the test holds it, instead of failing into retries.
        var pipeline = await environment.StartServerAsync("ingest,worker,api", new Dictionary<string, string>
        {
            ["Detector__Enabled"] = "false",
            ["ConnectionStrings__Postgres"] = environment.PostgresConnectionString + ";Command Timeout=0",
        });
        using var admin = pipeline.Client(PipelineEnvironment.AdminKey);
        using var ingest = pipeline.Client(PipelineEnvironment.IngestKey);
        using var reader = pipeline.Client();
        await ApplyRegistryAsync(admin, Metric(Key, "north_star", "slow", "task_completed"));
        await IngestAsync(ingest, reader, series, early, end, Hours);

        // The grace period of the newest hour ends 90 s from now (time to start the detector, in its own process, even on a
        // busy machine, and to send the rest of the hour).
        var settle = DateTime.UtcNow - end + TimeSpan.FromSeconds(90);
        var asOf = end + settle;
        var detector = await environment.StartServerAsync("detector,api", new Dictionary<string, string>
        {
            ["Detector__Enabled"] = "false",
            ["Detector__SettleDelay"] = settle.ToString("c", CultureInfo.InvariantCulture),
        });
        using var detectorAdmin = detector.Client(PipelineEnvironment.AdminKey);

        var expectedHour = full.Values.Sum(y => y[Hours - 1]);
        await using (var blocker = new NpgsqlConnection(environment.PostgresConnectionString))
        {
            await blocker.OpenAsync();
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var lockBuckets = new NpgsqlCommand("LOCK TABLE buckets IN EXCLUSIVE MODE", blocker, tx))
            {
                await lockBuckets.ExecuteNonQueryAsync();
            }

            var rest = full.Select(kv => new
            {
                id = Guid.NewGuid(),
                product = "slow",
                name = "task_completed",
                timestamp = Iso(newest.AddMinutes(40)),
                value = Math.Round(kv.Value[Hours - 1] - early[kv.Key][Hours - 1], 3),
                properties = new Dictionary<string, string> { ["plan"] = kv.Key.Plan },
            }).ToList();
            var acceptedBefore = DateTime.UtcNow;
            using (var response = await EventSender.PostAsync(ingest, () => JsonContent.Create(rest)))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            Assert.True(acceptedBefore < asOf, "the rest of the hour is accepted within its grace period");

            // The worker takes the batch and waits on the lock. Past the grace period and the quiet period, it still
            // reports, and vouches only for the batch's accept time.
            while (DateTime.UtcNow < asOf + TimeSpan.FromSeconds(7))
            {
                await Task.Delay(500);
            }

            await WaitUntilAsync(() => HasReportedSinceAsync(reader, asOf + TimeSpan.FromSeconds(6)), TimeSpan.FromSeconds(10));
            var worker = (await WorkerAsync(reader))!.Value;
            output.WriteLine($"worker: {worker}");
            Assert.True(worker.GetProperty("active").GetBoolean());
            Assert.True(worker.GetProperty("caughtUpTo").GetDateTime().ToUniversalTime() < asOf, $"the batch in flight holds the watermark: {worker}");
            Assert.True(await NewestHourAsync(reader, newest) < 0.2 * expectedHour, "the batch with the rest of the hour has not committed");

            var held = await RunPassAsync(detectorAdmin, asOf);
            output.WriteLine($"held back: {held}");
            Assert.True(held.GetProperty("rollupWatermark").GetDateTime().ToUniversalTime() < acceptedBefore.AddSeconds(5), $"the watermark is the batch's accept time: {held}");
            Assert.True(held.GetProperty("readThrough").GetDateTime().ToUniversalTime() < end, $"the newest hour is not read: {held}");
            Assert.Equal(0, held.GetProperty("alertsOpened").GetInt32());
            await tx.CommitAsync();
        }

        // The batch commits; past the grace period the worker, now idle, vouches for it, and the pass reads the full hour.
        await WaitUntilAsync(async () => Math.Abs(await NewestHourAsync(reader, newest) - expectedHour) <= 1e-6 * expectedHour, TimeSpan.FromMinutes(2));
        await WaitUntilAsync(
            async () => (await WorkerAsync(reader))?.GetProperty("caughtUpTo").GetDateTime().ToUniversalTime() >= asOf, TimeSpan.FromMinutes(2));
        var caughtUp = await RunPassAsync(detectorAdmin, asOf);
        output.WriteLine($"caught up: {caughtUp}");
        Assert.Equal(end, caughtUp.GetProperty("readThrough").GetDateTime().ToUniversalTime());
        Assert.Equal(0, caughtUp.GetProperty("alertsOpened").GetInt32());
        Assert.Empty(await AlertsAsync(reader));
    }

    private static async Task<JsonElement?> WorkerAsync(HttpClient reader)
    {
        var workers = (await DetectorStatusAsync(reader)).GetProperty("rollup").GetProperty("workers").EnumerateArray().ToList();
        return workers.Count == 1 ? workers[0].Clone() : null;
    }

    private static async Task<bool> HasReportedSinceAsync(HttpClient reader, DateTime since) =>
        await WorkerAsync(reader) is { } w && w.GetProperty("reportedAt").GetDateTime().ToUniversalTime() >= since;

    private static Task<double> NewestHourAsync(HttpClient reader, DateTime hour) => HourTotalAsync(reader, Key, hour);
}
