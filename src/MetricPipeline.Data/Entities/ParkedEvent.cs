namespace MetricPipeline.Data.Entities;

/// <summary>
/// An accepted event that PostgreSQL refused to store, set aside with the reason so the rest of its batch could be
/// counted. An operator reads them from <c>parked_events</c>; they are not counted until someone re-sends them fixed.
/// </summary>
public sealed class ParkedEvent
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public required string Reason { get; set; }

    /// <summary>The event as JSON, with every non-ASCII character escaped so that the text itself can be stored.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset ParkedAt { get; set; }
}
