using MetricPipeline.Alerting;
using MetricPipeline.Registry;
using MetricPipeline.Testing;
using Reply = MetricPipeline.Testing.SlackWebhookServer.Reply;

namespace MetricPipeline.IntegrationTests.Alerting;

/// <summary>The Slack outbox against real PostgreSQL and a real local HTTP server standing in for Slack.</summary>
public sealed class SlackOutboxDispatcherTests(AlertingDatabase database) : IClassFixture<AlertingDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly MetricDefinition NorthStar = new()
    {
        Key = "ai_tasks",
        Name = "AI-assisted tasks completed",
        Role = MetricRole.NorthStar,
        Kind = MetricKind.Count,
        Event = "task_completed",
    };

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        await database.AddMetricsAsync(NorthStar);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<DispatcherHost> StartDispatcherAsync(SlackWebhookServer? server, params (string Key, string? Value)[] settings)
    {
        var values = settings.ToDictionary(s => s.Key, s => s.Value);
        values.TryAdd("WebhookUrl", server?.Webhook().AbsoluteUri);
        return DispatcherHost.StartAsync(database.ConnectionString, values);
    }

    private static void AssertNoWebhookUrlIn(CapturedLogs logs)
    {
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain("s3cr3t", logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(SlackWebhookServer.SecretPath, logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alert_is_delivered_exactly_once_through_500_then_429_then_200_respecting_retry_times()
    {
        await using var slack = await SlackWebhookServer.StartAsync(new Reply(500, "oops"), new Reply(429, "rate_limited", RetryAfter: "1"), new Reply(200));
        var alert = await database.AddAlertAsync(NorthStar.Key);
        await using var dispatcher = await StartDispatcherAsync(slack);

        var delivered = await database.WaitForStateAsync(alert.Id, "delivered", Patience);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // anything still to come would arrive now

        var requests = slack.Requests;
        Assert.Equal([500, 429, 200], requests.Select(r => r.Status));
        Assert.All(requests, r => Assert.Contains(alert.Id.ToString(), r.Body, StringComparison.Ordinal));
        // 500: backoff of the first attempt is 200 ms · [0.5, 1]; 429: Retry-After: 1.
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(100), $"retry after 500 came {(requests[1].At - requests[0].At).TotalMilliseconds} ms later");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromSeconds(1), $"retry after 429 came {(requests[2].At - requests[1].At).TotalMilliseconds} ms later");
        Assert.True(requests[2].At - requests[1].At < TimeSpan.FromSeconds(3), "the retry after 429 should follow Retry-After closely");
        Assert.Equal(3, delivered.SlackAttempts);
        Assert.NotNull(delivered.SlackDeliveredAt);
        Assert.Null(delivered.SlackNextAttemptAt);
        Assert.Equal(["post_retry", "post_retry", "posted"], (await database.HistoryAsync(alert.Id)).Select(h => h.Event));
        AssertNoWebhookUrlIn(dispatcher.Logs);
    }

    [Fact]
    public async Task Two_dispatchers_on_one_database_post_each_alert_once()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        var alerts = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            alerts.Add((await database.AddAlertAsync(NorthStar.Key)).Id);
        }

        await using var first = await StartDispatcherAsync(slack);
        await using var second = await StartDispatcherAsync(slack);
        foreach (var id in alerts)
        {
            await database.WaitForStateAsync(id, "delivered", Patience);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        var requests = slack.Requests;
        Assert.Equal(alerts.Count, requests.Count);
        foreach (var id in alerts)
        {
            Assert.Single(requests, r => r.Body.Contains(id.ToString(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Claim_left_by_a_crashed_dispatcher_is_posted_once_its_lease_expires()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        var orphan = await database.AddAlertAsync(NorthStar.Key);
        var claimedAt = DateTimeOffset.UtcNow;
        // A process claims the row with a 2 s lease and dies before posting.
        var claims = await SlackOutbox.ClaimAsync(database.DataSource, 10, TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Equal([new SlackClaim(orphan.Id, 1)], claims);
        Assert.Equal("sending", (await database.ReadAlertAsync(orphan.Id)).SlackState);

        await using var dispatcher = await StartDispatcherAsync(slack);
        var delivered = await database.WaitForStateAsync(orphan.Id, "delivered", Patience);

        var request = Assert.Single(slack.Requests);
        Assert.True(request.At - claimedAt >= TimeSpan.FromSeconds(2), $"posted {(request.At - claimedAt).TotalMilliseconds} ms after the claim, inside its lease");
        Assert.Equal(2, delivered.SlackAttempts);
    }

    [Fact]
    public async Task Row_in_sending_within_its_lease_is_left_alone()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        var held = await database.AddAlertAsync(NorthStar.Key, a =>
        {
            a.SlackState = "sending";
            a.SlackAttempts = 1;
            a.SlackNextAttemptAt = DateTimeOffset.UtcNow.AddHours(1);
        });
        var due = await database.AddAlertAsync(NorthStar.Key);

        await using var dispatcher = await StartDispatcherAsync(slack);
        await database.WaitForStateAsync(due.Id, "delivered", Patience);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Single(slack.Requests);
        var still = await database.ReadAlertAsync(held.Id);
        Assert.Equal(("sending", 1), (still.SlackState, still.SlackAttempts));
    }

    [Fact]
    public async Task Stopping_mid_post_finishes_that_post_and_hands_back_the_rest_for_another_dispatcher()
    {
        await using var slack = await SlackWebhookServer.StartAsync(new Reply(200, Delay: TimeSpan.FromSeconds(1)));
        var a = await database.AddAlertAsync(NorthStar.Key, x => x.DetectedAt = x.DetectedAt.AddMinutes(-1));
        var b = await database.AddAlertAsync(NorthStar.Key);

        // A generous attempt timeout: this test is about shutdown, not about a slow machine timing the post out.
        var first = await StartDispatcherAsync(slack, ("AttemptTimeout", "00:00:10"));
        await slack.WaitForRequestsAsync(1, Patience);
        await first.StopAsync(); // the host shuts down while the first post is in flight
        await first.DisposeAsync();

        // Claims are posted oldest detection first.
        Assert.Contains(a.Id.ToString(), slack.Requests[0].Body, StringComparison.Ordinal);
        var afterStop = await database.ReadAlertAsync(a.Id);
        Assert.True(afterStop.SlackState == "delivered", $"first alert is '{afterStop.SlackState}' after stop (attempts {afterStop.SlackAttempts}, last error: {afterStop.SlackLastError})");
        var handedBack = await database.ReadAlertAsync(b.Id);
        Assert.Equal(("pending", 0), (handedBack.SlackState, handedBack.SlackAttempts));

        await using var second = await StartDispatcherAsync(slack);
        await database.WaitForStateAsync(b.Id, "delivered", TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, slack.Requests.Count);
        Assert.Single(slack.Requests, r => r.Body.Contains(a.Id.ToString(), StringComparison.Ordinal));
        Assert.Single(slack.Requests, r => r.Body.Contains(b.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Permanent_refusal_fails_the_alert_without_more_attempts()
    {
        await using var slack = await SlackWebhookServer.StartAsync(new Reply(400, "invalid_payload"));
        var alert = await database.AddAlertAsync(NorthStar.Key);
        await using var dispatcher = await StartDispatcherAsync(slack);

        var failed = await database.WaitForStateAsync(alert.Id, "failed", Patience);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Single(slack.Requests);
        Assert.Equal("HTTP 400 Bad Request: invalid_payload", failed.SlackLastError);
        Assert.Null(failed.SlackNextAttemptAt);
        Assert.Equal(["post_failed"], (await database.HistoryAsync(alert.Id)).Select(h => h.Event));
        AssertNoWebhookUrlIn(dispatcher.Logs);
    }

    [Fact]
    public async Task Transient_failures_give_up_after_max_attempts()
    {
        await using var slack = await SlackWebhookServer.StartAsync(Enumerable.Repeat(new Reply(503, "down"), 10).ToArray());
        var alert = await database.AddAlertAsync(NorthStar.Key);
        await using var dispatcher = await StartDispatcherAsync(slack, ("MaxAttempts", "3"));

        var failed = await database.WaitForStateAsync(alert.Id, "failed", Patience);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(3, slack.Requests.Count);
        Assert.Equal(3, failed.SlackAttempts);
        Assert.Equal("gave up after 3 attempts; last: HTTP 503 Service Unavailable: down", failed.SlackLastError);
        Assert.Equal(["post_retry", "post_retry", "post_failed"], (await database.HistoryAsync(alert.Id)).Select(h => h.Event));
        AssertNoWebhookUrlIn(dispatcher.Logs);
    }

    [Fact]
    public async Task Without_any_webhook_the_alert_is_kept_logged_and_marked_not_configured()
    {
        var alert = await database.AddAlertAsync(NorthStar.Key);
        await using var dispatcher = await StartDispatcherAsync(server: null);

        var row = await database.WaitForStateAsync(alert.Id, "not_configured", Patience);

        Assert.Equal(0, row.SlackAttempts);
        Assert.Equal("open", row.Status);
        Assert.Contains(dispatcher.Logs.Lines, l => l.Contains("No Slack webhook configured", StringComparison.Ordinal)
            && l.Contains("North Star dropped 14.8%", StringComparison.Ordinal) && l.Contains(alert.Id.ToString(), StringComparison.Ordinal));
        Assert.Equal(["not_configured"], (await database.HistoryAsync(alert.Id)).Select(h => h.Event));
    }

    [Fact]
    public async Task Metric_webhook_override_takes_the_alert_instead_of_the_default()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        await database.AddMetricsAsync(NorthStar with { Alert = new AlertPolicy { SlackWebhook = slack.Webhook("/override").AbsoluteUri } });
        var alert = await database.AddAlertAsync(NorthStar.Key);
        await using var dispatcher = await StartDispatcherAsync(slack, ("WebhookUrl", slack.Webhook("/default").AbsoluteUri));

        await database.WaitForStateAsync(alert.Id, "delivered", Patience);

        Assert.Equal(SlackWebhookServer.SecretPath + "/override", Assert.Single(slack.Requests).Path);
        Assert.Contains(dispatcher.Logs.Lines, l => l.Contains("metric 'ai_tasks' alert.slackWebhook (http://127.0.0.1:", StringComparison.Ordinal));
        AssertNoWebhookUrlIn(dispatcher.Logs);
    }

    [Fact]
    public async Task Wake_posts_a_new_alert_without_waiting_for_the_poll()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        await using var dispatcher = await StartDispatcherAsync(slack, ("PollInterval", "00:01:00"));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // let its first round find nothing and start waiting

        var alert = await database.AddAlertAsync(NorthStar.Key);
        var woken = DateTimeOffset.UtcNow;
        dispatcher.Signal.Wake();
        await database.WaitForStateAsync(alert.Id, "delivered", TimeSpan.FromSeconds(5));

        Assert.True(Assert.Single(slack.Requests).At - woken < TimeSpan.FromSeconds(2));
    }
}
