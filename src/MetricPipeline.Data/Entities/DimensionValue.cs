namespace MetricPipeline.Data.Entities;

/// <summary>
/// A value admitted as its own segment for (metric, dimension). Admission is permanent and capped,
/// so every worker maps a value to the same segment (its own, or "other").
/// </summary>
public sealed class DimensionValue
{
    public required string MetricKey { get; set; }
    public required string Dimension { get; set; }
    public required string Value { get; set; }
    public DateTimeOffset AdmittedAt { get; set; }
}
