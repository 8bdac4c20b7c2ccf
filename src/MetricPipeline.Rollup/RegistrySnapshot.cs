using MetricPipeline.Contracts;
using MetricPipeline.Registry;

namespace MetricPipeline.Rollup;

/// <summary>
/// The stored (non-ratio) metrics indexed by event name, as of one registry version. Ratio metrics
/// are computed at read time from their numerator and denominator, so they are not here.
/// </summary>
public sealed class RegistrySnapshot
{
    private readonly Dictionary<string, MetricDefinition[]> byEvent;

    public RegistrySnapshot(long version, IEnumerable<MetricDefinition> definitions)
    {
        Version = version;
        byEvent = definitions
            .Where(d => d.Kind != MetricKind.Ratio && d.Event is not null)
            .GroupBy(d => d.Event!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(d => d.Key, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
    }

    public long Version { get; }

    public static RegistrySnapshot Empty { get; } = new(-1, []);

    /// <summary>Metrics the event counts toward: same event name, product (when set) and every filter property equal.</summary>
    public IEnumerable<MetricDefinition> MetricsFor(TelemetryEvent e)
    {
        var metrics = new List<MetricDefinition>();
        MetricsFor(e, metrics);
        return metrics;
    }

    /// <summary>The same as <see cref="MetricsFor(TelemetryEvent)"/>, into a list the caller reuses (the rollup's hot path).</summary>
    public void MetricsFor(TelemetryEvent e, List<MetricDefinition> into)
    {
        into.Clear();
        if (!byEvent.TryGetValue(e.Name, out var candidates))
        {
            return;
        }

        foreach (var metric in candidates)
        {
            if ((metric.Product is null || string.Equals(metric.Product, e.Product, StringComparison.Ordinal)) && Matches(metric.Filter, e.Properties))
            {
                into.Add(metric);
            }
        }
    }

    private static bool Matches(IReadOnlyDictionary<string, string> filter, IReadOnlyDictionary<string, string>? properties)
    {
        foreach (var (name, wanted) in filter)
        {
            if (properties is null || !properties.TryGetValue(name, out var actual) || !string.Equals(actual, wanted, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
