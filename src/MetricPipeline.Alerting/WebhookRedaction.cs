namespace MetricPipeline.Alerting;

/// <summary>
/// A webhook URL is a secret (anyone holding it can post to the channel): logs and stored errors
/// carry only its scheme and host.
/// </summary>
public static class WebhookRedaction
{
    /// <summary><c>https://hooks.slack.com/services/T/B/X</c> → <c>https://hooks.slack.com/…</c>.</summary>
    public static string Redact(Uri webhook) => $"{webhook.Scheme}://{webhook.Authority}/…";

    /// <summary>Removes the URL, its path and its query from <paramref name="text"/> (e.g. an exception message).</summary>
    public static string Scrub(string text, Uri webhook)
    {
        var result = text.Replace(webhook.OriginalString, Redact(webhook), StringComparison.OrdinalIgnoreCase)
            .Replace(webhook.AbsoluteUri, Redact(webhook), StringComparison.OrdinalIgnoreCase);
        if (webhook.AbsolutePath.Length > 1)
        {
            result = result.Replace(webhook.AbsolutePath, "/…", StringComparison.OrdinalIgnoreCase);
        }

        if (webhook.Query.Length > 1)
        {
            result = result.Replace(webhook.Query, "", StringComparison.OrdinalIgnoreCase);
        }

        return result;
    }
}
