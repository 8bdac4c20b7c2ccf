using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Testing;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// An outage as live passes see it, hour by hour, on real Postgres, RabbitMQ and a local webhook: three weeks of
/// hourly telemetry, then two hours at 10 % of the traffic. It pages within the hour after its first complete bucket,
/// once, and resolves when traffic is back.
/// </summary>
public sealed class OutageDetectionTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime AsOf = new(2026, 11, 16, 12, 0, 0, DateTimeKind.Utc);
    private const int Hours = 21 * 24;

    [Fact]
    public async Task An_outage_pages_within_the_hour_once_and_resolves_when_traffic_returns()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        var server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["Detector__Enabled"] = "false",
            ["Slack__WebhookUrl"] = slack.Webhook().ToString(),
            ["Slack__AllowedHosts__0"] = "127.0.0.1",
            ["Slack__AllowHttp"] = "true",
            ["Slack__AllowPrivateAddresses"] = "true",
            ["Slack__PollInterval"] = "00:00:00.200",
        });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();
        await ApplyRegistryAsync(admin, Metric("outage_tasks", "north_star", "outage", "task_completed"));

        // Traffic at 10 % from 06:00 to 08:00 on the pass's day; data up to 12:00.
        var outageAt = AsOf.AddHours(-6);
        var series = new Series[] { new("outage_tasks", "outage", "task_completed", new Dictionary<string, double> { ["free"] = 700, ["pro"] = 300 }) };
        LevelChange[] changes =
        [
            new("outage_tasks", "free", outageAt, 0.1), new("outage_tasks", "pro", outageAt, 0.1),
            new("outage_tasks", "free", outageAt.AddHours(2), 10), new("outage_tasks", "pro", outageAt.AddHours(2), 10),
        ];
        await IngestAsync(ingest, reader, series, Generate(series, AsOf, Hours, changes, seed: 7), AsOf, Hours);

        // Before it: nothing. Within the hour after its first complete bucket (06:00–07:00): one outage alert.
        Assert.Equal(0, (await RunPassAsync(admin, outageAt.AddMinutes(10))).GetProperty("alertsOpened").GetInt32());
        Assert.True((await RunPassAsync(admin, outageAt.AddHours(1).AddMinutes(10))).GetProperty("alertsOpened").GetInt32() >= 1);
        var alert = Assert.Single(await AlertsAsync(reader), a => a.GetProperty("segment").GetString() == "");
        Assert.All(await AlertsAsync(reader), a => Assert.True(
            a.GetProperty("segment").GetString() == "" || a.GetProperty("parentAlertId").GetGuid() == alert.GetProperty("id").GetGuid(),
            $"a segment's outage is attached to the total's: {a}"));
        output.WriteLine(alert.ToString());
        Assert.Equal("outage", alert.GetProperty("kind").GetString());
        Assert.Equal(outageAt, alert.GetProperty("changeAt").GetDateTime().ToUniversalTime());
        Assert.Equal("bad", alert.GetProperty("direction").GetString());
        Assert.True(alert.GetProperty("relativeChange").GetDouble() < -0.8, $"traffic fell by about 90 %: {alert}");

        // Still down an hour later: the same alert, not a second one. Traffic back at 08:00: resolved by 10:10.
        Assert.Equal(0, (await RunPassAsync(admin, outageAt.AddHours(2).AddMinutes(10))).GetProperty("alertsOpened").GetInt32());
        for (var h = 3; h <= 4; h++)
        {
            Assert.Equal(0, (await RunPassAsync(admin, outageAt.AddHours(h).AddMinutes(10))).GetProperty("alertsOpened").GetInt32());
        }

        var after = Assert.Single(await AlertsAsync(reader), a => a.GetProperty("segment").GetString() == "");
        Assert.Equal(alert.GetProperty("id").GetGuid(), after.GetProperty("id").GetGuid());
        Assert.Equal("resolved", after.GetProperty("status").GetString());
        await WaitUntilAsync(() => Task.FromResult(slack.Requests.Any(r => r.Status == 200)), TimeSpan.FromSeconds(30));
        Assert.Single(slack.Requests, r => r.Status == 200 && r.Body.Contains(alert.GetProperty("id").GetGuid().ToString(), StringComparison.Ordinal));
    }

}
