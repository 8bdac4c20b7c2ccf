namespace MetricPipeline.Cli.Simulation;

/// <summary>
/// The simulator's scenario (<c>seeds/scenario.yaml</c>): products with a user pool, event
/// rates, seasonality, noise and scheduled effects. Read with <see cref="ScenarioReader"/>.
/// </summary>
public sealed class Scenario
{
    /// <summary>Seed of every random draw: the same seed and start give the same events.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Length used when the command gives neither --hours nor --days.</summary>
    public int Days { get; set; } = 28;

    /// <summary>Standard deviation of the log of the hourly rate multiplier (0 = Poisson noise only).</summary>
    public double Noise { get; set; } = 0.05;

    public Seasonality Seasonality { get; set; } = new();

    public List<ProductScenario> Products { get; set; } = [];

    public List<ScheduledEffect> Effects { get; set; } = [];
}

/// <summary>Rate multipliers by UTC hour of day (24) and day of week (7, Monday first); each is rescaled to mean 1.</summary>
public sealed class Seasonality
{
    public List<double> Daily { get; set; } = [];

    public List<double> Weekly { get; set; } = [];
}

public sealed class ProductScenario
{
    public string Name { get; set; } = "";

    /// <summary>Size of the user pool; users keep their attributes, so distinct users are meaningful.</summary>
    public int Users { get; set; } = 1000;

    /// <summary>Per-user properties, drawn once per user from weights: <c>plan: { free: 0.6, pro: 0.3 }</c>.</summary>
    public Dictionary<string, Dictionary<string, double>> UserProperties { get; set; } = [];

    /// <summary>Per-event properties, drawn for every event (e.g. <c>model_version</c>).</summary>
    public Dictionary<string, Dictionary<string, double>> EventProperties { get; set; } = [];

    /// <summary>How much more often users of a segment act: <c>plan: { pro: 2.5 }</c> (default 1).</summary>
    public Dictionary<string, Dictionary<string, double>> Activity { get; set; } = [];

    public List<EventScenario> Events { get; set; } = [];
}

public sealed class EventScenario
{
    public string Name { get; set; } = "";

    /// <summary>Mean events per hour before seasonality, noise and effects.</summary>
    public double PerHour { get; set; }

    /// <summary>The event's value (for sum metrics); omitted means 1.</summary>
    public ValueDistribution? Value { get; set; }

    /// <summary>Extra per-event properties of this event only (e.g. <c>rating: { up: 0.8, down: 0.2 }</c>).</summary>
    public Dictionary<string, Dictionary<string, double>> Properties { get; set; } = [];
}

/// <summary>A normal value clipped below at <see cref="Min"/>, rounded to <see cref="Decimals"/>.</summary>
public sealed class ValueDistribution
{
    public double Mean { get; set; } = 1;

    public double Sd { get; set; }

    public double Min { get; set; }

    public int Decimals { get; set; }
}

/// <summary>
/// A change that starts <see cref="AtHour"/> hours after the simulation's start (and ends at
/// <see cref="UntilHour"/> if given), for events of <see cref="Product"/> whose properties match
/// <see cref="Where"/>: it multiplies event rates and values and overrides properties.
/// </summary>
public sealed class ScheduledEffect
{
    public string Name { get; set; } = "";

    public double AtHour { get; set; }

    public double? UntilHour { get; set; }

    public string? Product { get; set; }

    public Dictionary<string, string> Where { get; set; } = [];

    public Dictionary<string, double> Rates { get; set; } = [];

    public Dictionary<string, double> Values { get; set; } = [];

    public Dictionary<string, string> Properties { get; set; } = [];
}
