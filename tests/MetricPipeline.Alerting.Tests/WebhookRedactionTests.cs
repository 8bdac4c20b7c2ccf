namespace MetricPipeline.Alerting.Tests;

public class WebhookRedactionTests
{
    private static readonly Uri Webhook = new("https://hooks.slack.com/services/T000/B000/XXXXSECRET?x=1");

    [Fact]
    public void Redacted_form_keeps_only_scheme_and_host()
    {
        Assert.Equal("https://hooks.slack.com/…", WebhookRedaction.Redact(Webhook));
    }

    [Fact]
    public void Scrub_removes_the_url_and_its_path_from_text()
    {
        var text = $"failed POST {Webhook.AbsoluteUri}; path was /services/T000/B000/XXXXSECRET";
        var scrubbed = WebhookRedaction.Scrub(text, Webhook);
        Assert.DoesNotContain("XXXXSECRET", scrubbed, StringComparison.Ordinal);
        Assert.Equal("failed POST https://hooks.slack.com/…; path was /…", scrubbed);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://hooks.slack.com/services/T/B/X")]
    [InlineData("/services/T/B/X")]
    public void Invalid_webhook_is_a_problem_that_does_not_repeat_the_value(string webhook)
    {
        var route = SlackRoute.For(AlertSamples.NorthStar with { Alert = new() { SlackWebhook = webhook } }, null);
        Assert.Null(route.Webhook);
        Assert.Contains("alert.slackWebhook of metric 'ai_tasks'", route.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(webhook, route.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Metric_override_wins_over_the_default_route()
    {
        var route = SlackRoute.For(AlertSamples.NorthStar with { Alert = new() { SlackWebhook = "https://hooks.slack.com/services/A/B/OVERRIDE" } }, "https://hooks.slack.com/services/A/B/DEFAULT");
        Assert.Equal("https://hooks.slack.com/services/A/B/OVERRIDE", route.Webhook!.AbsoluteUri);
        Assert.Equal("metric 'ai_tasks' alert.slackWebhook (https://hooks.slack.com/…)", route.ToString());
        Assert.Equal("Slack:WebhookUrl (https://hooks.slack.com/…)", SlackRoute.For(AlertSamples.NorthStar, "https://hooks.slack.com/services/A/B/DEFAULT").ToString());
        Assert.Equal("none", SlackRoute.For(AlertSamples.NorthStar, " ").ToString());
    }
}
