using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Registry;
using MetricPipeline.Testing;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.IntegrationTests.Alerting;

/// <summary>The server process with the detector role: its dispatcher posts stored alerts, and the link in them works.</summary>
public sealed partial class AlertingServerTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    [Fact]
    public async Task Server_with_detector_role_posts_a_pending_alert_whose_dashboard_link_it_answers()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        // The environment stops its servers when the class ends (ServerProcess.DisposeAsync must not run twice).
        var server = await environment.StartServerAsync("detector,api", new Dictionary<string, string>
        {
            ["Slack__WebhookUrl"] = slack.Webhook().AbsoluteUri,
            // The stand-in for Slack is plain http on loopback: an explicit opt-in, as the README describes.
            ["Slack__AllowedHosts__0"] = "127.0.0.1",
            ["Slack__AllowHttp"] = "true",
            ["Slack__AllowPrivateAddresses"] = "true",
            ["Slack__PollInterval"] = "00:00:00.200",
        });

        var options = new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(environment.PostgresConnectionString).Options;
        var alertId = Guid.NewGuid();
        await using (var db = new MetricPipelineDbContext(options))
        {
            await new MetricStore(db).ApplyAsync(
                [new MetricDefinition { Key = "ai_tasks", Name = "AI-assisted tasks completed", Role = MetricRole.NorthStar, Event = "task_completed", Dimensions = ["plan"] }],
                CancellationToken.None);
            db.Alerts.Add(new Alert
            {
                Id = alertId,
                Fingerprint = "ai_tasks|plan=free|2026-11-20T10:00:00Z",
                MetricKey = "ai_tasks",
                Segment = "plan=free",
                Kind = "level_shift",
                ChangeAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
                DetectedAt = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero),
                Value = 85,
                Before = 100,
                ExpectedLow = 95,
                ExpectedHigh = 105,
                RelativeChange = -0.15,
                Direction = "bad",
                Status = "open",
                SlackState = "pending",
            });
            await db.SaveChangesAsync();
        }

        await slack.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30));
        using var posted = JsonDocument.Parse(Assert.Single(slack.Requests).Body);
        Assert.Equal("North Star dropped 15.0% in plan=free", posted.RootElement.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());

        // The link points at this server (Slack:DashboardBaseUrl defaults to its own URL) and the server answers it.
        var texts = string.Join('\n', posted.RootElement.GetProperty("blocks").EnumerateArray()
            .Where(b => b.TryGetProperty("text", out _)).Select(b => b.GetProperty("text").GetProperty("text").GetString()));
        var link = HistoryLink().Match(texts);
        Assert.True(link.Success, "no history link in the message");
        var url = new Uri(link.Groups[1].Value);
        Assert.Equal(server.BaseAddress.Authority, url.Authority);
        using var client = server.Client();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal(("plan:free", alertId.ToString()), (query["segment"], query["alert"]));

        // The page reads the series of that segment and range, as any client would.
        using var history = JsonDocument.Parse(await client.GetStringAsync(
            $"v1/metrics/ai_tasks/series?from={Uri.EscapeDataString(query["from"]!)}&to={Uri.EscapeDataString(query["to"]!)}&segment={Uri.EscapeDataString(query["segment"]!)}"));
        Assert.Equal("plan=free", history.RootElement.GetProperty("segment").GetString());

        // The dispatcher records the delivery after Slack has answered: the stand-in may see the request first.
        (string State, int Attempts) stored = default;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await using var db = new MetricPipelineDbContext(options);
            var row = await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alertId);
            stored = (row.SlackState, row.SlackAttempts);
            if (stored.State != "sending") break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(("delivered", 1), stored);

        Assert.DoesNotContain(SlackWebhookServer.SecretPath, server.Log, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<(http[^|>]+/nodes/ai_tasks\?[^|>]+)\|Open the history")]
    private static partial Regex HistoryLink();
}
