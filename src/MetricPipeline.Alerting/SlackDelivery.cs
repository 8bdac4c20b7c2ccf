namespace MetricPipeline.Alerting;

/// <summary>What one POST to a webhook came to.</summary>
public enum SlackOutcome
{
    /// <summary>2xx: Slack has the message.</summary>
    Delivered,

    /// <summary>429: try again after <see cref="SlackDelivery.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>5xx, timeout, connection error: try again with backoff.</summary>
    Transient,

    /// <summary>Any other 4xx (bad webhook, invalid_payload, no_service): retrying cannot help.</summary>
    Permanent,
}

/// <param name="Outcome">The classification.</param>
/// <param name="Status">HTTP status, when the server answered.</param>
/// <param name="Error">What went wrong, never containing the webhook URL.</param>
/// <param name="RetryAfter">The server's Retry-After (or the default) for <see cref="SlackOutcome.RateLimited"/>.</param>
public sealed record SlackDelivery(SlackOutcome Outcome, int? Status, string? Error, TimeSpan? RetryAfter = null);
