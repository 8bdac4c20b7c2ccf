namespace MetricPipeline.Registry;

public enum MetricRole { NorthStar, Input, Lever, Guardrail }

public enum MetricKind { Count, Sum, DistinctUsers, Ratio }

public enum Grain { Hour, Day, Week }

/// <summary>Which way is good: <see cref="Up"/> means higher is better.</summary>
public enum Direction { Up, Down }

/// <summary>When a shift of this metric is worth a page, and where the page goes.</summary>
public sealed record AlertPolicy
{
    public double MinRelativeChange { get; init; } = 0.05;
    public double? Sensitivity { get; init; }
    public string? SlackWebhook { get; init; }

    /// <summary>Slack app mode: the channel (ID or <c>#name</c>) this metric's alerts go to instead of <c>Slack:Channel</c>.</summary>
    public string? SlackChannel { get; init; }
}

/// <summary>One node of the metric tree, as written in the registry document.</summary>
public sealed record MetricDefinition
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? Owner { get; init; }
    public string? Unit { get; init; }
    public MetricRole Role { get; init; } = MetricRole.Input;
    public MetricKind Kind { get; init; } = MetricKind.Count;
    public string? Event { get; init; }
    public string? Product { get; init; }
    public IReadOnlyDictionary<string, string> Filter { get; init; } = new Dictionary<string, string>();
    public string? Numerator { get; init; }
    public string? Denominator { get; init; }
    public IReadOnlyList<string> Dimensions { get; init; } = [];
    public Grain Grain { get; init; } = Grain.Hour;
    public Direction Direction { get; init; } = Direction.Up;
    public IReadOnlyList<string> Parents { get; init; } = [];
    public AlertPolicy Alert { get; init; } = new();
    public string? KnownLimitations { get; init; }
}

/// <summary>A whole registry document: <c>metrics: [...]</c>.</summary>
public sealed record RegistryDocument(IReadOnlyList<MetricDefinition> Metrics);
