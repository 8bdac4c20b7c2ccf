namespace MetricPipeline.Data.Entities;

/// <summary>A known intervention (model release, flag, config push…) that alerts can be correlated with.</summary>
public sealed class Deployment
{
    public Guid Id { get; set; }
    public required string Service { get; set; }
    public required string Version { get; set; }

    /// <summary>model, feature_flag, config, incident or external.</summary>
    public required string Kind { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? Description { get; set; }

    /// <summary>Products in scope; empty with empty <see cref="Metrics"/> means every metric.</summary>
    public string[] Products { get; set; } = [];

    /// <summary>Metric keys in scope.</summary>
    public string[] Metrics { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}
