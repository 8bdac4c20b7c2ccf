namespace MetricPipeline.Data.Entities;

/// <summary>An event id the rollup has counted, kept for the de-duplication retention window.</summary>
public sealed class SeenEvent
{
    public Guid EventId { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}
