namespace MetricPipeline.Data.Entities;

/// <summary>A stored registry entry: the definition as JSON plus the columns queries filter on.</summary>
public sealed class MetricRecord
{
    public required string Key { get; set; }
    public required string Definition { get; set; }
    public required string Kind { get; set; }
    public required string Role { get; set; }
    public string? Product { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
