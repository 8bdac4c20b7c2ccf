using System.Net;
using MetricPipeline.Registry;
using MetricPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Alerting.Tests;

/// <summary>Webhook targets: https on an allowed host, never an address inside the network unless explicitly allowed.</summary>
public sealed class WebhookPolicyTests
{
    private static readonly WebhookPolicy Default = new(new WebhookPolicyOptions());

    [Fact]
    public void A_slack_https_url_is_allowed_by_default()
    {
        Assert.Null(Default.Problem("https://hooks.slack.com/services/T0/B0/secret"));
    }

    [Theory]
    [InlineData("http://hooks.slack.com/services/T0/B0/x", "https")]
    [InlineData("https://127.0.0.1:8080/hook", "not an allowed webhook host")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "https")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "not an allowed webhook host")]
    [InlineData("https://hooks.slack.com.evil.example/x", "not an allowed webhook host")]
    [InlineData("https://user:pass@hooks.slack.com/x", "user name or password")]
    [InlineData("ftp://hooks.slack.com/x", "absolute https URL")]
    [InlineData("hooks.slack.com/x", "absolute https URL")]
    public void Other_schemes_hosts_and_credentials_are_refused(string url, string reason)
    {
        var problem = Default.Problem(url);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    public void Addresses_inside_the_network_are_refused_even_on_an_allowed_host(string address)
    {
        var policy = new WebhookPolicy(new WebhookPolicyOptions { AllowedHosts = [address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address] });
        Assert.True(WebhookPolicy.IsInside(IPAddress.Parse(address)));
        Assert.NotNull(policy.AddressProblem(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("52.1.2.3")]
    [InlineData("172.32.0.1")]
    [InlineData("2600:1f18::1")]
    public void Public_addresses_are_allowed(string address)
    {
        Assert.False(WebhookPolicy.IsInside(IPAddress.Parse(address)));
        Assert.Null(Default.AddressProblem(IPAddress.Parse(address)));
    }

    [Fact]
    public void The_explicit_opt_in_allows_a_local_http_receiver()
    {
        var policy = new WebhookPolicy(new WebhookPolicyOptions { AllowedHosts = ["127.0.0.1"], AllowHttp = true, AllowPrivateAddresses = true });
        Assert.Null(policy.Problem("http://127.0.0.1:5000/services/T/B/x"));
        Assert.Null(policy.AddressProblem(IPAddress.Loopback));
        Assert.NotNull(policy.Problem("http://10.0.0.1:5000/x"));
    }

    [Fact]
    public async Task A_host_that_resolves_inside_is_refused_at_send_time_and_nothing_is_posted()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // "localhost" passes the URL check (an allowed name, not an address); it resolves to loopback when connecting.
            ["Slack:AllowedHosts:0"] = "localhost",
            ["Slack:AllowHttp"] = "true",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddAlerting(configuration).BuildServiceProvider();
        var client = services.GetRequiredService<SlackWebhookClient>();
        var webhook = new UriBuilder(slack.Webhook()) { Host = "localhost" }.Uri;
        Assert.Null(services.GetRequiredService<WebhookPolicy>().Problem(webhook.AbsoluteUri));

        var message = AlertMessageBuilder.Build(AlertSamples.Drop(), AlertSamples.NorthStar, AlertSamples.Names, "http://127.0.0.1:5080", AlertSamples.CorrelationLag);
        var result = await client.PostAsync(webhook, message, CancellationToken.None);

        Assert.Equal(SlackOutcome.Permanent, result.Outcome);
        Assert.Contains("loopback, link-local or private", result.Error, StringComparison.Ordinal);
        Assert.Empty(slack.Requests);
    }

    [Fact]
    public void Allowed_hosts_come_from_configuration_and_default_to_slack()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Slack:AllowedHosts:0"] = "chat.example.com" }).Build();
        using var services = new ServiceCollection().AddLogging().AddAlerting(configuration).BuildServiceProvider();
        var policy = services.GetRequiredService<WebhookPolicy>();
        Assert.Null(policy.Problem("https://chat.example.com/hooks/1"));
        Assert.NotNull(policy.Problem("https://hooks.slack.com/services/T/B/x"));

        var empty = new ConfigurationBuilder().Build();
        using var defaults = new ServiceCollection().AddLogging().AddAlerting(empty).BuildServiceProvider();
        Assert.Null(defaults.GetRequiredService<IOptions<WebhookPolicyOptions>>().Value.AllowedHosts);
        Assert.Null(defaults.GetRequiredService<WebhookPolicy>().Problem("https://hooks.slack.com/services/T/B/x"));
    }
}
