namespace MetricPipeline.Contracts;

/// <summary>
/// Published by ingest once per chunk of validated events. Many events travel in one message:
/// the broker's cost is per message, not per byte.
/// </summary>
public sealed record EventsAccepted(Guid ChunkId, DateTimeOffset AcceptedAt, IReadOnlyList<TelemetryEvent> Events);
