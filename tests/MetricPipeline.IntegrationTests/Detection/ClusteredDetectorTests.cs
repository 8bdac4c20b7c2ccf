using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Testing;
using Npgsql;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// Two server processes with the detector role on one database: the Quartz trigger lives in the clustered Postgres
/// job store, so each scheduled fire runs once in the cluster, and the alerts it opens are opened and posted once.
/// </summary>
public sealed class ClusteredDetectorTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private const int Hours = 21 * 24;
    private static readonly string[] Assistant = ["assistant"];

    [Fact]
    public async Task Two_detector_processes_run_each_scheduled_pass_once_and_open_and_post_each_alert_once()
    {
        var api = await environment.StartServerAsync("ingest,worker,api");
        using var admin = api.Client(PipelineEnvironment.AdminKey);
        using var ingest = api.Client(PipelineEnvironment.IngestKey);
        using var reader = api.Client();
        await ApplyRegistryAsync(
            admin,
            Metric("assistant_tasks", "north_star", "assistant", "task_completed"),
            Metric("writer_docs", "north_star", "writer", "doc_written"));

        // The scheduled pass runs as of the wall clock, so the data ends now; it runs two hours past the current
        // hour (ingest accepts a day of clock skew) so an hour boundary during the test does not leave an empty bucket.
        var now = DateTime.UtcNow;
        var end = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(2);
        var deployedAt = end.AddHours(-32);
        var series = new Series[]
        {
            new("assistant_tasks", "assistant", "task_completed", new Dictionary<string, double> { ["free"] = 600, ["pro"] = 400 }),
            new("writer_docs", "writer", "doc_written", new Dictionary<string, double> { ["free"] = 500, ["pro"] = 500 }),
        };
        LevelChange[] changes =
        [
            new("assistant_tasks", "free", deployedAt.AddMinutes(40), 0.75),
            new("writer_docs", "free", end.AddHours(-28), 0.8),
            new("writer_docs", "pro", end.AddHours(-28), 0.8),
        ];
        await IngestAsync(ingest, reader, series, Generate(series, end, Hours, changes, seed: 7), end, Hours);
        await DeployAsync(admin, new { service = "ranker", version = "2.4.0", kind = "model", startedAt = Iso(deployedAt), products = Assistant });

        await using var slack = await SlackWebhookServer.StartAsync();
        var detectorSettings = new Dictionary<string, string>
        {
            // Every 4 s: a pass over this tree takes about a second on a busy 2-core machine, so fires do not pile up.
            ["Detector__Cron"] = "0/4 * * * * ?",
            ["Slack__WebhookUrl"] = slack.Webhook().ToString(),
            // The stand-in for Slack is plain http on loopback: an explicit opt-in, as the README describes.
            ["Slack__AllowedHosts__0"] = "127.0.0.1",
            ["Slack__AllowHttp"] = "true",
            ["Slack__AllowPrivateAddresses"] = "true",
            ["Slack__PollInterval"] = "00:00:00.200",
        };
        var detectors = await Task.WhenAll(environment.StartServerAsync("detector", detectorSettings), environment.StartServerAsync("detector", detectorSettings));

        await using var db = new NpgsqlConnection(environment.PostgresConnectionString);
        await db.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await ScalarAsync(db, "SELECT count(*) FROM detector_runs WHERE trigger = 'scheduled' AND finished_at IS NOT NULL") < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "fewer than 5 scheduled passes finished within 90 s:\n" + detectors[0].Log + "\n" + detectors[1].Log);
            await Task.Delay(500);
        }

        var alerts = await AlertsAsync(reader);
        var posted = alerts.Where(a => a.GetProperty("parentAlertId").ValueKind == System.Text.Json.JsonValueKind.Null).Select(a => a.GetProperty("id").GetGuid()).ToList();
        await WaitForDeliveryAsync(reader, posted.Count);
        await Task.Delay(TimeSpan.FromSeconds(3));

        // Each fire of the trigger ran on exactly one instance; both instances are cluster members.
        await AssertEachFireRanOnceAsync(db, detectors);
        Assert.Equal(2, await ScalarAsync(db, "SELECT count(*) FROM qrtz_scheduler_state"));
        output.WriteLine($"scheduled passes per instance: {await TextAsync(db, "SELECT string_agg(instance || ': ' || n, ', ') FROM (SELECT instance, count(*) n FROM detector_runs WHERE trigger = 'scheduled' GROUP BY instance) x")}");

        // One alert per dropped North Star, each opened once across all passes, each posted once.
        Assert.Single(alerts, a => a.GetProperty("metric").GetString() == "assistant_tasks" && a.GetProperty("segment").GetString() == "");
        Assert.Single(alerts, a => a.GetProperty("metric").GetString() == "writer_docs" && a.GetProperty("segment").GetString() == "");
        Assert.Equal(alerts.Count, await ScalarAsync(db, "SELECT count(*) FROM alert_history WHERE event = 'opened'"));
        Assert.Equal(alerts.Count, await ScalarAsync(db, "SELECT coalesce(sum(alerts_opened), 0) FROM detector_runs"));
        Assert.Equal(alerts.Count, (await AlertsAsync(reader)).Count);
        Assert.Equal(2, posted.Count);
        Assert.Equal(posted.Count, slack.Requests.Count);
        foreach (var id in posted)
        {
            Assert.Single(slack.Requests, r => r.Body.Contains(id.ToString(), StringComparison.Ordinal));
        }

        // One detector dies without a goodbye: the schedule carries on in the survivor, still once per fire.
        detectors[0].Kill();
        var killedAt = DateTime.UtcNow;
        while (await ScalarAsync(db, $"SELECT count(*) FROM detector_runs WHERE trigger = 'scheduled' AND finished_at IS NOT NULL AND started_at > '{killedAt:O}'") < 3)
        {
            Assert.True(DateTime.UtcNow < killedAt.AddSeconds(60), "the surviving detector ran fewer than 3 scheduled passes within 60 s:\n" + detectors[1].Log);
            await Task.Delay(500);
        }

        await AssertEachFireRanOnceAsync(db, detectors);
        Assert.Equal(alerts.Count, await ScalarAsync(db, "SELECT count(*) FROM alert_history WHERE event = 'opened'"));
        Assert.Equal(posted.Count, slack.Requests.Count);
        output.WriteLine($"after one detector was killed: {await TextAsync(db, $"SELECT string_agg(instance || ': ' || n, ', ') FROM (SELECT instance, count(*) n FROM detector_runs WHERE trigger = 'scheduled' AND started_at > '{killedAt:O}' GROUP BY instance) x")}");
    }

    /// <summary>No scheduled fire ran twice; when one did, the message names its runs and carries both detectors' logs.</summary>
    private static async Task AssertEachFireRanOnceAsync(NpgsqlConnection db, ServerProcess[] detectors)
    {
        if (await ScalarAsync(db, "SELECT count(*) FROM (SELECT scheduled_fire_at FROM detector_runs WHERE trigger = 'scheduled' GROUP BY scheduled_fire_at HAVING count(*) > 1) twice") == 0)
        {
            return;
        }

        var runs = await TextAsync(db, """
            SELECT string_agg(format('fire %s on %s, started %s, finished %s', coalesce(r.scheduled_fire_at::text, 'null'), r.instance, r.started_at, r.finished_at), E'\n' ORDER BY r.scheduled_fire_at, r.started_at)
            FROM detector_runs r
            JOIN (SELECT scheduled_fire_at FROM detector_runs WHERE trigger = 'scheduled' GROUP BY scheduled_fire_at HAVING count(*) > 1) twice
              ON r.scheduled_fire_at IS NOT DISTINCT FROM twice.scheduled_fire_at
            WHERE r.trigger = 'scheduled'
            """);
        Assert.Fail($"a scheduled fire ran more than once:\n{runs}\n--- detector {detectors[0].ProcessId}:\n{detectors[0].Log}\n--- detector {detectors[1].ProcessId}:\n{detectors[1].Log}");
    }

    private static async Task WaitForDeliveryAsync(HttpClient reader, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await AlertsAsync(reader)).Count(a => a.GetProperty("slack").GetProperty("state").GetString() == "delivered") < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} alerts not delivered within 60 s");
            await Task.Delay(250);
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string?> TextAsync(NpgsqlConnection db, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        return (await cmd.ExecuteScalarAsync())?.ToString();
    }
}
