using System.Runtime.InteropServices;
using MetricPipeline.Contracts;
using MetricPipeline.Data;
using MetricPipeline.Registry;

namespace MetricPipeline.Rollup;

/// <summary>
/// The rows one batch adds: hour-bucket increments sorted by key, and the distinct (bucket, user hash) pairs of
/// distinct_users metrics, each naming its bucket by index into <see cref="Deltas"/>.
/// </summary>
public sealed record AggregatedBatch(List<BucketDelta> Deltas, List<BucketUser> Users);

/// <summary>
/// Pre-aggregates a batch of events in memory so each bucket is written once per batch.
/// Everything is kept at hour grain: count and sum are added up for days and weeks at read time, and
/// distinct users are hour sketches whose unions answer any longer range. A user id is hashed once per
/// event (<see cref="UserHash"/>) and only its hash travels on.
/// </summary>
public static class BucketAggregator
{
    /// <summary>The (metric, dimension) values the catalog has to resolve before <see cref="Aggregate"/>.</summary>
    public static Dictionary<(string Metric, string Dimension), HashSet<string>> UnresolvedValues(
        IEnumerable<TelemetryEvent> events, RegistrySnapshot registry, SegmentCatalog catalog)
    {
        var wanted = new Dictionary<(string, string), HashSet<string>>();
        var metrics = new List<MetricDefinition>(8);
        foreach (var e in events)
        {
            if (e.Properties is null)
            {
                continue;
            }

            registry.MetricsFor(e, metrics);
            foreach (var metric in metrics)
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
        var index = new Dictionary<CellKey, int>();
        var cells = new List<Cell>();
        var users = new HashSet<BucketUser>();
        var metrics = new List<MetricDefinition>(8);
        var touched = new List<int>(8);

        foreach (var e in events)
        {
            var hour = BucketGrain.Start(e.Timestamp.UtcDateTime, Grain.Hour);
            long? userHash = null;
            registry.MetricsFor(e, metrics);
            foreach (var metric in metrics)
            {
                touched.Clear();
                touched.Add(Add(new CellKey(metric.Key, hour, SegmentNames.Total), e.Value));
                foreach (var dimension in metric.Dimensions)
                {
                    string? value = null;
                    e.Properties?.TryGetValue(dimension, out value);
                    touched.Add(Add(new CellKey(metric.Key, hour, catalog.SegmentFor(metric.Key, dimension, value)), e.Value));
                }

                if (metric.Kind == MetricKind.DistinctUsers && !string.IsNullOrEmpty(e.UserId))
                {
                    userHash ??= UserHash.Of(e.UserId);
                    foreach (var cell in touched)
                    {
                        users.Add(new BucketUser(cell, userHash.Value));
                    }
                }
            }
        }

        // Sorted by key, so concurrent workers lock bucket rows in the same order; users follow their bucket's new place.
        var order = new int[cells.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => Compare(cells[a].Key, cells[b].Key));
        var position = new int[cells.Count];
        var deltas = new List<BucketDelta>(cells.Count);
        foreach (var i in order)
        {
            position[i] = deltas.Count;
            var (key, count, sum) = cells[i];
            deltas.Add(new BucketDelta(key.Metric, key.Start, key.Segment, count, sum));
        }

        var placed = new List<BucketUser>(users.Count);
        foreach (var u in users)
        {
            placed.Add(new BucketUser(position[u.Bucket], u.UserHash));
        }

        return new AggregatedBatch(deltas, placed);

        int Add(CellKey key, double value)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, key, out var exists);
            if (!exists)
            {
                slot = cells.Count;
                cells.Add(new Cell(key, 1, value));
                return slot;
            }

            var cell = cells[slot];
            cells[slot] = cell with { Count = cell.Count + 1, Sum = cell.Sum + value };
            return slot;
        }
    }

    private static int Compare(CellKey a, CellKey b)
    {
        var c = string.CompareOrdinal(a.Metric, b.Metric);
        if (c != 0)
        {
            return c;
        }

        c = a.Start.CompareTo(b.Start);
        return c != 0 ? c : string.CompareOrdinal(a.Segment, b.Segment);
    }

    private readonly record struct CellKey(string Metric, DateTime Start, string Segment);

    private readonly record struct Cell(CellKey Key, long Count, double Sum);
}
