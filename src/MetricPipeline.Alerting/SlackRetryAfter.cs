using System.Net.Http.Headers;

namespace MetricPipeline.Alerting;

/// <summary>How long a 429 asks to wait: Retry-After as seconds or an HTTP date, capped at <see cref="SlackOptions.MaxBackoff"/>; the default when absent.</summary>
public static class SlackRetryAfter
{
    public static TimeSpan From(RetryConditionHeaderValue? header, SlackOptions options, DateTimeOffset now)
    {
        var wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => options.DefaultRetryAfter,
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > options.MaxBackoff ? options.MaxBackoff : wait;
    }
}
