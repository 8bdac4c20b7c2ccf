using System.Collections.Concurrent;
using MetricPipeline.Data;
using MetricPipeline.Registry;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Api;

/// <summary>
/// Keeps the expensive part of a history answer — the decomposition and the change points and anomalies — per
/// (metric, direction, grain, segment, range), together with the values it was computed from. The values are always
/// read fresh from the rollups; a cached analysis is used only when those values are exactly the ones it was computed
/// from, so new data (or a late event) recomputes it, and the answer never differs from computing it now. Concurrent
/// requests for the same window share one computation. At most <see cref="Capacity"/> windows are kept; the least
/// recently used goes first. <c>History:CacheAnalyses=false</c> turns it off (to measure what it saves).
/// </summary>
public sealed class HistoryAnalysisCache(IOptions<HistoryOptions> options)
{
    public const int Capacity = 512;

    private readonly ConcurrentDictionary<Key, Entry> entries = new();
    private long clock;

    public SeriesComponents Decomposition(MetricDefinition metric, Grain grain, string segment, DateTime from, DateTime to, IReadOnlyList<SeriesPoint> points) =>
        EntryFor(metric, grain, segment, from, to, points).Decomposition.Value;

    public (List<ChangePointMarker> ChangePoints, List<AnomalyMarker> Anomalies) Markers(
        MetricDefinition metric, Grain grain, string segment, DateTime from, DateTime to, IReadOnlyList<SeriesPoint> points) =>
        EntryFor(metric, grain, segment, from, to, points).Markers.Value;

    private Entry EntryFor(MetricDefinition metric, Grain grain, string segment, DateTime from, DateTime to, IReadOnlyList<SeriesPoint> points)
    {
        if (!options.Value.CacheAnalyses)
        {
            return new Entry(metric, grain, points);
        }

        var key = new Key(metric.Key, metric.Direction, grain, segment, from, to);
        var entry = entries.AddOrUpdate(
            key,
            _ => new Entry(metric, grain, points),
            (_, existing) => existing.Holds(points) ? existing : new Entry(metric, grain, points));
        entry.LastUsed = Interlocked.Increment(ref clock);
        if (entries.Count > Capacity)
        {
            Evict();
        }

        return entry;
    }

    private void Evict()
    {
        foreach (var (key, _) in entries.OrderBy(e => e.Value.LastUsed).Take(entries.Count - (Capacity * 3 / 4)).ToList())
        {
            entries.TryRemove(key, out _);
        }
    }

    private readonly record struct Key(string Metric, Direction Direction, Grain Grain, string Segment, DateTime From, DateTime To);

    /// <summary>An analysis and the values it belongs to (the reader's list, which nothing changes afterwards).</summary>
    private sealed class Entry(MetricDefinition metric, Grain grain, IReadOnlyList<SeriesPoint> points)
    {
        public long LastUsed;

        public Lazy<SeriesComponents> Decomposition { get; } = new(() => SeriesDecomposition.Of(points, grain));

        public Lazy<(List<ChangePointMarker>, List<AnomalyMarker>)> Markers { get; } = new(() => SeriesMarkers.Detect(points, metric, grain));

        public bool Holds(IReadOnlyList<SeriesPoint> current)
        {
            if (current.Count != points.Count)
            {
                return false;
            }

            for (var i = 0; i < points.Count; i++)
            {
                if (points[i] != current[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>The <c>History</c> configuration section.</summary>
public sealed class HistoryOptions
{
    /// <summary>Keep decompositions and markers per window while the window's values stay the same (default true).</summary>
    public bool CacheAnalyses { get; set; } = true;
}
