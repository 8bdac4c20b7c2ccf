using System.Net;
using System.Net.Sockets;
using MetricPipeline.Registry;
using MetricPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reply = MetricPipeline.Testing.SlackWebhookServer.Reply;

namespace MetricPipeline.Alerting.Tests;

/// <summary>The client against a real HTTP server on loopback, wired the way <c>AddAlerting</c> wires it.</summary>
public sealed class SlackWebhookClientTests : IAsyncLifetime, IDisposable
{
    private readonly CapturedLogs logs = new();
    private ServiceProvider services = null!;

    public Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Roomy: a loaded test machine must not turn a scripted answer into a timeout.
            ["Slack:AttemptTimeout"] = "00:00:05",
            ["Slack:DefaultRetryAfter"] = "00:00:30",
            ["Slack:AllowedHosts:0"] = "127.0.0.1",
            ["Slack:AllowHttp"] = "true",
            ["Slack:AllowPrivateAddresses"] = "true",
        }).Build();
        services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))
            .AddAlerting(configuration)
            .BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    public void Dispose() => logs.Dispose();

    private SlackWebhookClient Client => services.GetRequiredService<SlackWebhookClient>();

    private static SlackMessage Message => AlertMessageBuilder.Build(AlertSamples.Drop(), AlertSamples.NorthStar, AlertSamples.Names, "http://127.0.0.1:5080", AlertSamples.CorrelationLag);

    private async Task<(SlackDelivery Result, SlackWebhookServer Server)> PostAsync(params Reply[] script)
    {
        var server = await SlackWebhookServer.StartAsync(script);
        return (await Client.PostAsync(server.Webhook(), Message, CancellationToken.None), server);
    }

    [Fact]
    public async Task Ok_is_delivered_and_the_server_gets_the_block_kit_json()
    {
        var (result, server) = await PostAsync(new Reply(200));
        await using var _ = server;
        Assert.Equal(new SlackDelivery(SlackOutcome.Delivered, 200, null), result);
        var request = Assert.Single(server.Requests);
        Assert.Equal(SlackWebhookServer.SecretPath, request.Path);
        Assert.Equal(Message.ToJson(), request.Body);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(408)]
    public async Task Server_errors_are_transient(int status)
    {
        var (result, server) = await PostAsync(new Reply(status, "oops"));
        await using var _ = server;
        Assert.True(result.Outcome == SlackOutcome.Transient && result.Status == status, $"got {result}");
        Assert.Contains("oops", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "invalid_payload")]
    [InlineData(403, "action_prohibited")]
    [InlineData(404, "no_service")]
    [InlineData(410, "channel_is_archived")]
    public async Task Other_client_errors_are_permanent_and_keep_slacks_reason(int status, string reason)
    {
        var (result, server) = await PostAsync(new Reply(status, reason));
        await using var _ = server;
        Assert.Equal(SlackOutcome.Permanent, result.Outcome);
        Assert.Equal(status, result.Status);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_requests_waits_for_retry_after_seconds()
    {
        var (result, server) = await PostAsync(new Reply(429, "rate_limited", RetryAfter: "7"));
        await using var _ = server;
        Assert.Equal(SlackOutcome.RateLimited, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
    }

    [Fact]
    public async Task Too_many_requests_waits_until_retry_after_date()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(120);
        var (result, server) = await PostAsync(new Reply(429, RetryAfter: at.ToString("R")));
        await using var _ = server;
        Assert.Equal(SlackOutcome.RateLimited, result.Outcome);
        // An HTTP date has whole seconds, and some time passed on the way.
        Assert.InRange(result.RetryAfter!.Value.TotalSeconds, 110, 120);
    }

    [Fact]
    public async Task Too_many_requests_without_retry_after_waits_the_default()
    {
        var (result, server) = await PostAsync(new Reply(429));
        await using var _ = server;
        Assert.Equal(TimeSpan.FromSeconds(30), result.RetryAfter);
    }

    [Fact]
    public async Task No_answer_within_the_attempt_timeout_is_transient()
    {
        await using var server = await SlackWebhookServer.StartAsync(new Reply(200, Delay: TimeSpan.FromSeconds(5)));
        var impatient = new SlackWebhookClient(
            services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(SlackWebhookClient)),
            Options.Create(new SlackOptions { AttemptTimeout = TimeSpan.FromMilliseconds(500) }),
            TimeProvider.System,
            services.GetRequiredService<WebhookPolicy>());
        var started = DateTimeOffset.UtcNow;
        var result = await impatient.PostAsync(server.Webhook(), Message, CancellationToken.None);
        var took = DateTimeOffset.UtcNow - started;
        Assert.Equal(SlackOutcome.Transient, result.Outcome);
        Assert.Null(result.Status);
        Assert.StartsWith("no answer within 0.5 s", result.Error, StringComparison.Ordinal);
        Assert.InRange(took.TotalSeconds, 0.4, 3);
    }

    [Fact]
    public async Task Refused_connection_is_transient_and_the_error_hides_the_path()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var webhook = new Uri($"http://127.0.0.1:{port}{SlackWebhookServer.SecretPath}");

        var result = await Client.PostAsync(webhook, Message, CancellationToken.None);
        Assert.Equal(SlackOutcome.Transient, result.Outcome);
        Assert.Contains("ConnectionError", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scripted_500_then_429_then_200_is_classified_in_order()
    {
        await using var server = await SlackWebhookServer.StartAsync(new Reply(500), new Reply(429, RetryAfter: "1"), new Reply(200));
        var outcomes = new List<SlackOutcome>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.Add((await Client.PostAsync(server.Webhook(), Message, CancellationToken.None)).Outcome);
        }

        Assert.Equal([SlackOutcome.Transient, SlackOutcome.RateLimited, SlackOutcome.Delivered], outcomes);
    }

    [Fact]
    public async Task Http_client_logging_never_contains_the_webhook_url()
    {
        await using var server = await SlackWebhookServer.StartAsync(new Reply(500), new Reply(200));
        await Client.PostAsync(server.Webhook(), Message, CancellationToken.None);
        await Client.PostAsync(server.Webhook(), Message, CancellationToken.None);
        Assert.Equal(2, server.Requests.Count);
        Assert.DoesNotContain("s3cr3t", logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("/services/", logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_from_configuration_reach_the_client()
    {
        var options = services.GetRequiredService<IOptions<SlackOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), options.AttemptTimeout);
        Assert.Equal("http://127.0.0.1:5080", options.DashboardBaseUrl);
    }
}
