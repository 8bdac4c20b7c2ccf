namespace MetricPipeline.Data.Entities;

/// <summary>What happened to an alert and when: opened, updated, acknowledged, resolved, posted, post_failed….</summary>
public sealed class AlertHistory
{
    public long Id { get; set; }
    public Guid AlertId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Event { get; set; }
    public string? Detail { get; set; }
}
