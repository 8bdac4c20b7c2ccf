using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MetricPipeline.Alerting;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Registry;
using MetricPipeline.Testing;
using Microsoft.EntityFrameworkCore;
using Reply = MetricPipeline.Testing.SlackWebApiServer.Reply;

namespace MetricPipeline.IntegrationTests.Alerting;

/// <summary>
/// Acceptance for Slack app mode: a server process (detector and api roles, real PostgreSQL) against a local
/// stand-in for the Slack Web API, and Slack's signed button clicks sent to its interactivity endpoint.
/// </summary>
public sealed class SlackAppModeTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private const string SigningSecret = "test-signing-secret-5f1c";

    [Fact]
    public async Task One_message_per_alert_edited_in_place_and_replied_to_once_through_500_and_429_and_a_signed_click_acknowledges()
    {
        // The first post meets a 500, then a 429 asking for a second's patience, then goes through.
        await using var slack = await SlackWebApiServer.StartAsync(new Reply(500), new Reply(429, RetryAfter: "1"));
        var server = await environment.StartServerAsync("detector,api", new Dictionary<string, string>
        {
            ["Slack__BotToken"] = SlackWebApiServer.Token,
            ["Slack__Channel"] = SlackWebApiServer.ChannelId,
            ["Slack__SigningSecret"] = SigningSecret,
            ["Slack__ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Slack__PollInterval"] = "00:00:00.200",
            ["Slack__BaseBackoff"] = "00:00:00.200",
        });
        var options = new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(environment.PostgresConnectionString).Options;
        var alertId = Guid.NewGuid();
        var growthAlertId = Guid.NewGuid();
        await using (var db = new MetricPipelineDbContext(options))
        {
            await new MetricStore(db).ApplyAsync(
                [
                    new MetricDefinition { Key = "ai_tasks", Name = "AI-assisted tasks completed", Role = MetricRole.NorthStar, Event = "task_completed" },
                    new MetricDefinition
                    {
                        Key = "signups", Name = "Sign-ups", Role = MetricRole.Input, Event = "signed_up", Parents = ["ai_tasks"],
                        Alert = new AlertPolicy { SlackChannel = "#growth-alerts" },
                    },
                ],
                CancellationToken.None);
            db.Alerts.Add(NewAlert(alertId, "ai_tasks", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero)));
            await db.SaveChangesAsync();
        }

        await slack.WaitUntilAsync(s => s.Messages.Count == 1, TimeSpan.FromSeconds(90), "the first post");
        Assert.Equal([500, 429, 200], slack.Requests.Select(r => r.Status));
        var message = Assert.Single(slack.Messages);
        Assert.Equal(SlackWebApiServer.ChannelId, message.Channel);
        // Slack has the message a moment before the row says so.
        var row = await WaitForDeliveredAsync(options, alertId);
        Assert.Equal((SlackWebApiServer.ChannelId, message.Ts), (row.SlackChannel, row.SlackTs));

        // A metric with its own channel posts there.
        await using (var db = new MetricPipelineDbContext(options))
        {
            db.Alerts.Add(NewAlert(growthAlertId, "signups", new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero)));
            await db.SaveChangesAsync();
        }

        await slack.WaitUntilAsync(s => s.Messages.Count == 2, TimeSpan.FromSeconds(90), "the sign-ups post");
        Assert.Equal("CGROWTHALERTS", slack.Messages.Single(m => m.Ts != message.Ts).Channel);

        // Forged, stale and unsigned clicks are refused and change nothing.
        using var client = server.Client();
        var click = Click(alertId, AlertButtons.Resolve);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostClickAsync(client, click, DateTimeOffset.UtcNow, "wrong-secret")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostClickAsync(client, click, DateTimeOffset.UtcNow.AddMinutes(-6), SigningSecret)).StatusCode);
        using (var unsigned = new StringContent(click, Encoding.UTF8, "application/x-www-form-urlencoded"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("v1/slack/interactions", unsigned)).StatusCode);
        }

        // A signed Acknowledge click, delivered twice (Slack re-sends when unsure), while Slack answers 500 then 429 again.
        slack.Then(new Reply(500), new Reply(429, RetryAfter: "1"));
        var acknowledge = Click(alertId, AlertButtons.Acknowledge);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await PostClickAsync(client, acknowledge, now, SigningSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostClickAsync(client, acknowledge, now, SigningSecret)).StatusCode);
        Assert.Equal("acknowledged", await StatusAsync(client, alertId));
        await slack.WaitUntilAsync(s => s.Messages.Single(m => m.Ts == message.Ts).Replies.Count == 1, TimeSpan.FromSeconds(90), "the acknowledge reply");
        var acknowledged = slack.Messages.Single(m => m.Ts == message.Ts);
        Assert.Equal(1, acknowledged.Edits);
        Assert.Contains("Acknowledged by @ana in Slack", acknowledged.Replies[0], StringComparison.Ordinal);
        Assert.StartsWith("[acknowledged]", acknowledged.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(acknowledged.Blocks!, b => b!.ToJsonString().Contains(AlertButtons.Acknowledge, StringComparison.Ordinal));

        // A child metric's alert attaches to it: one more edit, one more reply.
        await using (var db = new MetricPipelineDbContext(options))
        {
            var child = NewAlert(Guid.NewGuid(), "signups", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
            child.ParentAlertId = alertId;
            child.SlackState = "suppressed";
            db.Alerts.Add(child);
            db.AlertHistory.Add(new AlertHistory { AlertId = child.Id, At = DateTimeOffset.UtcNow, Event = "opened", Detail = $"attached to alert {alertId}" });
            await db.SaveChangesAsync();
        }

        await slack.WaitUntilAsync(s => s.Messages.Single(m => m.Ts == message.Ts).Replies.Count == 2, TimeSpan.FromSeconds(90), "the attach reply");
        Assert.Contains("Attached: Sign-ups moved -14.8% with it", slack.Messages.Single(m => m.Ts == message.Ts).Replies[1], StringComparison.Ordinal);

        // Resolved through the API: the same message is edited again and told in the thread.
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"v1/alerts/{alertId}/resolve", null)).StatusCode);
        await slack.WaitUntilAsync(s => s.Messages.Single(m => m.Ts == message.Ts).Replies.Count == 3, TimeSpan.FromSeconds(90), "the resolve reply");

        await Task.Delay(1_500); // anything sent twice would have arrived by now
        var final = slack.Messages.Single(m => m.Ts == message.Ts);
        Assert.Equal(2, slack.Messages.Count);
        Assert.Equal(3, final.Edits);
        Assert.Equal(3, final.Replies.Count);
        Assert.StartsWith("Resolved", final.Replies[2], StringComparison.Ordinal);
        Assert.DoesNotContain(final.Blocks!, b => (string?)b!["type"] == "actions");
        Assert.All(slack.Requests, r => Assert.Equal("Bearer " + SlackWebApiServer.Token, r.Authorization));
        Assert.DoesNotContain(SlackWebApiServer.Token, server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(SigningSecret, server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expected_known_change_click_records_a_deployment_for_the_metric_and_acknowledges()
    {
        await using var slack = await SlackWebApiServer.StartAsync();
        var server = await environment.StartServerAsync("detector,api", new Dictionary<string, string>
        {
            ["Slack__BotToken"] = SlackWebApiServer.Token,
            ["Slack__Channel"] = SlackWebApiServer.ChannelId,
            ["Slack__SigningSecret"] = SigningSecret,
            ["Slack__ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Slack__PollInterval"] = "00:00:00.200",
        });
        var options = new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(environment.PostgresConnectionString).Options;
        var alertId = Guid.NewGuid();
        var changeAt = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
        await using (var db = new MetricPipelineDbContext(options))
        {
            await new MetricStore(db).ApplyAsync(
                [new MetricDefinition { Key = "ai_tasks", Name = "AI-assisted tasks completed", Role = MetricRole.NorthStar, Event = "task_completed" }],
                CancellationToken.None);
            db.Alerts.Add(NewAlert(alertId, "ai_tasks", changeAt));
            await db.SaveChangesAsync();
        }

        await slack.WaitUntilAsync(s => s.Messages.Count == 1, TimeSpan.FromSeconds(90), "the first post");
        using var client = server.Client();
        var click = Click(alertId, AlertButtons.Expected);
        Assert.Equal(HttpStatusCode.OK, (await PostClickAsync(client, click, DateTimeOffset.UtcNow, SigningSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostClickAsync(client, click, DateTimeOffset.UtcNow, SigningSecret)).StatusCode);

        Assert.Equal("acknowledged", await StatusAsync(client, alertId));
        var deployments = await client.GetFromJsonAsync($"v1/deployments?from={Iso(changeAt.AddHours(-1))}&to={Iso(changeAt.AddHours(1))}");
        var known = Assert.Single(deployments.GetProperty("deployments").EnumerateArray());
        Assert.Equal("external", known.GetProperty("kind").GetString());
        await slack.WaitUntilAsync(s => s.Messages[0].Replies.Count == 1, TimeSpan.FromSeconds(90), "the reply");
        Assert.Contains("Marked as expected — a known change by @ana in Slack", slack.Messages[0].Replies[0], StringComparison.Ordinal);
    }

    private static async Task<Alert> WaitForDeliveredAsync(DbContextOptions<MetricPipelineDbContext> options, Guid alertId)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        while (true)
        {
            await using var db = new MetricPipelineDbContext(options);
            var row = await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alertId);
            if (row.SlackState == "delivered" || DateTimeOffset.UtcNow > deadline)
            {
                Assert.Equal("delivered", row.SlackState);
                return row;
            }

            await Task.Delay(50);
        }
    }

    private static Alert NewAlert(Guid id, string metric, DateTimeOffset changeAt) => new()
    {
        Id = id,
        Fingerprint = $"{metric}||{changeAt:o}",
        MetricKey = metric,
        Segment = "",
        Kind = "level_shift",
        ChangeAt = changeAt,
        DetectedAt = changeAt.AddHours(2),
        Value = 852,
        Before = 1000,
        ExpectedLow = 950,
        ExpectedHigh = 1050,
        RelativeChange = -0.148,
        Direction = "bad",
        Status = "open",
        SlackState = "pending",
    };

    /// <summary>A block_actions payload as Slack sends it: the form field <c>payload</c> holding JSON.</summary>
    private static string Click(Guid alertId, string actionId)
    {
        var payload = JsonSerializer.Serialize(new
        {
            type = "block_actions",
            user = new { id = "U0ANA", username = "ana", name = "ana", team_id = "T0TEST" },
            container = new { type = "message", message_ts = "1700000000.000101", channel_id = SlackWebApiServer.ChannelId },
            actions = new[] { new { type = "button", block_id = "alert_actions", action_id = actionId, value = alertId.ToString(), action_ts = "1700000100.000200" } },
        });
        return "payload=" + Uri.EscapeDataString(payload);
    }

    private static async Task<HttpResponseMessage> PostClickAsync(HttpClient client, string form, DateTimeOffset at, string secret)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/slack/interactions")
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", SlackSignature.Compute(secret, timestamp, Encoding.UTF8.GetBytes(form)));
        return await client.SendAsync(request);
    }

    private static async Task<string?> StatusAsync(HttpClient client, Guid alertId) =>
        (await client.GetFromJsonAsync($"v1/alerts/{alertId}")).GetProperty("status").GetString();

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

internal static class JsonClient
{
    public static async Task<JsonElement> GetFromJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
