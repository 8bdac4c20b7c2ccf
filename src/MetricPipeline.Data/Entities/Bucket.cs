namespace MetricPipeline.Data.Entities;

/// <summary>
/// One cell of a metric's history: (metric, grain, bucket start, segment) → what the formulas need.
/// Segment "" is the total; "plan=free" is one value of one dimension.
/// </summary>
public sealed class Bucket
{
    public required string MetricKey { get; set; }
    public short Grain { get; set; }
    public DateTimeOffset BucketStart { get; set; }
    public required string Segment { get; set; }
    public long Count { get; set; }
    public double Sum { get; set; }
    public long Users { get; set; }
}
