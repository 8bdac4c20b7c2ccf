namespace MetricPipeline.Ingest;

/// <summary>Bound from the "Ingest" section (<c>Ingest__MaxBodyBytes</c>, …).</summary>
public sealed class IngestOptions
{
    /// <summary>Largest accepted request body; larger is 413.</summary>
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Events carried by one broker message (messages are what the broker pays for).</summary>
    public int EventsPerMessage { get; set; } = 1000;

    /// <summary>Requests per second allowed per key (token bucket, burst of twice that).</summary>
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>How far in the future an event's timestamp may be before it is refused as absurd.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Longest wait for the broker to confirm a request's events. Past it (the broker is down or stalled) the request
    /// is answered 503 with <see cref="RetryAfterSeconds"/>, instead of holding the client until the broker returns.
    /// </summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The <c>Retry-After</c> of a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Timestamps before this are refused as absurd.</summary>
    public DateTimeOffset Earliest { get; set; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
