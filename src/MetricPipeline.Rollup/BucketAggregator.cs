using MetricPipeline.Contracts;
using MetricPipeline.Data;
using MetricPipeline.Registry;

namespace MetricPipeline.Rollup;

/// <summary>The rows one batch adds: hour-bucket increments and distinct-user memberships, both sorted by key.</summary>
public sealed record AggregatedBatch(List<BucketDelta> Deltas, List<BucketMembership> Memberships);

/// <summary>
/// Pre-aggregates a batch of events in memory so each bucket is written once per batch.
/// Everything is kept at hour grain: count and sum are added up for days and weeks at read time, and
/// distinct users are hour sketches whose unions answer any longer range.
/// </summary>
public static class BucketAggregator
{
    /// <summary>The (metric, dimension) values the catalog has to resolve before <see cref="Aggregate"/>.</summary>
    public static Dictionary<(string Metric, string Dimension), HashSet<string>> UnresolvedValues(
        IEnumerable<TelemetryEvent> events, RegistrySnapshot registry, SegmentCatalog catalog)
    {
        var wanted = new Dictionary<(string, string), HashSet<string>>();
        foreach (var e in events)
        {
            if (e.Properties is null)
            {
                continue;
            }

            foreach (var metric in registry.MetricsFor(e))
            {
                foreach (var dimension in metric.Dimensions)
                {
                    if (e.Properties.TryGetValue(dimension, out var value) && catalog.NeedsLookup(metric.Key, dimension, value))
                    {
                        if (!wanted.TryGetValue((metric.Key, dimension), out var set))
                        {
                            wanted[(metric.Key, dimension)] = set = new HashSet<string>(StringComparer.Ordinal);
                        }

                        set.Add(value);
                    }
                }
            }
        }

        return wanted;
    }

    public static AggregatedBatch Aggregate(IEnumerable<TelemetryEvent> events, RegistrySnapshot registry, SegmentCatalog catalog)
    {
        var sums = new Dictionary<CellKey, (long Count, double Sum)>();
        var members = new HashSet<BucketMembership>();
        var segments = new List<string>(8);

        foreach (var e in events)
        {
            var utc = e.Timestamp.UtcDateTime;
            var hour = BucketGrain.Start(utc, Grain.Hour);
            foreach (var metric in registry.MetricsFor(e))
            {
                segments.Clear();
                segments.Add(SegmentNames.Total);
                foreach (var dimension in metric.Dimensions)
                {
                    string? value = null;
                    e.Properties?.TryGetValue(dimension, out value);
                    segments.Add(catalog.SegmentFor(metric.Key, dimension, value));
                }

                foreach (var segment in segments)
                {
                    var key = new CellKey(metric.Key, hour, segment);
                    sums[key] = sums.TryGetValue(key, out var acc) ? (acc.Count + 1, acc.Sum + e.Value) : (1, e.Value);
                }

                if (metric.Kind == MetricKind.DistinctUsers && !string.IsNullOrEmpty(e.UserId))
                {
                    foreach (var segment in segments)
                    {
                        members.Add(new BucketMembership(metric.Key, hour, segment, e.UserId));
                    }
                }
            }
        }

        var deltas = sums.Select(kv => new BucketDelta(kv.Key.Metric, kv.Key.Start, kv.Key.Segment, kv.Value.Count, kv.Value.Sum)).ToList();
        deltas.Sort(static (a, b) => Compare(a.MetricKey, a.Start, a.Segment, b.MetricKey, b.Start, b.Segment));
        var memberships = members.ToList();
        memberships.Sort(static (a, b) =>
        {
            var c = Compare(a.MetricKey, a.Start, a.Segment, b.MetricKey, b.Start, b.Segment);
            return c != 0 ? c : string.CompareOrdinal(a.UserId, b.UserId);
        });
        return new AggregatedBatch(deltas, memberships);
    }

    private static int Compare(string m1, DateTime s1, string seg1, string m2, DateTime s2, string seg2)
    {
        var c = string.CompareOrdinal(m1, m2);
        if (c != 0)
        {
            return c;
        }

        c = s1.CompareTo(s2);
        return c != 0 ? c : string.CompareOrdinal(seg1, seg2);
    }

    private readonly record struct CellKey(string Metric, DateTime Start, string Segment);
}
