namespace MetricPipeline.Contracts;

/// <summary>One product event as accepted by ingest. <see cref="Id"/> is the client's idempotency key.</summary>
public sealed record TelemetryEvent(
    Guid Id,
    string Product,
    string Name,
    DateTimeOffset Timestamp,
    string? UserId,
    double Value,
    IReadOnlyDictionary<string, string>? Properties);
