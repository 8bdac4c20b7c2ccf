using MetricPipeline.Registry;

namespace MetricPipeline.Alerting;

/// <summary>
/// Where a metric's alerts go: its own <c>alert.slackWebhook</c>, else <c>Slack:WebhookUrl</c>, else
/// nowhere. <see cref="Name"/> is what logs say instead of the (secret) URL.
/// </summary>
public sealed record SlackRoute(Uri? Webhook, string Name, string? Problem)
{
    public static SlackRoute For(MetricDefinition metric, string? defaultWebhook)
    {
        if (!string.IsNullOrWhiteSpace(metric.Alert.SlackWebhook))
        {
            return Parse(metric.Alert.SlackWebhook, $"metric '{metric.Key}' alert.slackWebhook",
                $"the alert.slackWebhook of metric '{metric.Key}' is not an absolute http(s) URL; correct it in the registry");
        }

        if (!string.IsNullOrWhiteSpace(defaultWebhook))
        {
            return Parse(defaultWebhook, "Slack:WebhookUrl",
                "Slack:WebhookUrl (Slack__WebhookUrl) is not an absolute http(s) URL; set it to the incoming-webhook URL Slack gave you");
        }

        return new SlackRoute(null, "none", null);
    }

    /// <summary>How logs name this route: the setting it came from and the host only.</summary>
    public override string ToString() => Webhook is null ? Name : $"{Name} ({WebhookRedaction.Redact(Webhook)})";

    private static SlackRoute Parse(string text, string name, string problem) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? new SlackRoute(uri, name, null)
            : new SlackRoute(null, name, problem);
}
