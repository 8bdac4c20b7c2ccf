using MetricPipeline.Data;
using MetricPipeline.Registry;

namespace MetricPipeline.Detection;

/// <summary>
/// One analysable series: a metric segment's values over the detection window ending at the pass's time, gaps filled,
/// with the seasonal periods its length supports. <see cref="Times"/> are bucket starts.
/// </summary>
public sealed record NodeSeries(MetricDefinition Metric, string Segment, DateTime[] Times, double[] Values, IReadOnlyList<int> Periods)
{
    /// <summary>Newest buckets without a value (a ratio with no denominator) from which a series is not analysed.</summary>
    public const int MaxTrailingGap = 3;

    public TimeSpan Width => BucketGrain.Width(Metric.Grain);

    /// <summary>Index of the bucket starting at <paramref name="t"/> (rounded down to the grain), or −1 outside the window.</summary>
    public int IndexOf(DateTime t)
    {
        var start = BucketGrain.Start(t, Metric.Grain);
        var i = Array.BinarySearch(Times, start);
        return i >= 0 ? i : -1;
    }

    /// <summary>
    /// Reads the window of <paramref name="metric"/> ending before the bucket that holds <paramref name="asOf"/> (an open
    /// bucket is incomplete), drops the empty lead-in before the metric's first data, and bridges ratio gaps linearly.
    /// Null too for a ratio with no value in its newest <see cref="MaxTrailingGap"/> buckets: nothing to test now.
    /// <paramref name="extra"/> lengthens the window (the impact estimate reads a full window before the deployment).
    /// Null when too little is left to analyse: two weekly cycles (and a point) for hourly and daily data, eight weeks for weekly.
    /// </summary>
    public static async Task<NodeSeries?> ReadAsync(
        SeriesReader reader, MetricDefinition metric, Func<string, MetricDefinition?> lookup, string segment, DateTime asOf, DetectorOptions options, CancellationToken ct,
        TimeSpan extra = default)
    {
        var grain = metric.Grain;
        var end = BucketGrain.Start(asOf, grain);
        var window = extra + (grain switch { Grain.Hour => options.HourlyWindow, Grain.Day => options.DailyWindow, _ => options.WeeklyWindow });
        var points = await reader.ReadAsync(metric, lookup, grain, end - window, end, segment, ct);
        var first = points.FindIndex(p => p.Value is { } v && v != 0);
        if (first < 0)
        {
            return null;
        }

        points = points[first..];

        // A ratio whose denominator has had nothing for its newest buckets (a segment that is gone: a model version
        // replaced by the next) has no present to test: bridging would carry its last value forward as if it were data.
        var trailing = points.Count - 1 - points.FindLastIndex(p => p.Value is not null);
        if (trailing >= MaxTrailingGap)
        {
            return null;
        }

        var (periods, minimum) = grain switch
        {
            // Two full weekly cycles and one point: a shorter series (a segment that appeared days ago) would take
            // its first weekend for a level shift.
            Grain.Hour => (new[] { 24, 168 }, (2 * 168) + 1),
            Grain.Day => (new[] { 7 }, (2 * 7) + 1),
            _ => (new[] { 52 }, 8),
        };
        if (points.Count < minimum)
        {
            return null;
        }

        var values = SeriesGaps.Bridge(points);
        var usable = periods.Where(p => 2 * p < values.Length).ToArray();
        return new NodeSeries(metric, segment, [.. points.Select(p => p.T)], values, usable);
    }
}
