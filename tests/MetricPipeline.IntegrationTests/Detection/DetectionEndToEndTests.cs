using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Testing;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// The detector end to end on real Postgres, RabbitMQ and a local webhook, as a live pass sees it: three weeks of
/// hourly telemetry through ingest and rollup, a tagged model deployment 40 minutes before a 15 % North Star drop
/// that began 3 hours before the pass (all of it in plan=free, the child dropping with it), a second product's North
/// Star dropping with no deployment in scope, a flat guardrail; and an outage that pages once and resolves.
/// </summary>
public sealed class DetectionEndToEndTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime AsOf = new(2026, 11, 16, 12, 0, 0, DateTimeKind.Utc);
    private const int Hours = 21 * 24;
    private static readonly string[] Assistant = ["assistant"];
    private static readonly string[] Latency = ["assistant_latency"];
    private static readonly int[] FailThenThrottle = [500, 429];

    [Fact]
    public async Task A_pass_opens_one_alert_per_dropped_north_star_names_the_deployment_and_posts_each_once()
    {
        await using var slack = await SlackWebhookServer.StartAsync(
            new SlackWebhookServer.Reply(500, "internal_error"), new SlackWebhookServer.Reply(429, "rate_limited", RetryAfter: "1"));
        var server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["Detector__Enabled"] = "false",
            ["Slack__WebhookUrl"] = slack.Webhook().ToString(),
            // The stand-in for Slack is plain http on loopback: an explicit opt-in, as the README describes.
            ["Slack__AllowedHosts__0"] = "127.0.0.1",
            ["Slack__AllowHttp"] = "true",
            ["Slack__AllowPrivateAddresses"] = "true",
            ["Slack__PollInterval"] = "00:00:00.200",
            ["Slack__BaseBackoff"] = "00:00:00.500",
        });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();

        await ApplyRegistryAsync(
            admin,
            Metric("assistant_tasks", "north_star", "assistant", "task_completed"),
            Metric("assistant_sessions", "input", "assistant", "session_started", parents: ["assistant_tasks"]),
            Metric("assistant_latency", "guardrail", "assistant", "latency_reported", direction: "down", parents: ["assistant_tasks"]),
            Metric("writer_docs", "north_star", "writer", "doc_written"));

        // The drop begins 3 hours before the pass: with the default settle delay the pass reads the two full hours
        // after it (the hour that holds the pass is still open, the one before it settling).
        var deployedAt = AsOf.AddHours(-3).AddMinutes(-40);
        var writerDrop = AsOf.AddHours(-3).AddMinutes(10);
        var series = new Series[]
        {
            new("assistant_tasks", "assistant", "task_completed", new Dictionary<string, double> { ["free"] = 600, ["pro"] = 400 }),
            new("assistant_sessions", "assistant", "session_started", new Dictionary<string, double> { ["free"] = 300, ["pro"] = 200 }),
            new("assistant_latency", "assistant", "latency_reported", new Dictionary<string, double> { ["free"] = 50, ["pro"] = 50 }),
            new("writer_docs", "writer", "doc_written", new Dictionary<string, double> { ["free"] = 500, ["pro"] = 500 }),
        };
        LevelChange[] changes =
        [
            // −25 % of plan=free, which is 60 % of the total: −15 % of the North Star, 40 minutes after the deployment.
            new("assistant_tasks", "free", deployedAt.AddMinutes(40), 0.75),
            new("assistant_sessions", "free", deployedAt.AddMinutes(40), 0.75),
            new("writer_docs", "free", writerDrop, 0.85),
            new("writer_docs", "pro", writerDrop, 0.85),
        ];
        var values = Generate(series, AsOf, Hours, changes, seed: 42);
        await IngestAsync(ingest, reader, series, values, AsOf, Hours);

        var ranker = await DeployAsync(admin, new { service = "ranker", version = "2.3.0", kind = "model", startedAt = Iso(deployedAt), products = Assistant });
        var tooEarly = await DeployAsync(admin, new { service = "search-index", version = "7", kind = "config", startedAt = Iso(deployedAt.AddHours(-9)), products = Assistant });
        var otherScope = await DeployAsync(admin, new { service = "latency-tuner", version = "1", kind = "config", startedAt = Iso(writerDrop.AddHours(-1)), metrics = Latency });

        var first = await RunPassAsync(admin, AsOf.AddMinutes(10));
        output.WriteLine($"first pass: {first}");

        var alerts = await AlertsAsync(reader);
        foreach (var a in alerts)
        {
            output.WriteLine(a.ToString());
        }

        var open = alerts.Where(a => a.GetProperty("status").GetString() == "open").ToList();
        var tasks = Assert.Single(open, a => Is(a, "assistant_tasks", ""));
        var writer = Assert.Single(open, a => Is(a, "writer_docs", ""));
        Assert.DoesNotContain(alerts, a => a.GetProperty("metric").GetString() == "assistant_latency");

        // The first North Star: the deployment named with its lag, the size and direction, the interval, the explanation.
        var deployment = Assert.Single(tasks.GetProperty("deployments").EnumerateArray());
        Assert.Equal(ranker, deployment.GetProperty("id").GetGuid());
        Assert.InRange(deployment.GetProperty("lagMinutes").GetInt32(), 0, 120);
        Assert.Equal(deployedAt.AddMinutes(40), tasks.GetProperty("changeAt").GetDateTime().ToUniversalTime());
        Assert.DoesNotContain(tasks.GetProperty("deployments").EnumerateArray(), d => d.GetProperty("id").GetGuid() == tooEarly);
        var onset = tasks.GetProperty("onset");
        Assert.InRange(deployedAt.AddMinutes(40), onset.GetProperty("earliest").GetDateTime().ToUniversalTime(), onset.GetProperty("latest").GetDateTime().ToUniversalTime());
        Assert.InRange(tasks.GetProperty("relativeChange").GetDouble(), -0.18, -0.12);
        Assert.Equal("bad", tasks.GetProperty("direction").GetString());
        var effect = tasks.GetProperty("effect");
        Assert.True(effect.GetProperty("high").GetDouble() < 0, $"effect interval should lie below zero: {effect}");
        Assert.InRange(effect.GetProperty("relative").GetDouble(), -0.18, -0.12);
        var segments = tasks.GetProperty("contributors").GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal("plan=free", segments[0].GetProperty("segment").GetString());
        Assert.InRange(segments[0].GetProperty("share").GetDouble(), 0.8, 1.2);
        var child = Assert.Single(tasks.GetProperty("contributors").GetProperty("children").EnumerateArray());
        Assert.Equal("assistant_sessions", child.GetProperty("metric").GetString());
        Assert.True(child.GetProperty("relativeChange").GetDouble() < -0.1, $"the child dropped with the North Star: {child}");

        // The child's own shift is attached to the North Star's alert, not posted on its own.
        var childAlert = Assert.Single(alerts, a => Is(a, "assistant_sessions", ""));
        Assert.Equal(tasks.GetProperty("id").GetGuid(), childAlert.GetProperty("parentAlertId").GetGuid());
        Assert.Equal("suppressed", childAlert.GetProperty("slack").GetProperty("state").GetString());

        // The second North Star dropped with no deployment in its scope: none is named.
        Assert.Empty(writer.GetProperty("deployments").EnumerateArray());
        Assert.DoesNotContain(alerts.SelectMany(a => a.GetProperty("deployments").EnumerateArray()), d => d.GetProperty("id").GetGuid() == otherScope);
        Assert.Equal("bad", writer.GetProperty("direction").GetString());

        // Slack: 500, then 429 (Retry-After: 1), then 200 — every top-level alert delivered exactly once.
        var posted = alerts.Where(a => a.GetProperty("slack").GetProperty("state").GetString() != "suppressed").Select(a => a.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(2, posted.Count);
        await WaitUntilAsync(async () => (await AlertsAsync(reader)).Count(a => a.GetProperty("slack").GetProperty("state").GetString() == "delivered") == posted.Count, TimeSpan.FromSeconds(60));
        var requests = slack.Requests;
        Assert.Equal(FailThenThrottle, requests.Take(2).Select(r => r.Status));
        foreach (var id in posted)
        {
            Assert.Single(requests, r => r.Status == 200 && r.Body.Contains(id.ToString(), StringComparison.Ordinal));
        }

        var demoBody = requests.First(r => r.Status == 200 && r.Body.Contains(tasks.GetProperty("id").GetGuid().ToString(), StringComparison.Ordinal)).Body;
        output.WriteLine("Slack message of the North Star alert:\n" + demoBody);
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "slack-demo-message.json"), demoBody);

        // The history endpoint draws the deployment over the series.
        using (var history = JsonDocument.Parse(await reader.GetStringAsync(
            $"v1/metrics/assistant_tasks/series?from={Iso(AsOf.AddDays(-21))}&to={Iso(AsOf)}&include=changepoints,anomalies,deployments")))
        {
            Assert.Contains(history.RootElement.GetProperty("deployments").EnumerateArray(), d => d.GetProperty("id").GetGuid() == ranker);
            Assert.DoesNotContain(history.RootElement.GetProperty("deployments").EnumerateArray(), d => d.GetProperty("id").GetGuid() == otherScope);
        }

        // A second pass as of the same time opens nothing, changes nothing, posts nothing.
        var before = (await AlertsAsync(reader)).Select(a => a.ToString()).Order().ToList();
        var second = await RunPassAsync(admin, AsOf.AddMinutes(10));
        Assert.Equal(0, second.GetProperty("alertsOpened").GetInt32());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(before, (await AlertsAsync(reader)).Select(a => a.ToString()).Order().ToList());
        Assert.Equal(requests.Count, slack.Requests.Count);
    }

    private static bool Is(JsonElement alert, string metric, string segment) =>
        alert.GetProperty("metric").GetString() == metric && alert.GetProperty("segment").GetString() == segment;
}
