using MetricPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reply = MetricPipeline.Testing.SlackWebApiServer.Reply;

namespace MetricPipeline.Alerting.Tests;

/// <summary>The Web API client against a local stand-in for Slack, wired the way <c>AddAlerting</c> wires it.</summary>
public sealed class SlackWebApiClientTests : IAsyncLifetime, IDisposable
{
    private readonly CapturedLogs logs = new();
    private SlackWebApiServer slack = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        slack = await SlackWebApiServer.StartAsync();
        services = Services(SlackWebApiServer.Token);
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await slack.DisposeAsync();
    }

    public void Dispose() => logs.Dispose();

    private ServiceProvider Services(string token) => new ServiceCollection()
        .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))
        .AddAlerting(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = token,
            ["Slack:Channel"] = SlackWebApiServer.ChannelId,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Slack:AttemptTimeout"] = "00:00:05",
            ["Slack:DefaultRetryAfter"] = "00:00:30",
        }).Build())
        .BuildServiceProvider();

    private SlackWebApiClient Client => services.GetRequiredService<SlackWebApiClient>();

    private static SlackMessage Message(string status = "open")
    {
        var built = AlertMessageBuilder.Build(AlertSamples.Drop(), AlertSamples.NorthStar, AlertSamples.Names, "http://127.0.0.1:5080", AlertSamples.CorrelationLag);
        return built with { Blocks = [.. built.Blocks, AlertButtons.For(Guid.NewGuid(), status)!] };
    }

    [Fact]
    public async Task Post_message_sends_bearer_token_channel_text_and_blocks_and_returns_channel_and_ts()
    {
        var result = await Client.PostMessageAsync(SlackWebApiServer.ChannelId, Message(), threadTs: null, CancellationToken.None);

        Assert.Equal(SlackOutcome.Delivered, result.Outcome);
        var posted = Assert.IsType<SlackPosted>(result.Posted);
        Assert.Equal(SlackWebApiServer.ChannelId, posted.Channel);
        var call = Assert.Single(slack.Requests);
        Assert.Equal("chat.postMessage", call.Method);
        Assert.Equal("Bearer " + SlackWebApiServer.Token, call.Authorization);
        Assert.StartsWith("application/json", call.ContentType, StringComparison.Ordinal);
        var message = Assert.Single(slack.Messages);
        Assert.Equal(posted.Ts, message.Ts);
        var actions = message.Blocks!.Single(b => (string?)b!["type"] == "actions")!;
        Assert.Equal(["alert_acknowledge", "alert_resolve", "alert_expected"], actions["elements"]!.AsArray().Select(e => (string?)e!["action_id"]));
    }

    [Fact]
    public async Task Update_edits_the_message_in_place_and_a_thread_reply_lands_under_it()
    {
        var posted = (await Client.PostMessageAsync(SlackWebApiServer.ChannelId, Message(), null, CancellationToken.None)).Posted!;

        var update = await Client.UpdateMessageAsync(posted, Message("acknowledged"), CancellationToken.None);
        var reply = await Client.PostMessageAsync(posted.Channel, new SlackMessage("Acknowledged by @ana", []), posted.Ts, CancellationToken.None);

        Assert.Equal(SlackOutcome.Delivered, update.Outcome);
        Assert.Equal(SlackOutcome.Delivered, reply.Outcome);
        var message = Assert.Single(slack.Messages);
        Assert.Equal(1, message.Edits);
        Assert.Equal(["Acknowledged by @ana"], message.Replies);
        Assert.Equal(["chat.postMessage", "chat.update", "chat.postMessage"], slack.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Rate_limit_is_429_with_retry_after_and_a_500_is_transient()
    {
        slack.Then(new Reply(429, RetryAfter: "7"), new Reply(500));

        var limited = await Client.PostMessageAsync(SlackWebApiServer.ChannelId, Message(), null, CancellationToken.None);
        var failed = await Client.PostMessageAsync(SlackWebApiServer.ChannelId, Message(), null, CancellationToken.None);

        Assert.Equal(SlackOutcome.RateLimited, limited.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
        Assert.Equal(SlackOutcome.Transient, failed.Outcome);
        Assert.Empty(slack.Messages);
    }

    [Fact]
    public async Task A_slack_error_is_permanent_unless_slack_says_it_is_transient()
    {
        slack.Then(new Reply(200, "internal_error"));
        var transient = await Client.PostMessageAsync(SlackWebApiServer.ChannelId, Message(), null, CancellationToken.None);
        var unknownTs = await Client.UpdateMessageAsync(new SlackPosted(SlackWebApiServer.ChannelId, "1.000001"), Message(), CancellationToken.None);

        Assert.Equal(SlackOutcome.Transient, transient.Outcome);
        Assert.Equal(SlackOutcome.Permanent, unknownTs.Outcome);
        Assert.Contains("message_not_found", unknownTs.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_permanently_and_no_token_appears_in_errors_or_logs()
    {
        const string wrong = "xoxb-wrong-token-9999";
        await using var other = Services(wrong);
        var result = await other.GetRequiredService<SlackWebApiClient>().PostMessageAsync(SlackWebApiServer.ChannelId, Message(), null, CancellationToken.None);

        Assert.Equal(SlackOutcome.Permanent, result.Outcome);
        Assert.Contains("invalid_auth", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(wrong, StringComparison.Ordinal) || l.Contains(SlackWebApiServer.Token, StringComparison.Ordinal));
    }
}
