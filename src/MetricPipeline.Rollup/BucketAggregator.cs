using MetricPipeline.Contracts;
using MetricPipeline.Data;
using MetricPipeline.Registry;

namespace MetricPipeline.Rollup;

/// <summary>The rows one batch adds: bucket increments and distinct-user memberships, both sorted by key.</summary>
public sealed record AggregatedBatch(List<BucketDelta> Deltas, List<BucketMembership> Memberships);

/// <summary>
/// Pre-aggregates a batch of events in memory so each bucket is written once per batch.
/// Count and sum are kept at hour grain (days and weeks are exact sums of hours and are added up
/// at read time); distinct users are not additive, so memberships are kept at every grain.
/// </summary>
public static class BucketAggregator
{
    private static readonly Grain[] AllGrains = [Grain.Hour, Grain.Day, Grain.Week];

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
                    var key = new CellKey(metric.Key, 0, hour, segment);
                    sums[key] = sums.TryGetValue(key, out var acc) ? (acc.Count + 1, acc.Sum + e.Value) : (1, e.Value);
                }

                if (metric.Kind == MetricKind.DistinctUsers && !string.IsNullOrEmpty(e.UserId))
                {
                    foreach (var grain in AllGrains)
                    {
                        var start = BucketGrain.Start(utc, grain);
                        foreach (var segment in segments)
                        {
                            members.Add(new BucketMembership(metric.Key, BucketGrain.Code(grain), start, segment, e.UserId));
                        }
                    }
                }
            }
        }

        var deltas = sums.Select(kv => new BucketDelta(kv.Key.Metric, kv.Key.Grain, kv.Key.Start, kv.Key.Segment, kv.Value.Count, kv.Value.Sum)).ToList();
        deltas.Sort(static (a, b) => Compare(a.MetricKey, a.Grain, a.Start, a.Segment, b.MetricKey, b.Grain, b.Start, b.Segment));
        var memberships = members.ToList();
        memberships.Sort(static (a, b) =>
        {
            var c = Compare(a.MetricKey, a.Grain, a.Start, a.Segment, b.MetricKey, b.Grain, b.Start, b.Segment);
            return c != 0 ? c : string.CompareOrdinal(a.UserId, b.UserId);
        });
        return new AggregatedBatch(deltas, memberships);
    }

    private static int Compare(string m1, short g1, DateTime s1, string seg1, string m2, short g2, DateTime s2, string seg2)
    {
        var c = string.CompareOrdinal(m1, m2);
        if (c != 0)
        {
            return c;
        }

        c = g1.CompareTo(g2);
        if (c != 0)
        {
            return c;
        }

        c = s1.CompareTo(s2);
        return c != 0 ? c : string.CompareOrdinal(seg1, seg2);
    }

    private readonly record struct CellKey(string Metric, short Grain, DateTime Start, string Segment);
}
