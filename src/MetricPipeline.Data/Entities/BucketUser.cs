namespace MetricPipeline.Data.Entities;

/// <summary>Membership of a user in a bucket of a <c>distinct_users</c> metric: exact distinct counts.</summary>
public sealed class BucketUser
{
    public required string MetricKey { get; set; }
    public short Grain { get; set; }
    public DateTimeOffset BucketStart { get; set; }
    public required string Segment { get; set; }
    public required string UserId { get; set; }
}
