namespace MetricPipeline.Ingest.Segment;

/// <summary>Bound from the "Segment" section (<c>Segment__ValueProperty</c>, <c>Segment__Sources__0__WriteKey</c>, …).</summary>
public sealed class SegmentOptions
{
    public const string Section = "Segment";

    /// <summary>Per write key: which product its events belong to. Each write key must also be an ingest key.</summary>
    public List<SegmentSource> Sources { get; set; } = [];

    /// <summary>Product for events whose write key names none and that carry no <c>context.app.name</c>.</summary>
    public string? DefaultProduct { get; set; }

    /// <summary>The numeric property that becomes the event's value (e.g. <c>revenue</c>); absent: the value is 1.</summary>
    public string ValueProperty { get; set; } = "value";

    /// <summary>
    /// <c>context</c> fields copied into the event's properties as <c>context.&lt;path&gt;</c>, so a metric
    /// can segment by them (<c>dimensions: [context.app.version]</c>).
    /// </summary>
    public List<string> ContextDimensions { get; set; } = ["app.version", "os.name", "device.type", "library.name", "library.version", "locale"];

    /// <summary>
    /// A client clock off by more than this (its <c>sentAt</c> against the server's receipt) is corrected
    /// for: the event time becomes <c>receivedAt − (sentAt − timestamp)</c>. Smaller differences are
    /// transit time, not skew, and leave the time as sent.
    /// </summary>
    public TimeSpan ClockSkewTolerance { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest single call (and single request to <c>/v1/track</c>, <c>/v1/identify</c>, …): Segment's 32 KB.</summary>
    public int MaxEventBytes { get; set; } = 32 * 1024;

    /// <summary>Largest request to <c>/v1/batch</c> and <c>/v1/b</c> (after gzip is undone): Segment's 500 KB.</summary>
    public int MaxBatchBytes { get; set; } = 500 * 1024;
}

/// <summary>One Segment source: a write key (one of <c>Auth__IngestKeys</c>) and the product its events belong to.</summary>
public sealed class SegmentSource
{
    public string WriteKey { get; set; } = "";

    public string? Product { get; set; }
}
